// quiver._quiver.DB's hooks for sharded collections (quiver.cluster): BM25 statistics.
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
      "term_statistics",
      [](DBHandle& h, const py::handle& texts_in) {
        const std::vector<std::string> texts = Texts(texts_in);
        return StatisticsTuple(h.Call([&](DB& db) { return db.TermStatistics(texts); }));
      },
      py::arg("texts"));
}

}  // namespace quiver::python
