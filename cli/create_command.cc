// quiver create DB --dim N [--metric cosine|ip|l2] [--index SPEC] [--analyzer LANG]
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {

int RunCreate(const std::vector<std::string>& args) {
  constexpr const char* kName = "create";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory (must not exist)")
      ("dim", po::value<int>()->required(), "vector dimension, e.g. 384")
      ("metric", po::value<std::string>()->default_value("cosine"),
       "cosine (similarity, higher is closer), ip (inner product) or l2 (squared distance)")
      ("index", po::value<std::string>()->default_value("Flat"),
       "FAISS index: Flat (exact), HNSW32 (fast approximate), IVF1024,Flat or IVF1024,PQ16 "
       "(trained once enough vectors are stored; exact search until then). HNSW takes "
       "parameters after its spec, e.g. HNSW32,efC=200,ef=64 (see below)")
      ("tokenizer", po::value<std::string>()->default_value(""),
       "a tokenizer to keep in the database: sentencepiece .model, Hugging Face "
       "tokenizer.json, or a word list (.txt/.vocab); `quiver tokenize DB TEXT` then uses it")
      ("analyzer", po::value<std::string>()->default_value(Options{}.analyzer),
       "full-text stemming language: a Snowball language (english, french, german, spanish, "
       "russian, porter, ...) or none; `quiver reindex` changes it later");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed =
      ParseArgs(kName,
                "create DB --dim N [--metric cosine|ip|l2] [--index SPEC] [--tokenizer FILE] "
                "[--analyzer LANG]",
                "Creates an empty database directory. Dimension, metric and index\n"
                "are fixed for the life of the database; the full-text analyzer's\n"
                "language is kept until `quiver reindex` changes it.\n"
                "\n"
                "HNSW parameters (HNSW<M>[,efC=N][,ef=N]):\n"
                "  M     links per node (the number in HNSW32): more links, better recall\n"
                "        at a given ef, more memory (M x 8 bytes a vector) and slower adds.\n"
                "  efC=  candidates kept while linking a new vector (default 40): higher\n"
                "        builds a better graph (higher recall at every ef), adds slower.\n"
                "  ef=   default search candidate list (default 64; `search --ef` and\n"
                "        SearchOptions::ef_search override it per query): higher finds\n"
                "        more of the true neighbours, each search costs about ef steps.\n"
                "  e.g.  --index HNSW16,efC=200,ef=32 (hnswlib's defaults, fast),\n"
                "        --index HNSW32,efC=200,ef=128 (high recall).",
                options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  const std::string metric_name = values["metric"].as<std::string>();
  auto metric = ParseMetric(metric_name);
  if (!metric) {
    return Fail(kName, Status::InvalidArgument("--metric must be cosine, ip or l2; found '" +
                                               metric_name + "'"));
  }
  Options db_options;
  db_options.create_if_missing = true;
  db_options.error_if_exists = true;
  db_options.dimension = values["dim"].as<int>();
  db_options.metric = *metric;
  db_options.index_spec = values["index"].as<std::string>();
  db_options.tokenizer_file = values["tokenizer"].as<std::string>();
  db_options.analyzer = values["analyzer"].as<std::string>();
  if (db_options.dimension <= 0) {
    return Fail(kName, Status::InvalidArgument("--dim must be > 0; found " +
                                               std::to_string(db_options.dimension)));
  }
  const std::string path = values["db"].as<std::string>();
  auto db = DB::Open(db_options, path);
  if (!db.ok()) return Fail(kName, db.status());
  auto stats = (*db)->GetStats();
  if (!stats.ok()) return Fail(kName, stats.status());
  Status s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  std::printf("created %s: dimension %d, metric %s, index %s, analyzer %s\n", path.c_str(),
              db_options.dimension, std::string(MetricName(*metric)).c_str(),
              db_options.index_spec.c_str(), stats->analyzer.c_str());
  return kExitOk;
}

}  // namespace quiver::cli
