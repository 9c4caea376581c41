// quiver ingest DB PATH... [--chunk-tokens 256] [--overlap 32] [--meta key=value]... [--prune]
#include <cctype>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>

#include "cli/common.h"
#include "cli/progress.h"
#include "cli/snippet.h"
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

// The summary: every file met is counted once, and the size is the progress display's total.
void PrintSummary(const IngestSummary& s, bool verbose) {
  const double seconds = std::max(s.seconds, 1e-9);
  const double ingest_seconds = seconds - s.train_seconds > 0 ? seconds - s.train_seconds : seconds;
  std::printf(
      "ingested %llu file(s): %llu new, %llu replaced, %llu unchanged, %llu skipped; "
      "%llu chunks added, %llu replaced, %llu removed; %s in %.1f s (%.2f MB/s, %.0f "
      "chunks/s)\n",
      static_cast<unsigned long long>(s.files_seen), static_cast<unsigned long long>(s.files_added),
      static_cast<unsigned long long>(s.files_replaced),
      static_cast<unsigned long long>(s.files_unchanged),
      static_cast<unsigned long long>(s.files_skipped),
      static_cast<unsigned long long>(s.chunks_added),
      static_cast<unsigned long long>(s.chunks_replaced),
      static_cast<unsigned long long>(s.chunks_removed), FormatMegabytes(s.source_bytes).c_str(),
      s.seconds, s.source_bytes / 1e6 / ingest_seconds,
      (s.chunks_added + s.chunks_replaced) / ingest_seconds);
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
  if (verbose) {
    for (const SkippedFile& skipped : s.skipped) {
      std::printf("skipped %s: %s\n", TerminalText(skipped.path).c_str(),
                  TerminalText(skipped.reason).c_str());
    }
  } else if (!s.skipped.empty()) {
    std::printf("(--verbose lists the skipped files and why)\n");
  }
}

constexpr const char* kName = "ingest";

constexpr const char* kUsage =
    "ingest DB PATH... [--chunk-tokens 256] [--overlap 32] [--meta k=v] [--prune] [--verbose]";

constexpr const char* kDescription =
    "Reads a collection into the database: every text is cut into chunks of\n"
    "at most --chunk-tokens tokens (at paragraph or sentence ends where it can),\n"
    "embedded with the database's model and indexed for dense and full-text search.\n"
    "Each file is one atomic write, so an interrupted run (Ctrl-C, exit 130) leaves a\n"
    "consistent database and running it again finishes the job; unchanged files are skipped,\n"
    "changed ones have all their chunks replaced. A database without a model first\n"
    "trains one on the collection (or imports --model's, or reuses --model-from's).\n"
    "On a terminal, a progress line shows each phase (training, reading, embedding,\n"
    "committing). A first ingest that fails leaves no database behind.\n\n"
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
       "files and directories: every text file found is read (.jsonl and .csv as records, "
       "the rest, README or .rst or source code alike, as plain text; each optionally .gz); "
       "binary and hidden files are skipped and counted")
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
      ("verbose,v", po::bool_switch(), "list every skipped file with the reason")
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

volatile std::sig_atomic_t g_interrupted = 0;

// The first SIGINT asks the ingest to stop at its next step; a second one kills as usual.
void OnInterrupt(int) {
  g_interrupted = 1;
  std::signal(SIGINT, SIG_DFL);
}

bool IsTraining(IngestPhase phase) {
  return phase == IngestPhase::kTrainingTokenizer || phase == IngestPhase::kTrainingModel;
}

// A progress frame for `p`: a training phase shows its own progress; reading, embedding and
// committing show the whole run's bytes (the summary's size), files and chunks.
ProgressFrame FrameOf(const IngestProgress& p) {
  ProgressFrame frame{std::string(IngestPhaseName(p.phase)), p.done, p.total, std::string(p.unit),
                      ""};
  if (IsTraining(p.phase)) return frame;
  frame.done = p.bytes_done;
  frame.total = p.bytes_total;
  frame.unit = "bytes";
  frame.note = std::to_string(p.files_done) + "/" + std::to_string(p.files_total) + " files, " +
               std::to_string(p.chunks) + " chunks";
  if (p.phase == IngestPhase::kEmbedding && p.total > 0 && p.done < p.total) {
    frame.note += " (this file: " + std::to_string(p.done) + "/" + std::to_string(p.total) + ")";
  }
  return frame;
}

// How an ingest ended for the command: its summary or error, and the last progress seen.
struct IngestRun {
  Result<IngestSummary> summary = Status::Cancelled("not run");
  IngestProgress last;
  bool interrupted = false;  // by SIGINT
};

// Ingests `paths` with a progress display on stderr and the library's messages on stderr, each
// on a line of its own. SIGINT stops it at the next step.
IngestRun IngestWithProgress(DB& db, const std::vector<std::string>& paths, IngestOptions ingest) {
  IngestRun run;
  ProgressBar bar("ingest", 0);
  std::string stage;  // the phase (training) or "ingest" whose rate the display measures
  ingest.on_progress = [&](const IngestProgress& p) {
    run.last = p;
    const std::string now = IsTraining(p.phase)
                                ? std::string(IngestPhaseName(p.phase)) + std::string(p.unit)
                                : "ingest";
    if (now != stage) bar.Restart();
    stage = now;
    bar.Show(FrameOf(p));
    return g_interrupted == 0;
  };
  ingest.on_message = [&](const std::string& message) {
    bar.Finish();
    std::fprintf(stderr, "quiver ingest: %s\n", TerminalText(message).c_str());
  };
  g_interrupted = 0;
  auto previous = std::signal(SIGINT, OnInterrupt);
  run.summary = db.Ingest(paths, ingest);
  std::signal(SIGINT, previous == SIG_ERR ? SIG_DFL : previous);
  run.interrupted = g_interrupted != 0 && run.summary.status().IsCancelled();
  bar.Finish();
  return run;
}

// Whether the interrupted `run` stored anything: a file, or the model it trained.
bool StoredAnything(const IngestRun& run) {
  return run.last.files_done > 0 || !IsTraining(run.last.phase);
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
  const std::string path = values["db"].as<std::string>();
  std::error_code ec;
  const bool created = !std::filesystem::exists(path, ec) && !ec;
  auto db = OpenOrCreate(path, values);
  if (!db.ok()) return Fail(kName, db.status());
  // A database this command created is removed when the command fails, or is interrupted
  // before storing anything worth keeping: a failed first ingest leaves no database behind.
  auto discard = [&](bool keep) {
    if (!created || keep) return;
    db->reset();
    std::filesystem::remove_all(path, ec);
  };
  auto fail = [&](const Status& status, bool keep) {
    discard(keep);
    return Fail(kName, status);
  };
  Status imported = ImportModelIfAsked(**db, path, values);
  if (!imported.ok()) return fail(imported, false);
  IngestRun run =
      IngestWithProgress(**db, values["paths"].as<std::vector<std::string>>(), *std::move(ingest));
  if (run.interrupted) {
    const bool keep = StoredAnything(run);
    Status closed = (*db)->Close();
    if (!closed.ok()) return fail(closed, keep);
    discard(keep);
    std::fprintf(stderr, "quiver ingest: interrupted: %llu files committed, rerun to finish\n",
                 static_cast<unsigned long long>(run.last.files_done));
    return kExitInterrupted;
  }
  if (!run.summary.ok()) return fail(run.summary.status(), false);
  Status s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  PrintSummary(*run.summary, values["verbose"].as<bool>());
  return kExitOk;
}

}  // namespace quiver::cli
