// Ingest and query harness: end-to-end DB::Ingest throughput and DB::Query latency.
//
// The collection is the Brown corpus (.cache/testdata/brown.txt from
// scripts/fetch_test_data.sh, one paragraph per line) written as JSONL records
//   {"id": "p<copy>-<line>", "text": <paragraph>, "copy": <copy>, "genre": "<line % 5>"}
// repeated over --copies copies (default 2: 2 x 57,340 paragraphs, each one chunk at
// --chunk-tokens 256 but one, so 114,682 chunks), each copy split into --files-per-copy files
// of consecutive paragraphs (default 1; Ingest writes each file in one atomic write). A fresh
// database (cosine, Flat, --dim 256) ingests copy 0 first, which trains its embedding model on copy
// 0 (timed apart), then the other copies. Reported:
//   train    IngestSummary::train_seconds of the first Ingest;
//   ingest   MB/s of text (IngestSummary::bytes, the records' text) and of JSONL file bytes,
//            and chunks/s, over the Ingest wall time less training, all copies together and per
//            phase (copy 0 after training, the remaining copies);
//   RSS      peak resident set (getrusage ru_maxrss) after training, after copy 0, after
//            ingest, at the end;
//   query    --queries texts (the first 3-8 words of paragraphs sampled with --seed), each run
//            once per mode, single-threaded caller, no warm-up: p50/p90/p99/mean/max latency in
//            ms for bm25, dense, hybrid, and hybrid with two metadata filters,
//            {"genre": "3"} (20% of the records) and {"copy": 0, "genre": "1"} (10% at 2
//            copies). Every filtered hit is checked against its filter.
//
// Usage: query_harness [--copies=2] [--files-per-copy=1] [--queries=1000] [--k=10] [--dim=256]
//   [--chunk-tokens=256] [--threads=0] [--seed=1] [--corpus=PATH] [--dir=DIR]
// --threads is IngestOptions::threads (0 = one per core). Without --dir the database and the
// collection live in a temporary directory removed at the end; with --dir they are kept there
// (the directory must not hold a database yet). Exit status 0 when every step worked (targets
// missed still exit 0), 1 on an engine error or a filtered hit that does not match.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "quiver/db.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Flags {
  int copies = 2;
  int files_per_copy = 1;
  size_t queries = 1000;
  int k = 10;
  int dim = 256;
  int chunk_tokens = 256;
  int threads = 0;
  uint64_t seed = 1;
  std::string corpus;
  std::string dir;
};

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string DefaultCorpus() {
  if (const char* env = std::getenv("QUIVER_TEST_DATA_CACHE")) {
    return std::string(env) + "/brown.txt";
  }
  return (fs::path(__FILE__).parent_path().parent_path() / ".cache/testdata/brown.txt").string();
}

constexpr char kUsage[] =
    "usage: query_harness [--copies=N] [--files-per-copy=F] [--queries=Q] [--k=K] [--dim=D] "
    "[--chunk-tokens=T] "
    "[--threads=T] [--seed=S] [--corpus=PATH] [--dir=DIR]\n";

// Parses --name=value flags; exits with the usage line on anything unknown.
Flags ParseFlags(int argc, char** argv) {
  Flags f;
  f.corpus = DefaultCorpus();
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, Setter> setters = {
      {"--copies", [&](const std::string& v) { f.copies = std::max(1, std::stoi(v)); }},
      {"--files-per-copy",
       [&](const std::string& v) { f.files_per_copy = std::max(1, std::stoi(v)); }},
      {"--queries", [&](const std::string& v) { f.queries = std::stoull(v); }},
      {"--k", [&](const std::string& v) { f.k = std::stoi(v); }},
      {"--dim", [&](const std::string& v) { f.dim = std::stoi(v); }},
      {"--chunk-tokens", [&](const std::string& v) { f.chunk_tokens = std::stoi(v); }},
      {"--threads", [&](const std::string& v) { f.threads = std::stoi(v); }},
      {"--seed", [&](const std::string& v) { f.seed = std::stoull(v); }},
      {"--corpus", [&](const std::string& v) { f.corpus = v; }},
      {"--dir", [&](const std::string& v) { f.dir = v; }},
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    auto it = setters.find(arg.substr(0, eq));
    if (it == setters.end() || eq == std::string::npos) {
      std::fprintf(stderr, "bad flag %s\n%s", arg.c_str(), kUsage);
      std::exit(2);
    }
    it->second(arg.substr(eq + 1));
  }
  return f;
}

[[noreturn]] void Die(const std::string& what, const quiver::Status& s) {
  std::fprintf(stderr, "query_harness: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

// Writes copy `copy` of the paragraphs as JSONL into `parts` files of consecutive paragraphs
// under `dir`; appends their paths to `paths` and returns the paragraph text bytes written.
uint64_t WriteCopy(const std::vector<std::string>& lines, int copy, int parts, const fs::path& dir,
                   std::vector<std::string>* paths) {
  std::ofstream out;
  uint64_t text_bytes = 0;
  const size_t per_part = (lines.size() + parts - 1) / parts;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i % per_part == 0) {
      if (out.is_open()) out.close();
      if (!out) break;
      paths->push_back((dir / ("copy-" + std::to_string(copy) + "-part-" +
                               std::to_string(i / per_part) + ".jsonl"))
                           .string());
      out.open(paths->back(), std::ios::binary);
    }
    if (lines[i].empty()) continue;
    nlohmann::json record = {{"id", "p" + std::to_string(copy) + "-" + std::to_string(i)},
                             {"text", lines[i]},
                             {"copy", copy},
                             {"genre", std::to_string(i % 5)}};
    out << record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    text_bytes += lines[i].size();
  }
  if (out.is_open()) out.close();
  if (!out) {
    std::fprintf(stderr, "query_harness: cannot write %s\n", paths->back().c_str());
    std::exit(1);
  }
  return text_bytes;
}

// The first 3-8 words of `count` paragraphs sampled with `seed` (fewer words when the
// paragraph is shorter).
std::vector<std::string> MakeQueries(const std::vector<std::string>& lines, size_t count,
                                     uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, lines.size() - 1);
  std::uniform_int_distribution<int> words(3, 8);
  std::vector<std::string> queries;
  while (queries.size() < count) {
    std::istringstream in(lines[pick(rng)]);
    const int n = words(rng);
    std::string query, word;
    for (int w = 0; w < n && (in >> word); ++w) query += (w ? " " : "") + word;
    if (!query.empty()) queries.push_back(std::move(query));
  }
  return queries;
}

struct Latency {
  double p50 = 0, p90 = 0, p99 = 0, mean = 0, max = 0;
};

Latency Summarize(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    const size_t i = std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()));
    return ms[i];
  };
  Latency l;
  double sum = 0;
  for (double v : ms) sum += v;
  l.p50 = at(0.50);
  l.p90 = at(0.90);
  l.p99 = at(0.99);
  l.mean = sum / ms.size();
  l.max = ms.back();
  return l;
}

struct QueryCase {
  std::string name;
  quiver::QueryMode mode;
  std::string where;
  nlohmann::json expect;  // metadata every hit must carry (filtered cases)
};

struct IngestTotals {
  uint64_t text_bytes = 0;    // IngestSummary::bytes: the records' text
  uint64_t source_bytes = 0;  // the JSONL files
  uint64_t chunks = 0;
  double seconds = 0;  // less training
};

void PrintIngestRow(const std::string& name, const IngestTotals& t) {
  std::printf("| %s | %.2f | %.2f | %llu | %.1f | %.0f |\n", name.c_str(),
              t.text_bytes / 1e6 / t.seconds, t.source_bytes / 1e6 / t.seconds,
              static_cast<unsigned long long>(t.chunks), t.seconds, t.chunks / t.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  const Flags f = ParseFlags(argc, argv);
  const std::vector<std::string> lines = ReadLines(f.corpus);
  if (lines.empty()) {
    std::fprintf(stderr, "query_harness: %s is missing or empty (scripts/fetch_test_data.sh)\n",
                 f.corpus.c_str());
    return 1;
  }

  const bool temporary = f.dir.empty();
  fs::path root = f.dir;
  if (temporary) {
    std::string pattern = (fs::temp_directory_path() / "query_harness.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    root = pattern;
  }
  const fs::path collection = root / "collection";
  const fs::path db_path = root / "db";
  fs::create_directories(collection);

  std::printf(
      "query_harness: corpus=%s copies=%d files_per_copy=%d queries=%zu k=%d dim=%d "
      "chunk_tokens=%d "
      "threads=%d seed=%llu cores=%ld\n",
      f.corpus.c_str(), f.copies, f.files_per_copy, f.queries, f.k, f.dim, f.chunk_tokens,
      f.threads, static_cast<unsigned long long>(f.seed), sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("load average at start: %s\n", LoadAverage().c_str());
  std::fflush(stdout);

  std::vector<std::vector<std::string>> files(f.copies);  // per copy
  std::vector<uint64_t> text_bytes;
  auto file_bytes = [](const std::vector<std::string>& paths) {
    uint64_t total = 0;
    for (const std::string& path : paths) total += fs::file_size(path);
    return total;
  };
  for (int c = 0; c < f.copies; ++c) {
    text_bytes.push_back(WriteCopy(lines, c, f.files_per_copy, collection, &files[c]));
  }

  quiver::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.dimension = f.dim;
  options.metric = quiver::Metric::kCosine;
  options.index_spec = "Flat";
  auto opened = quiver::DB::Open(options, db_path.string());
  if (!opened.ok()) Die("open " + db_path.string(), opened.status());
  std::unique_ptr<quiver::DB> db = std::move(*opened);

  quiver::IngestOptions ingest;
  ingest.chunk_tokens = f.chunk_tokens;
  ingest.threads = f.threads;
  // Ingest reports "trained the embedding model in ..." between training and ingesting.
  double rss_after_train = 0;
  ingest.on_message = [&](const std::string& message) {
    if (message.starts_with("trained the embedding model")) rss_after_train = PeakRssMiB();
  };

  // Copy 0: trains the model, then ingests.
  IngestTotals first, rest;
  double train_seconds = 0;
  double rss_after_copy0 = 0;
  {
    auto summary = db->Ingest(files[0], ingest);
    if (!summary.ok()) Die("ingest of copy 0", summary.status());
    if (!summary->trained_model) {
      std::fprintf(stderr, "query_harness: the first ingest did not train a model\n");
      return 1;
    }
    train_seconds = summary->train_seconds;
    rss_after_copy0 = PeakRssMiB();
    first = {summary->bytes, file_bytes(files[0]), summary->chunks_added,
             summary->seconds - summary->train_seconds};
    std::fprintf(stderr, "copy 0: %llu chunks, %.1f s (training %.1f s)\n",
                 static_cast<unsigned long long>(summary->chunks_added), summary->seconds,
                 summary->train_seconds);
  }
  for (int c = 1; c < f.copies; ++c) {
    auto summary = db->Ingest(files[c], ingest);
    if (!summary.ok()) Die("ingest of copy " + std::to_string(c), summary.status());
    rest.text_bytes += summary->bytes;
    rest.source_bytes += file_bytes(files[c]);
    rest.chunks += summary->chunks_added;
    rest.seconds += summary->seconds - summary->train_seconds;
    std::fprintf(stderr, "copy %d: %llu chunks, %.1f s\n", c,
                 static_cast<unsigned long long>(summary->chunks_added), summary->seconds);
  }
  const double rss_after_ingest = PeakRssMiB();
  const IngestTotals all = {first.text_bytes + rest.text_bytes,
                            first.source_bytes + rest.source_bytes, first.chunks + rest.chunks,
                            first.seconds + rest.seconds};
  auto stats = db->GetStats();
  if (!stats.ok()) Die("stats", stats.status());
  auto model = db->GetModelInfo();
  if (!model.ok()) Die("model info", model.status());
  std::printf("load average after ingest: %s\n", LoadAverage().c_str());
  std::fflush(stdout);

  std::printf("\n| ingest | MB/s text | MB/s JSONL | chunks | seconds | chunks/s |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  PrintIngestRow("copy 0 (after training)", first);
  if (f.copies > 1) PrintIngestRow("copies 1.." + std::to_string(f.copies - 1), rest);
  PrintIngestRow("**all copies**", all);
  std::printf(
      "\nmodel: %s, %s vocab %lld, dim %d, %s pooling; training %.1f s on copy 0 "
      "(%.2f MB of text)\n",
      model->source.c_str(), model->tokenizer_kind.c_str(),
      static_cast<long long>(model->vocab_size), model->dimension, model->pooling.c_str(),
      train_seconds, text_bytes[0] / 1e6);
  std::printf("database: %llu records, %s, %s kernel, %.1f MB on disk\n",
              static_cast<unsigned long long>(stats->count), stats->index_spec.c_str(),
              stats->distance_kernel.c_str(), stats->disk_bytes / 1e6);
  std::printf("peak RSS: %.0f MiB after training, %.0f MiB after copy 0, %.0f MiB after ingest\n",
              rss_after_train, rss_after_copy0, rss_after_ingest);

  const std::vector<std::string> queries = MakeQueries(lines, f.queries, f.seed);
  const std::vector<QueryCase> cases = {
      {"bm25", quiver::QueryMode::kBm25, "", nullptr},
      {"dense", quiver::QueryMode::kDense, "", nullptr},
      {"hybrid", quiver::QueryMode::kHybrid, "", nullptr},
      {"hybrid, where {\"genre\": \"3\"}",
       quiver::QueryMode::kHybrid,
       R"({"genre": "3"})",
       {{"genre", "3"}}},
      {"hybrid, where {\"copy\": 0, \"genre\": \"1\"}",
       quiver::QueryMode::kHybrid,
       R"({"copy": 0, "genre": "1"})",
       {{"copy", 0}, {"genre", "1"}}},
  };
  if (!queries.empty()) {
    std::printf(
        "\n| query (%zu queries, k=%d) | p50 ms | p90 ms | p99 ms | mean ms | max ms | "
        "hits/query |\n",
        queries.size(), f.k);
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
  }
  bool mismatch = false;
  for (const QueryCase& qc : cases) {
    if (queries.empty()) break;
    quiver::QueryOptions qo;
    qo.k = f.k;
    qo.mode = qc.mode;
    qo.where = qc.where;
    std::vector<double> ms;
    ms.reserve(queries.size());
    uint64_t hits = 0;
    for (const std::string& q : queries) {
      const auto start = Clock::now();
      auto result = db->Query(q, qo);
      ms.push_back(Since(start) * 1e3);
      if (!result.ok()) Die("query '" + q + "' (" + qc.name + ")", result.status());
      hits += result->size();
      if (qc.expect.is_null()) continue;
      for (const quiver::Hit& hit : *result) {
        const auto meta = nlohmann::json::parse(hit.metadata, nullptr, false);
        for (const auto& [key, value] : qc.expect.items()) {
          if (!meta.is_object() || !meta.contains(key) || meta[key] != value) {
            std::fprintf(stderr, "query_harness: %s: hit %s has metadata %s\n", qc.name.c_str(),
                         hit.id.c_str(), hit.metadata.c_str());
            mismatch = true;
          }
        }
      }
    }
    const Latency l = Summarize(ms);
    std::printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f |\n", qc.name.c_str(), l.p50, l.p90,
                l.p99, l.mean, l.max, static_cast<double>(hits) / queries.size());
    std::fflush(stdout);
  }
  std::printf("\npeak RSS at the end: %.0f MiB; load average: %s\n", PeakRssMiB(),
              LoadAverage().c_str());

  const quiver::Status closed = db->Close();
  if (!closed.ok()) Die("close", closed);
  db.reset();
  if (temporary) {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  return mismatch ? 1 : 0;
}
