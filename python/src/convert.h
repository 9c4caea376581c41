// Conversions between the engine's value types and Python objects: input vectors as NumPy
// float32 matrices, hits and records as tuples the pure-Python package (quiver/_types.py)
// wraps in its dataclasses, batch results as NumPy arrays plus lists.
#ifndef QUIVER_PYTHON_CONVERT_H_
#define QUIVER_PYTHON_CONVERT_H_

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "quiver/options.h"
#include "quiver/types.h"

namespace quiver::python {

namespace py = pybind11;

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// Vectors given by the caller, as rows of float32 in C order.
struct Matrix {
  FloatArray array;  // the caller's own array when it was float32 and C-contiguous
  size_t rows = 0;
  size_t cols = 0;
  bool one_vector = false;  // the input was 1-D: one vector, not a batch
  const float* row(size_t i) const { return array.data() + i * cols; }
};

// `vectors` (a 1-D vector or a 2-D (n, dimension) array, or anything NumPy turns into one) as a
// Matrix: a float32 C-contiguous array is taken as is, anything else of real or integer numbers
// is converted once. Throws InvalidArgument naming `what`, what was expected and what was found
// (booleans, strings, objects, more than 2 dimensions, another number of columns, no rows).
Matrix AsMatrix(const py::handle& vectors, int dimension, const char* what);

// A Python str from UTF-8 bytes; invalid bytes become U+FFFD.
py::str Text(const std::string& utf8);
// A new 1-D float32 array holding `values`.
py::array_t<float> FloatVector(const std::vector<float>& values);
// (path, begin, end, chunk, content_hash), or None for a record without a source.
py::object SourceTuple(const SourceRef& source);
// (piece, id, begin, end) for each token.
py::list TokenList(const std::vector<Token>& tokens);

// (id, score, text, metadata_json, source, vector, highlights): the fields `fields` does not
// ask for are None, so are highlights unless `highlights`.
py::tuple HitTuple(const Hit& hit, const HitFields& fields, bool highlights);
// (id, vector, text, metadata_json, source) of a stored record.
py::tuple RecordTuple(const Record& record);

// One batch of results, k columns per query (fewer hits are padded: id None, score NaN):
// (ids: object (n, k), scores: float32 (n, k), texts, metadata, sources, highlights as lists of
// per-query lists or None when not asked for, vectors: float32 (n, k, dimension) or None).
py::tuple BatchTuple(const std::vector<std::vector<Hit>>& results, int k, const HitFields& fields,
                     bool highlights, int dimension);

}  // namespace quiver::python

#endif  // QUIVER_PYTHON_CONVERT_H_
