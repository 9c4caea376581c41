// The parts of the quiver._quiver module, each binding one concern (module.cc puts them
// together).
#ifndef QUIVER_PYTHON_BINDINGS_H_
#define QUIVER_PYTHON_BINDINGS_H_

#include <pybind11/pybind11.h>

#include <memory>

#include "handle.h"

namespace quiver::python {

namespace py = pybind11;
using DBClass = py::class_<DBHandle, std::shared_ptr<DBHandle>>;

// db.cc: open, upsert, search, query, get, delete, scans, stats, verify, compact, close.
void BindDB(py::module_& m, DBClass& cls);
// models.cc: train, imports, embed, tokenize, neighbors, model_info, reembed, reindex, and the
// module-level tokenize_file.
void BindModels(py::module_& m, DBClass& cls);
// shards.cc: write_sequence, term_statistics, train_index, index_training, set_index_training.
void BindShards(DBClass& cls);
// ingest.cc: ingest with progress and Ctrl-C.
void BindIngest(DBClass& cls);

}  // namespace quiver::python

#endif  // QUIVER_PYTHON_BINDINGS_H_
