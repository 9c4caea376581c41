// quiver._quiver.DB: opening, writing, reading and searching a database. The methods take and
// give plain values (str, tuples, NumPy arrays, JSON text); quiver/_db.py makes them Pythonic.
#include <cstring>
#include <memory>
#include <optional>
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

using Handle = std::shared_ptr<DBHandle>;

// keys: create, error_if_exists, read_only, dim, metric, index, tokenizer, analyzer,
// checkpoint_interval, report.
Handle Open(const std::string& path, const py::dict& d) {
  Options options;
  auto flag = [&](const char* key, bool fallback) {
    return d.contains(key) ? d[key].cast<bool>() : fallback;
  };
  options.create_if_missing = flag("create", false);
  options.error_if_exists = flag("error_if_exists", false);
  options.read_only = flag("read_only", false);
  options.report_to_stderr = flag("report", true);
  if (d.contains("dim")) options.dimension = d["dim"].cast<int>();
  if (d.contains("metric")) {
    const std::string name = d["metric"].cast<std::string>();
    const auto metric = ParseMetric(name);
    if (!metric) ThrowInvalid("metric: expected cosine, ip or l2, found \"" + name + "\"");
    options.metric = *metric;
  }
  if (d.contains("index")) options.index_spec = d["index"].cast<std::string>();
  if (d.contains("tokenizer")) options.tokenizer_file = d["tokenizer"].cast<std::string>();
  if (d.contains("analyzer")) options.analyzer = d["analyzer"].cast<std::string>();
  if (d.contains("checkpoint_interval")) {
    options.checkpoint_interval = d["checkpoint_interval"].cast<uint64_t>();
  }
  std::unique_ptr<DB> db;
  int dimension = 0;
  Status status;
  {
    py::gil_scoped_release release;
    auto opened = DB::Open(options, path);
    status = opened.status();
    if (opened.ok()) {
      db = std::move(opened).value();
      auto stats = db->GetStats();
      status = stats.status();
      if (stats.ok()) dimension = stats->dimension;
    }
  }
  ThrowIfError(status);
  return std::make_shared<DBHandle>(std::move(db), dimension);
}

// Upsert(ids, vectors, texts or None, metadata JSON texts or None, writer, sequence) as one
// atomic write; false when the tag (writer, sequence) was already applied.
bool Upsert(DBHandle& h, const py::handle& ids_in, const py::handle& vectors,
            const py::handle& texts_in, const py::handle& metadata_in, const py::handle& writer,
            const py::handle& sequence) {
  const std::optional<WriteTag> tag = ParseWriteTag(writer, sequence);
  std::vector<std::string> ids = StringList(ids_in, "ids");
  const Matrix m = AsMatrix(vectors, h.dimension(), "vectors");
  if (m.rows != ids.size()) {
    ThrowInvalid("vectors: expected one row per id (" + std::to_string(ids.size()) + "), found " +
                 std::to_string(m.rows));
  }
  std::vector<std::string> texts, metadata;
  if (!texts_in.is_none()) texts = StringList(texts_in, "texts");
  if (!metadata_in.is_none()) metadata = StringList(metadata_in, "metadata");
  if (!texts_in.is_none() && texts.size() != ids.size()) {
    ThrowInvalid("texts: expected one per id (" + std::to_string(ids.size()) + "), found " +
                 std::to_string(texts.size()));
  }
  if (!metadata_in.is_none() && metadata.size() != ids.size()) {
    ThrowInvalid("metadata: expected one per id (" + std::to_string(ids.size()) + "), found " +
                 std::to_string(metadata.size()));
  }
  WriteOutcome outcome;
  h.Call([&](DB& db) {
    std::vector<Record> records(ids.size());
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].id = std::move(ids[i]);
      records[i].vector.assign(m.row(i), m.row(i) + m.cols);
      if (!texts.empty()) records[i].text = std::move(texts[i]);
      if (!metadata.empty()) records[i].metadata = std::move(metadata[i]);
    }
    return db.Upsert(records, &outcome, tag ? &*tag : nullptr);
  });
  return !outcome.already_applied;
}

// One vector: a list of hit tuples. A batch (n, d): BatchTuple.
py::object Search(DBHandle& h, const py::handle& vectors, const py::dict& d) {
  const SearchOptions options = ParseSearchOptions(d);
  const Matrix m = AsMatrix(vectors, h.dimension(), "vectors");
  if (m.one_vector) {
    auto hits = h.Call(
        [&](DB& db) { return db.Search(std::span<const float>(m.row(0), m.cols), options); });
    py::list out;
    for (const Hit& hit : hits) out.append(HitTuple(hit, options.fields, false));
    return out;
  }
  auto results = h.Call([&](DB& db) {
    return db.SearchBatch(std::span<const float>(m.array.data(), m.rows * m.cols), options);
  });
  return BatchTuple(results, options.k, options.fields, false, h.dimension());
}

// One text (str): a list of hit tuples. A list of texts: BatchTuple.
py::object Query(DBHandle& h, const py::handle& texts, const py::dict& d) {
  const QueryOptions options = ParseQueryOptions(d);
  if (py::isinstance<py::str>(texts)) {
    const std::string text = texts.cast<std::string>();
    auto hits = h.Call([&](DB& db) { return db.Query(text, options); });
    py::list out;
    for (const Hit& hit : hits) out.append(HitTuple(hit, options.fields, options.highlight));
    return out;
  }
  const std::vector<std::string> list = StringList(texts, "texts");
  auto results = h.Call([&](DB& db) { return db.QueryBatch(list, options); });
  return BatchTuple(results, options.k, options.fields, options.highlight, h.dimension());
}

py::list QueryLike(DBHandle& h, const std::string& id, const py::dict& d) {
  const QueryOptions options = ParseQueryOptions(d);
  auto hits = h.Call([&](DB& db) { return db.QueryLike(id, options); });
  py::list out;
  for (const Hit& hit : hits) out.append(HitTuple(hit, options.fields, options.highlight));
  return out;
}

// The stored records with these ids, in order; None for an id that is not stored.
py::list GetMany(DBHandle& h, const py::handle& ids_in) {
  const std::vector<std::string> ids = StringList(ids_in, "ids");
  std::vector<std::optional<Record>> found(ids.size());
  h.Call([&](DB& db) {
    for (size_t i = 0; i < ids.size(); ++i) {
      auto record = db.Get(ids[i]);
      if (record.ok()) {
        found[i] = std::move(record).value();
      } else if (!record.status().IsNotFound()) {
        return record.status();
      }
    }
    return Status::OK();
  });
  py::list out;
  for (const auto& record : found) {
    out.append(record ? py::object(RecordTuple(*record)) : py::object(py::none()));
  }
  return out;
}

// The ids of the records `where` matches (all with ""), in id order.
py::list Ids(DBHandle& h, const std::string& where) {
  ScanOptions options;
  options.where = where;
  options.with_text = options.with_metadata = options.with_source = options.with_vector = false;
  std::vector<std::string> ids;
  h.Call([&](DB& db) {
    return db.ScanRecords(options, [&](const Record& record) {
      ids.push_back(record.id);
      return Status::OK();
    });
  });
  py::list out;
  for (const std::string& id : ids) out.append(Text(id));
  return out;
}

py::list Sources(DBHandle& h) {
  std::vector<SourceInfo> sources;
  h.Call([&](DB& db) {
    return db.ScanSources([&](const SourceInfo& source) {
      sources.push_back(source);
      return Status::OK();
    });
  });
  py::list out;
  for (const SourceInfo& s : sources) {
    out.append(py::make_tuple(Text(s.path), Text(s.content_hash), s.mtime, s.size, s.chunks));
  }
  return out;
}

py::dict StatsDict(DBHandle& h) {
  const Stats s = h.Call([](DB& db) { return db.GetStats(); });
  py::dict d;
  d["count"] = s.count;
  d["dimension"] = s.dimension;
  d["metric"] = std::string(MetricName(s.metric));
  d["index_spec"] = s.index_spec;
  d["index_trained"] = s.index_trained;
  d["deleted"] = s.deleted;
  d["disk_bytes"] = s.disk_bytes;
  d["last_sequence"] = s.last_sequence;
  d["checkpoint_sequence"] = s.checkpoint_sequence;
  d["distance_kernel"] = s.distance_kernel;
  d["analyzer"] = s.analyzer;
  d["icu_version"] = s.icu_version;
  d["lexical_documents"] = s.lexical_documents;
  d["lexical_terms"] = s.lexical_terms;
  d["lexical_deleted"] = s.lexical_deleted;
  return d;
}

}  // namespace

void BindDB(py::module_& m, DBClass& cls) {
  m.def("open", &Open, py::arg("path"), py::arg("options"),
        "Opens the database at `path` (options: see quiver.open).");
  cls.def_property_readonly("dimension", &DBHandle::dimension)
      .def("upsert", &Upsert, py::arg("ids"), py::arg("vectors"), py::arg("texts"),
           py::arg("metadata"), py::arg("writer") = py::none(), py::arg("sequence") = py::none())
      .def("search", &Search, py::arg("vectors"), py::arg("options"))
      .def("query", &Query, py::arg("texts"), py::arg("options"))
      .def("query_like", &QueryLike, py::arg("id"), py::arg("options"))
      .def("get_many", &GetMany, py::arg("ids"))
      .def("get",
           [](DBHandle& h, const std::string& id) {
             return RecordTuple(h.Call([&](DB& db) { return db.Get(id); }));
           })
      .def(
          "delete",
          [](DBHandle& h, const py::handle& ids_in, const py::handle& writer,
             const py::handle& sequence) {
            const std::optional<WriteTag> tag = ParseWriteTag(writer, sequence);
            const std::vector<std::string> ids = StringList(ids_in, "ids");
            size_t removed = 0;
            h.Call(
                [&](DB& db) { return db.Delete(ids, &removed, nullptr, tag ? &*tag : nullptr); });
            return removed;
          },
          py::arg("ids"), py::arg("writer") = py::none(), py::arg("sequence") = py::none())
      .def("ids", &Ids, py::arg("where"))
      .def("sources", &Sources)
      .def("stats", &StatsDict)
      .def("verify", [](DBHandle& h) { h.Call([](DB& db) { return db.Verify(); }); })
      .def("compact", [](DBHandle& h) { h.Call([](DB& db) { return db.Compact(); }); })
      .def("close", [](DBHandle& h) {
        Status status;
        {
          py::gil_scoped_release release;
          status = h.Close();
        }
        ThrowIfError(status);
      });
}

}  // namespace quiver::python
