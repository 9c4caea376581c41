// Engine options from the keyword arguments the pure-Python package passes down as dicts
// (quiver/_db.py documents them); unknown values are InvalidArgument naming what was expected.
#ifndef QUIVER_PYTHON_OPTIONS_H_
#define QUIVER_PYTHON_OPTIONS_H_

#include <pybind11/pybind11.h>

#include <optional>
#include <string>
#include <vector>

#include "quiver/options.h"

namespace quiver::python {

namespace py = pybind11;

// A sequence of names among "text", "metadata", "source", "vector".
HitFields ParseFields(const py::handle& names);
// keys: k, where, ef_search, nprobe, fields.
SearchOptions ParseSearchOptions(const py::dict& d);
// keys: k, mode, where, fusion, dense_weight, fusion_depth, rrf_k, bm25_k1, bm25_b, highlight,
// ef_search, nprobe, fields, statistics (see ParseStatistics; None: the database's own).
QueryOptions ParseQueryOptions(const py::dict& d);
// (documents, total_length, {clause: df}, constrained), as quiver.TermStatistics passes it.
CorpusStatistics ParseStatistics(const py::handle& value);
// A write tag from upsert/delete's writer and sequence: none when both are None;
// InvalidArgument when only one is given, the writer is not a non-empty str or the sequence
// not an int > 0.
std::optional<WriteTag> ParseWriteTag(const py::handle& writer, const py::handle& sequence);
// kReplace when `replace`, else kRefuse.
ExistingModel Existing(bool replace);
// keys: vocab_size, window, seed, tokenizer_sentences, case_fold, replace.
TrainOptions ParseTrainOptions(const py::dict& d);
// A list of str (`what` names the argument in errors).
std::vector<std::string> StringList(const py::handle& items, const char* what);

}  // namespace quiver::python

#endif  // QUIVER_PYTHON_OPTIONS_H_
