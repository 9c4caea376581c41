// quiver._quiver.DB's hooks for sharded collections (quiver.cluster): the highest applied write
// sequence of a writer, BM25 statistics, and the shared index training. Tagged upsert and
// delete are in db.cc with the untagged ones.
#include <span>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "errors.h"
#include "handle.h"
#include "options.h"

namespace quiver::python {
namespace {

// (documents, total_length, {clause: df}, constrained): what ParseStatistics reads back.
py::tuple StatisticsTuple(const CorpusStatistics& statistics) {
  py::dict frequencies;
  for (const auto& [key, df] : statistics.frequencies) frequencies[Text(key)] = df;
  return py::make_tuple(statistics.documents, statistics.total_length, frequencies,
                        statistics.constrained);
}

// One str or a list of them.
std::vector<std::string> Texts(const py::handle& texts) {
  if (py::isinstance<py::str>(texts)) return {texts.cast<std::string>()};
  return StringList(texts, "texts");
}

}  // namespace

void BindShards(DBClass& cls) {
  cls.def(
         "write_sequence",
         [](DBHandle& h, const std::string& writer) {
           return h.Call([&](DB& db) { return db.LastWriteSequence(writer); });
         },
         py::arg("writer"))
      .def(
          "term_statistics",
          [](DBHandle& h, const py::handle& texts_in) {
            const std::vector<std::string> texts = Texts(texts_in);
            return StatisticsTuple(h.Call([&](DB& db) { return db.TermStatistics(texts); }));
          },
          py::arg("texts"))
      .def(
          "train_index",
          [](DBHandle& h, const py::handle& sample) {
            const Matrix m = AsMatrix(sample, h.dimension(), "sample");
            h.Call([&](DB& db) {
              return db.TrainIndex(std::span<const float>(m.array.data(), m.rows * m.cols));
            });
          },
          py::arg("sample"))
      .def("index_training",
           [](DBHandle& h) {
             const std::string bytes = h.Call([](DB& db) { return db.IndexTraining(); });
             return py::bytes(bytes);
           })
      .def(
          "set_index_training",
          [](DBHandle& h, const py::bytes& data) {
            const std::string bytes = data;
            h.Call([&](DB& db) { return db.SetIndexTraining(bytes); });
          },
          py::arg("data"));
}

}  // namespace quiver::python
