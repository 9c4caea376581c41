// quiver ingest DB PATH... [--chunk-tokens 256] [--overlap 32] [--meta key=value]... [--prune]
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>

#include "cli/common.h"
#include "cli/progress.h"
#include "quiver/tools.h"

namespace quiver::cli {
namespace {

// Parses the --meta key=value pairs.
Result<std::vector<std::pair<std::string, std::string>>> ParseMetaPairs(
    const std::vector<std::string>& pairs) {
  std::vector<std::pair<std::string, std::string>> parsed;
  for (const std::string& pair : pairs) {
    const size_t eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--meta expects key=value; found '" + pair + "'");
    }
    parsed.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
  }
  return parsed;
}

// Says that --analyzer does not apply to an existing database whose analyzer differs.
Status NoteKeptAnalyzer(DB& db, const std::string& path, const po::variables_map& values) {
  if (!values.count("analyzer")) return Status::OK();
  QUIVER_ASSIGN_OR_RETURN(Stats stats, db.GetStats());
  const std::string asked = values["analyzer"].as<std::string>();
  std::string lower = asked;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (stats.analyzer != lower) {
    std::fprintf(stderr,
                 "quiver ingest: %s keeps its analyzer %s; --analyzer %s applies only to a new "
                 "database (`quiver reindex %s --analyzer %s` changes it)\n",
                 path.c_str(), stats.analyzer.c_str(), asked.c_str(), path.c_str(), asked.c_str());
  }
  return Status::OK();
}

// Imports --model into a database that has no model yet; says so when the database keeps
// another one.
Status ImportModelIfAsked(DB& db, const std::string& path, const po::variables_map& values) {
  if (!values.count("model")) return Status::OK();
  const std::string model = values["model"].as<std::string>();
  auto info = db.GetModelInfo();
  if (info.ok()) {
    if (info->source != "model " + model) {
      std::fprintf(stderr,
                   "quiver ingest: %s keeps its model (%s); --model applies only to a database "
                   "without one (`quiver import %s --model %s --replace` changes it)\n",
                   path.c_str(), info->source.c_str(), path.c_str(), model.c_str());
    }
    return Status::OK();
  }
  if (!info.status().IsNotFound()) return info.status();
  ModelImportOptions import;
  import.precision = values["precision"].as<std::string>();
  QUIVER_RETURN_IF_ERROR(db.ImportModel(model, import));
  auto imported = db.GetModelInfo();
  if (imported.ok()) {
    std::fprintf(stderr, "quiver ingest: imported %s\n", imported->architecture.c_str());
  }
  return Status::OK();
}

// Opens the database, creating it with the command line's dimension, metric, index and
// analyzer when the directory does not exist yet.
Result<std::unique_ptr<DB>> OpenOrCreate(const std::string& path, const po::variables_map& values) {
  if (std::filesystem::exists(path)) {
    QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<DB> db, OpenDatabase(values, DbAccess::kReadWrite));
    QUIVER_RETURN_IF_ERROR(NoteKeptAnalyzer(*db, path, values));
    return db;
  }
  Options options;
  if (values.count("analyzer")) options.analyzer = values["analyzer"].as<std::string>();
  options.create_if_missing = true;
  options.dimension = values["dim"].as<int>();
  if (values.count("model")) {
    const std::string model = values["model"].as<std::string>();
    QUIVER_ASSIGN_OR_RETURN(ModelDirectoryInfo info, InspectModelDirectory(model));
    if (!values["dim"].defaulted() && options.dimension != info.dimension) {
      return Status::InvalidArgument("--dim " + std::to_string(options.dimension) +
                                     " disagrees with the " + std::to_string(info.dimension) +
                                     " dimensions of the model " + model);
    }
    options.dimension = info.dimension;
  }
  options.index_spec = values["index"].as<std::string>();
  auto metric = ParseMetric(values["metric"].as<std::string>());
  if (!metric) {
    return Status::InvalidArgument("--metric must be cosine, ip or l2; found '" +
                                   values["metric"].as<std::string>() + "'");
  }
  options.metric = *metric;
  if (options.dimension <= 0) {
    return Status::InvalidArgument("--dim must be > 0; found " + std::to_string(options.dimension));
  }
  auto db = DB::Open(options, path);
  if (db.ok()) {
    std::fprintf(stderr, "quiver ingest: created %s (dimension %d, %s, %s, analyzer %s)\n",
                 path.c_str(), options.dimension, std::string(MetricName(options.metric)).c_str(),
                 options.index_spec.c_str(), options.analyzer.c_str());
  }
  return db;
}

void PrintSummary(const IngestSummary& s) {
  const double mb = s.bytes / 1e6;
  const double seconds = std::max(s.seconds, 1e-9);
  std::printf(
      "ingested %llu file(s): %llu new, %llu replaced, %llu unchanged, %llu skipped; "
      "%llu chunks added, %llu removed; %.1f MB in %.1f s (%.2f MB/s, %.0f chunks/s)\n",
      static_cast<unsigned long long>(s.files_seen), static_cast<unsigned long long>(s.files_added),
      static_cast<unsigned long long>(s.files_replaced),
      static_cast<unsigned long long>(s.files_unchanged),
      static_cast<unsigned long long>(s.files_skipped),
      static_cast<unsigned long long>(s.chunks_added),
      static_cast<unsigned long long>(s.chunks_removed), mb, s.seconds,
      mb / (seconds - s.train_seconds > 0 ? seconds - s.train_seconds : seconds),
      s.chunks_added / (seconds - s.train_seconds > 0 ? seconds - s.train_seconds : seconds));
  if (s.sources_pruned > 0) {
    std::printf("pruned %llu source(s) that disappeared\n",
                static_cast<unsigned long long>(s.sources_pruned));
  }
  if (s.repaired_bytes > 0 || s.skipped_records > 0 || s.empty_chunks > 0) {
    std::printf(
        "repaired %llu invalid UTF-8 byte(s); skipped %llu bad record(s) and %llu chunk(s) "
        "with no known token\n",
        static_cast<unsigned long long>(s.repaired_bytes),
        static_cast<unsigned long long>(s.skipped_records),
        static_cast<unsigned long long>(s.empty_chunks));
  }
}

constexpr const char* kName = "ingest";

constexpr const char* kUsage =
    "ingest DB PATH... [--chunk-tokens 256] [--overlap 32] [--meta k=v] [--prune]";

constexpr const char* kDescription =
    "Reads a collection into the database: every text is cut into chunks of\n"
    "at most --chunk-tokens tokens (at paragraph or sentence ends where it can),\n"
    "embedded with the database's model and indexed for dense and full-text search.\n"
    "Each file is one atomic write, so an interrupted run leaves a consistent\n"
    "database and running it again finishes the job; unchanged files are skipped,\n"
    "changed ones have all their chunks replaced. A database without a model first\n"
    "trains one on the collection (or imports --model's, or reuses --model-from's).\n\n"
    "examples:\n"
    "  quiver ingest docs.db ~/notes --model ~/models/all-MiniLM-L6-v2\n"
    "  quiver ingest docs.db ~/notes                 # a directory, recursively\n"
    "  quiver ingest docs.db papers.jsonl --text-field abstract --meta lang=en\n"
    "  quiver ingest docs.db ~/notes --prune         # also forget deleted files";

po::options_description IngestOptionsDescription() {
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(),
       "database directory (created when missing, with --dim, --metric, --index and "
       "--analyzer)")
      ("paths", po::value<std::vector<std::string>>()->required()->multitoken(),
       "files and directories: .txt .md .jsonl .csv, each optionally .gz")
      ("chunk-tokens", po::value<int>()->default_value(256), "most tokens in one chunk")
      ("overlap", po::value<int>()->default_value(32), "tokens a chunk repeats from the last")
      ("id-field", po::value<std::string>()->default_value("id"),
       ".jsonl field / .csv column with the record's id (else FILE:LINE)")
      ("text-field", po::value<std::string>()->default_value("text"),
       ".jsonl field / .csv column with the record's text")
      ("meta-fields", po::value<std::vector<std::string>>()->multitoken(),
       ".jsonl fields / .csv columns kept as metadata (default: all the others)")
      ("meta", po::value<std::vector<std::string>>()->multitoken(),
       "key=value added to every chunk's metadata (repeatable)")
      ("prune", po::bool_switch(),
       "remove the chunks of files under PATHS that were ingested before and are gone now")
      ("skip-bad", po::bool_switch(), "skip bad .jsonl/.csv records (counted) instead of failing")
      ("text-columns", po::value<std::string>(),
       ".csv columns kept as strings, comma-separated (the others' numbers and true/false "
       "become typed metadata values)")
      ("model", po::value<std::string>(),
       "with no model yet: import this sentence-transformers model directory (a new "
       "database takes its dimension) instead of training one")
      ("precision", po::value<std::string>()->default_value("fp32"),
       "with --model: fp32, bf16 or int8 (see `quiver import --help`)")
      ("model-from", po::value<std::string>()->default_value(""),
       "with no model yet: reuse this database's embedding model instead of training one")
      ("vocab", po::value<int>()->default_value(8000),
       "with no model yet: vocabulary of the tokenizer trained on the collection")
      ("threads", po::value<int>()->default_value(0), "tokenizing threads (0 = one per core)")
      ("dim", po::value<int>()->default_value(256), "new database: vector dimension")
      ("metric", po::value<std::string>()->default_value("cosine"), "new database: metric")
      ("index", po::value<std::string>()->default_value("Flat"),
       "new database: FAISS index (Flat, HNSW32, IVF1024,Flat, ...)")
      ("analyzer", po::value<std::string>(),
       "new database: full-text stemming language (default english; french, german, porter, "
       "none, ...; see `quiver create --help`)");
  // clang-format on
  return options;
}

// The ingest options of the command line (chunking, fields, metadata, model training), without
// the progress callbacks.
Result<IngestOptions> ParseIngestOptions(const po::variables_map& values) {
  IngestOptions ingest;
  ingest.chunk_tokens = values["chunk-tokens"].as<int>();
  ingest.chunk_overlap = values["overlap"].as<int>();
  ingest.id_field = values["id-field"].as<std::string>();
  ingest.text_field = values["text-field"].as<std::string>();
  if (values.count("meta-fields")) {
    ingest.metadata_fields = values["meta-fields"].as<std::vector<std::string>>();
  }
  if (values.count("meta")) {
    QUIVER_ASSIGN_OR_RETURN(ingest.extra_metadata,
                            ParseMetaPairs(values["meta"].as<std::vector<std::string>>()));
  }
  ingest.prune = values["prune"].as<bool>();
  ingest.skip_bad = values["skip-bad"].as<bool>();
  if (values.count("text-columns")) {
    std::stringstream list(values["text-columns"].as<std::string>());
    for (std::string name; std::getline(list, name, ',');) {
      if (!name.empty()) ingest.text_columns.push_back(name);
    }
  }
  ingest.model_from = values["model-from"].as<std::string>();
  ingest.train.vocab_size = values["vocab"].as<int>();
  ingest.threads = values["threads"].as<int>();
  if (ingest.chunk_tokens < 1 || ingest.chunk_overlap < 0 ||
      ingest.chunk_overlap >= ingest.chunk_tokens) {
    return Status::InvalidArgument(
        "need --chunk-tokens >= 1 and 0 <= --overlap < --chunk-tokens; found " +
        std::to_string(ingest.chunk_tokens) + " and " + std::to_string(ingest.chunk_overlap));
  }
  return ingest;
}

// Ingests `paths` with a progress bar on stderr (drawn from the first report, which knows the
// total size) and the library's messages on stderr, each on a line of its own.
Result<IngestSummary> IngestWithProgress(DB& db, const std::vector<std::string>& paths,
                                         IngestOptions ingest) {
  std::optional<ProgressBar> bar;
  ingest.on_progress = [&](const IngestProgress& p) {
    if (!bar) bar.emplace("ingest: " + std::to_string(p.files_total) + " files", p.bytes_total);
    bar->Update(p.bytes_done, p.chunks);
  };
  ingest.on_message = [&](const std::string& message) {
    if (bar) bar->Finish();
    std::fprintf(stderr, "quiver ingest: %s\n", message.c_str());
  };
  auto summary = db.Ingest(paths, ingest);
  if (bar) bar->Finish();
  return summary;
}

}  // namespace

int RunIngest(const std::vector<std::string>& args) {
  po::positional_options_description positional;
  positional.add("db", 1).add("paths", -1);
  auto parsed =
      ParseArgs(kName, kUsage, kDescription, IngestOptionsDescription(), positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto ingest = ParseIngestOptions(values);
  if (!ingest.ok()) return Fail(kName, ingest.status());
  if (values.count("model") && !values["model-from"].as<std::string>().empty()) {
    return Fail(kName, Status::InvalidArgument("give at most one of --model and --model-from"));
  }
  auto db = OpenOrCreate(values["db"].as<std::string>(), values);
  if (!db.ok()) return Fail(kName, db.status());
  Status imported = ImportModelIfAsked(**db, values["db"].as<std::string>(), values);
  if (!imported.ok()) return Fail(kName, imported);
  auto summary =
      IngestWithProgress(**db, values["paths"].as<std::vector<std::string>>(), *std::move(ingest));
  if (!summary.ok()) return Fail(kName, summary.status());
  Status s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  PrintSummary(*summary);
  return kExitOk;
}

}  // namespace quiver::cli
