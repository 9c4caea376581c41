#include "convert.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "errors.h"

namespace quiver::python {
namespace {

std::string ShapeText(const py::array& array) {
  std::string text = "(";
  for (py::ssize_t i = 0; i < array.ndim(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(array.shape(i));
  }
  return text + (array.ndim() == 1 ? ",)" : ")");
}

std::string TypeName(const py::handle& object) {
  return py::str(py::type::handle_of(object).attr("__name__"));
}

// Replaces the (new, unset or None) entry `slot` of an object array with `value`.
void SetObject(PyObject** slot, py::object value) {
  Py_XDECREF(*slot);
  *slot = value.release().ptr();
}

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

}  // namespace

Matrix AsMatrix(const py::handle& vectors, int dimension, const char* what) {
  const std::string name(what);
  py::array any = py::array::ensure(vectors);
  if (!any) {
    ThrowInvalid(name + ": expected an array of numbers (a vector or an (n, " +
                 std::to_string(dimension) + ") batch), found " + TypeName(vectors) +
                 " that NumPy cannot turn into one");
  }
  const char kind = any.dtype().kind();
  if (kind != 'f' && kind != 'i' && kind != 'u') {
    ThrowInvalid(name + ": expected real numbers, found an array of dtype " +
                 std::string(py::str(any.dtype())));
  }
  Matrix m;
  if (any.ndim() == 1) {
    m.one_vector = true;
    m.rows = 1;
    m.cols = static_cast<size_t>(any.shape(0));
  } else if (any.ndim() == 2) {
    m.rows = static_cast<size_t>(any.shape(0));
    m.cols = static_cast<size_t>(any.shape(1));
  } else {
    ThrowInvalid(name + ": expected one vector of shape (" + std::to_string(dimension) +
                 ",) or a batch of shape (n, " + std::to_string(dimension) +
                 "), found an array of shape " + ShapeText(any));
  }
  if (m.cols != static_cast<size_t>(dimension)) {
    ThrowInvalid(name + ": expected vectors of the database's dimension " +
                 std::to_string(dimension) + ", found an array of shape " + ShapeText(any));
  }
  m.array = FloatArray::ensure(any);
  if (!m.array) ThrowInvalid(name + ": cannot convert the array to float32");
  return m;
}

py::str Text(const std::string& utf8) {
  PyObject* text =
      PyUnicode_DecodeUTF8(utf8.data(), static_cast<Py_ssize_t>(utf8.size()), "replace");
  if (text == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(text);
}

py::array_t<float> FloatVector(const std::vector<float>& values) {
  py::array_t<float> array(static_cast<py::ssize_t>(values.size()));
  if (!values.empty()) {
    std::memcpy(array.mutable_data(), values.data(), values.size() * sizeof(float));
  }
  return array;
}

py::object SourceTuple(const SourceRef& source) {
  if (source.path.empty()) return py::none();
  return py::make_tuple(Text(source.path), source.begin, source.end, source.chunk,
                        Text(source.content_hash));
}

py::list TokenList(const std::vector<Token>& tokens) {
  py::list list;
  for (const Token& token : tokens) {
    list.append(py::make_tuple(Text(token.piece), token.id, token.begin, token.end));
  }
  return list;
}

namespace {

py::list SpanList(const std::vector<TextSpan>& spans) {
  py::list list;
  for (const TextSpan& span : spans) list.append(py::make_tuple(span.begin, span.end));
  return list;
}

}  // namespace

py::tuple HitTuple(const Hit& hit, const HitFields& fields, bool highlights) {
  py::object none = py::none();
  return py::make_tuple(Text(hit.id), hit.score, fields.text ? py::object(Text(hit.text)) : none,
                        fields.metadata ? py::object(Text(hit.metadata)) : none,
                        fields.source ? SourceTuple(hit.source) : none,
                        fields.vector ? py::object(FloatVector(hit.vector)) : none,
                        highlights ? py::object(SpanList(hit.highlights)) : none);
}

py::tuple RecordTuple(const Record& record) {
  py::object vector = py::none();
  if (!record.vector.empty()) vector = FloatVector(record.vector);
  return py::make_tuple(Text(record.id), vector, Text(record.text), Text(record.metadata),
                        SourceTuple(record.source));
}

py::tuple BatchTuple(const std::vector<std::vector<Hit>>& results, int k, const HitFields& fields,
                     bool highlights, int dimension) {
  const auto n = static_cast<py::ssize_t>(results.size());
  const py::ssize_t cols = k;
  py::array ids(py::dtype("O"), std::vector<py::ssize_t>{n, cols});
  py::array_t<float> scores(std::vector<py::ssize_t>{n, cols});
  auto** id_slots = static_cast<PyObject**>(ids.mutable_data());
  float* score_slots = scores.mutable_data();
  py::object vectors = py::none();
  float* vector_slots = nullptr;
  if (fields.vector) {
    py::array_t<float> all(std::vector<py::ssize_t>{n, cols, dimension});
    vector_slots = all.mutable_data();
    std::fill(vector_slots, vector_slots + all.size(), kNaN);
    vectors = all;
  }
  py::list texts, metadata, sources, spans;
  for (py::ssize_t q = 0; q < n; ++q) {
    const std::vector<Hit>& hits = results[q];
    py::list text_row, metadata_row, source_row, span_row;
    for (py::ssize_t j = 0; j < cols; ++j) {
      const size_t at = static_cast<size_t>(q * cols + j);
      if (static_cast<size_t>(j) >= hits.size()) {
        SetObject(&id_slots[at], py::none());
        score_slots[at] = kNaN;
        continue;
      }
      const Hit& hit = hits[j];
      SetObject(&id_slots[at], Text(hit.id));
      score_slots[at] = hit.score;
      if (fields.text) text_row.append(Text(hit.text));
      if (fields.metadata) metadata_row.append(Text(hit.metadata));
      if (fields.source) source_row.append(SourceTuple(hit.source));
      if (highlights) span_row.append(SpanList(hit.highlights));
      if (vector_slots != nullptr && hit.vector.size() == static_cast<size_t>(dimension)) {
        std::memcpy(vector_slots + at * dimension, hit.vector.data(), dimension * sizeof(float));
      }
    }
    texts.append(text_row);
    metadata.append(metadata_row);
    sources.append(source_row);
    spans.append(span_row);
  }
  py::object none = py::none();
  return py::make_tuple(ids, scores, fields.text ? py::object(texts) : none,
                        fields.metadata ? py::object(metadata) : none,
                        fields.source ? py::object(sources) : none, vectors,
                        highlights ? py::object(spans) : none);
}

}  // namespace quiver::python
