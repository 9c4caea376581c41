// Engine harness: what quiver::DB costs on top of FAISS.
//
// On n x dim low-rank synthetic vectors (bench/common/dataset.h; default 100k x 384, rank 32)
// with the cosine metric, for each index spec (default Flat and HNSW32) it measures:
//   add      vectors/s through DB::Upsert in batches of --batch (default 1000) records,
//            each batch one synced atomic write, checkpoints included as the engine does them;
//   search   single-query DB::Search QPS and recall@k against exact results, next to raw FAISS
//            (faiss::index_factory with the same spec, inner product on normalized vectors,
//            same vectors added in the same batches, same queries, same loop, same
//            efSearch and thread count); engine QPS / raw QPS per repetition;
//   reopen   DB::Open after Close (checkpoint load + oplog replay), checked not to rebuild:
//            Open's stderr is captured and must not mention "rebuilding".
// Exact ground truth: FAISS brute force on normalized vectors.
//
// Usage: engine_harness [--n=100000] [--dim=384] [--rank=32] [--queries=1000]
//   [--flat-queries=200] [--k=10] [--batch=1000] [--ef=64] [--threads=1] [--reps=2]
//   [--specs=Flat,HNSW32] [--dir=/tmp] [--seed=1] [--skip-search]
// Databases are created under --dir and deleted afterwards. Exit status 0 when every step
// worked (targets missed still exit 0), 1 on an engine error or a rebuild on reopen.

#include <faiss/IndexHNSW.h>
#include <faiss/index_factory.h>
#include <fcntl.h>
#include <omp.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "bench/common/dataset.h"
#include "quiver/db.h"

namespace {

using quiver::bench::ExactTopK;
using quiver::bench::MakeLowRank;
using quiver::bench::NormalizeRows;
using quiver::bench::RecallAtK;
using Clock = std::chrono::steady_clock;

struct Flags {
  size_t n = 100000;
  int dim = 384;
  int rank = quiver::bench::kDefaultRank;
  size_t queries = 1000;
  size_t flat_queries = 200;  // flat search is slow; fewer queries keep the run short
  int k = 10;
  size_t batch = 1000;
  int ef = 64;  // HNSW efSearch on both sides (the engine's default is 64 too)
  int threads = 1;
  int reps = 2;
  std::vector<std::string> specs = {"Flat", "HNSW32"};
  std::string dir = "/tmp";
  uint64_t seed = 1;
  bool skip_search = false;          // add and reopen only: no raw FAISS build, no search
  int64_t checkpoint_interval = -1;  // Options::checkpoint_interval; -1 keeps the default
};

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts;
}

constexpr char kUsage[] =
    "usage: engine_harness [--n=N] [--dim=D] [--rank=R] [--queries=Q] [--flat-queries=Q] "
    "[--k=K] [--batch=B] [--ef=EF] [--threads=T] [--reps=R] [--specs=Flat,HNSW32] "
    "[--dir=DIR] [--seed=S] [--skip-search] [--checkpoint-interval=OPS]\n";

// Parses --name=value flags; exits with the usage line on anything unknown.
Flags ParseFlags(int argc, char** argv) {
  Flags f;
  using Setter = std::function<void(const std::string&)>;
  const std::map<std::string, Setter> setters = {
      {"--n", [&](const std::string& v) { f.n = std::stoull(v); }},
      {"--dim", [&](const std::string& v) { f.dim = std::stoi(v); }},
      {"--rank", [&](const std::string& v) { f.rank = std::stoi(v); }},
      {"--queries", [&](const std::string& v) { f.queries = std::stoull(v); }},
      {"--flat-queries", [&](const std::string& v) { f.flat_queries = std::stoull(v); }},
      {"--k", [&](const std::string& v) { f.k = std::stoi(v); }},
      {"--batch", [&](const std::string& v) { f.batch = std::stoull(v); }},
      {"--ef", [&](const std::string& v) { f.ef = std::stoi(v); }},
      {"--threads", [&](const std::string& v) { f.threads = std::stoi(v); }},
      {"--reps", [&](const std::string& v) { f.reps = std::max(1, std::stoi(v)); }},
      {"--specs", [&](const std::string& v) { f.specs = Split(v, ','); }},
      {"--dir", [&](const std::string& v) { f.dir = v; }},
      {"--seed", [&](const std::string& v) { f.seed = std::stoull(v); }},
      {"--skip-search", [&](const std::string&) { f.skip_search = true; }},
      {"--checkpoint-interval",
       [&](const std::string& v) { f.checkpoint_interval = std::stoll(v); }},
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    auto it = setters.find(arg.substr(0, eq));
    if (it == setters.end()) {
      std::fprintf(stderr, "unknown flag %s\n%s", arg.c_str(), kUsage);
      std::exit(2);
    }
    it->second(eq == std::string::npos ? "" : arg.substr(eq + 1));
  }
  return f;
}

[[noreturn]] void Die(const std::string& what, const quiver::Status& s) {
  std::fprintf(stderr, "engine_harness: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

// Redirects the process's stderr (fd 2) into a temporary file for its lifetime; Text()
// returns what was written so far. The text is also echoed to the real stderr on Finish.
class StderrCapture {
 public:
  explicit StderrCapture(const std::string& path) : path_(path) {
    std::fflush(stderr);
    saved_ = ::dup(2);
    const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrCapture() { Finish(); }

  // Restores stderr and returns the captured text (echoed there). Idempotent.
  std::string Finish() {
    if (saved_ < 0) return text_;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
    std::ifstream in(path_);
    std::stringstream buffer;
    buffer << in.rdbuf();
    text_ = buffer.str();
    std::filesystem::remove(path_);
    if (!text_.empty()) std::fprintf(stderr, "%s", text_.c_str());
    return text_;
  }

 private:
  std::string path_;
  std::string text_;
  int saved_ = -1;
};

// Everything measured for one index spec.
struct SpecResult {
  std::string spec;
  double add_seconds = 0;      // sum of Upsert calls
  double batch_median_ms = 0;  // Upsert latency per batch
  double batch_max_ms = 0;
  double close_seconds = 0;        // first Close (final checkpoint)
  double raw_add_seconds = 0;      // faiss add of the same batches
  double rocksdb_add_seconds = 0;  // RocksDB alone writing the same batches
  uint64_t disk_bytes = 0;
  size_t nq = 0;
  std::vector<double> engine_qps, raw_qps;  // one per repetition, same order
  double engine_recall = 0, raw_recall = 0, reopened_recall = 0;
  std::vector<double> reopen_seconds;
  bool rebuilt_on_reopen = false;
};

std::string Sanitize(const std::string& spec) {
  std::string out;
  for (char c : spec) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

quiver::Options CreateOptions(const Flags& f, const std::string& spec) {
  quiver::Options o;
  o.create_if_missing = true;
  o.error_if_exists = true;
  o.dimension = f.dim;
  o.metric = quiver::Metric::kCosine;
  o.index_spec = spec;
  if (f.checkpoint_interval >= 0) o.checkpoint_interval = f.checkpoint_interval;
  return o;
}

// Seconds RocksDB alone takes to write the same batches as the engine's store lays a record
// out (document, id map entry, vector; default options, one synced WriteBatch a batch).
double RocksDbAloneAdd(const std::vector<float>& base, const Flags& f, const std::string& path) {
  std::filesystem::remove_all(path);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* opened = nullptr;
  const rocksdb::Status opened_status = rocksdb::DB::Open(options, path, &opened);
  std::unique_ptr<rocksdb::DB> db(opened);
  if (rocksdb::Status s = opened_status; !s.ok()) {
    std::fprintf(stderr, "rocksdb alone: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const size_t n = base.size() / f.dim, row_bytes = f.dim * sizeof(float);
  const auto start = Clock::now();
  for (size_t first = 0; first < n; first += f.batch) {
    rocksdb::WriteBatch batch;
    for (size_t i = first; i < std::min(n, first + f.batch); ++i) {
      const std::string id = "v" + std::to_string(i);
      std::string key(9, '\0');
      for (int b = 0; b < 8; ++b) key[8 - b] = static_cast<char>((i >> (8 * b)) & 0xff);
      key[0] = 'd';
      batch.Put(key, id);
      key[0] = 'v';
      batch.Put(key, rocksdb::Slice(reinterpret_cast<const char*>(&base[i * f.dim]), row_bytes));
      batch.Put("i" + id, key.substr(1));
    }
    if (rocksdb::Status s = db->Write(sync, &batch); !s.ok()) {
      std::fprintf(stderr, "rocksdb alone: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }
  const double seconds = Since(start);
  db.reset();
  std::filesystem::remove_all(path);
  return seconds;
}

// Upserts `base` in batches of f.batch records with ids "v<row>"; fills the add figures.
void AddAll(quiver::DB* db, const std::vector<float>& base, const Flags& f, SpecResult* r) {
  const size_t n = base.size() / f.dim;
  std::vector<std::vector<quiver::Record>> batches;
  for (size_t start = 0; start < n; start += f.batch) {
    std::vector<quiver::Record> batch;
    for (size_t i = start; i < std::min(n, start + f.batch); ++i) {
      const float* row = &base[i * f.dim];
      batch.push_back({"v" + std::to_string(i), std::vector<float>(row, row + f.dim), "", ""});
    }
    batches.push_back(std::move(batch));
  }
  std::vector<double> ms;
  for (const auto& batch : batches) {
    const auto start = Clock::now();
    quiver::Status s = db->Upsert(batch);
    ms.push_back(Since(start) * 1e3);
    if (!s.ok()) Die("upsert", s);
  }
  for (double m : ms) r->add_seconds += m / 1e3;
  std::sort(ms.begin(), ms.end());
  r->batch_median_ms = ms[ms.size() / 2];
  r->batch_max_ms = ms.back();
}

// Runs the nq queries through DB::Search; returns QPS and fills `ids` (nq * k, -1 padded).
double EngineSearch(quiver::DB* db, const std::vector<float>& queries, size_t nq, const Flags& f,
                    std::vector<int64_t>* ids) {
  ids->assign(nq * f.k, -1);
  quiver::SearchOptions options;
  options.k = f.k;
  options.ef_search = f.ef;
  const auto start = Clock::now();
  for (size_t q = 0; q < nq; ++q) {
    auto hits = db->Search(std::span<const float>(&queries[q * f.dim], f.dim), options);
    if (!hits.ok()) Die("search", hits.status());
    for (size_t j = 0; j < hits->size(); ++j) {
      (*ids)[q * f.k + j] = std::stoll((*hits)[j].id.substr(1));
    }
  }
  return nq / Since(start);
}

// The same loop against a raw FAISS index; `normalized` are the queries scaled to unit norm.
double RawSearch(const faiss::Index& index, const std::vector<float>& normalized, size_t nq,
                 const Flags& f, std::vector<int64_t>* ids) {
  ids->assign(nq * f.k, -1);
  std::vector<float> distances(f.k);
  std::vector<faiss::Index::idx_t> labels(f.k);
  const auto start = Clock::now();
  for (size_t q = 0; q < nq; ++q) {
    index.search(1, &normalized[q * f.dim], f.k, distances.data(), labels.data());
    std::copy(labels.begin(), labels.end(), ids->begin() + q * f.k);
  }
  return nq / Since(start);
}

// Builds the raw FAISS counterpart: same spec, inner product, normalized base, same batches.
std::unique_ptr<faiss::Index> BuildRaw(const std::vector<float>& normalized_base,
                                       const std::string& spec, const Flags& f, SpecResult* r) {
  std::unique_ptr<faiss::Index> index(
      faiss::index_factory(f.dim, spec.c_str(), faiss::METRIC_INNER_PRODUCT));
  if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index.get())) hnsw->hnsw.efSearch = f.ef;
  const size_t n = normalized_base.size() / f.dim;
  const auto start = Clock::now();
  for (size_t first = 0; first < n; first += f.batch) {
    const size_t count = std::min(f.batch, n - first);
    index->add(static_cast<faiss::Index::idx_t>(count), &normalized_base[first * f.dim]);
  }
  r->raw_add_seconds = Since(start);
  return index;
}

// Interleaves engine and raw search repetitions so machine noise hits both alike.
void CompareSearch(quiver::DB* db, const faiss::Index& raw, const std::vector<float>& queries,
                   const std::vector<float>& normalized, const std::vector<int64_t>& truth,
                   const Flags& f, SpecResult* r) {
  std::vector<int64_t> engine_ids, raw_ids;
  const size_t warm = std::min<size_t>(r->nq, 20);
  EngineSearch(db, queries, warm, f, &engine_ids);
  RawSearch(raw, normalized, warm, f, &raw_ids);
  for (int rep = 0; rep < f.reps; ++rep) {
    r->engine_qps.push_back(EngineSearch(db, queries, r->nq, f, &engine_ids));
    r->raw_qps.push_back(RawSearch(raw, normalized, r->nq, f, &raw_ids));
    std::printf("  %s search rep %d: engine %.1f QPS, raw FAISS %.1f QPS, ratio %.3f\n",
                r->spec.c_str(), rep + 1, r->engine_qps.back(), r->raw_qps.back(),
                r->engine_qps.back() / r->raw_qps.back());
    std::fflush(stdout);
  }
  r->engine_recall = RecallAtK(truth, f.k, engine_ids, f.k, r->nq, f.k);
  r->raw_recall = RecallAtK(truth, f.k, raw_ids, f.k, r->nq, f.k);
}

// Closes and reopens the database f.reps times; checks no rebuild and recall after reopen.
void Reopen(const std::string& path, const std::vector<float>& queries,
            const std::vector<int64_t>& truth, const Flags& f, SpecResult* r) {
  quiver::Options options;
  options.report_to_stderr = true;
  for (int rep = 0; rep < f.reps; ++rep) {
    StderrCapture capture(f.dir + "/engine_harness_stderr_" + std::to_string(::getpid()));
    const auto start = Clock::now();
    auto db = quiver::DB::Open(options, path);
    const double seconds = Since(start);
    const std::string said = capture.Finish();
    if (!db.ok()) Die("reopen " + path, db.status());
    r->reopen_seconds.push_back(seconds);
    if (said.find("rebuild") != std::string::npos) r->rebuilt_on_reopen = true;
    auto stats = (*db)->GetStats();
    if (!stats.ok()) Die("stats", stats.status());
    std::printf("  %s reopen rep %d: %.3f s, %llu records, checkpoint covers %llu of %llu ops%s\n",
                r->spec.c_str(), rep + 1, seconds, static_cast<unsigned long long>(stats->count),
                static_cast<unsigned long long>(stats->checkpoint_sequence),
                static_cast<unsigned long long>(stats->last_sequence),
                said.find("rebuild") != std::string::npos ? " (REBUILT)" : "");
    if (rep == 0) {
      std::vector<int64_t> ids;
      const size_t nq = std::min<size_t>(r->nq, 100);
      EngineSearch(db->get(), queries, nq, f, &ids);
      r->reopened_recall = RecallAtK(truth, f.k, ids, f.k, nq, f.k);
    }
    if (quiver::Status s = (*db)->Close(); !s.ok()) Die("close after reopen", s);
  }
}

SpecResult RunSpec(const std::string& spec, const std::vector<float>& base,
                   const std::vector<float>& normalized_base, const std::vector<float>& queries,
                   const std::vector<float>& normalized_queries, const std::vector<int64_t>& truth,
                   const Flags& f) {
  SpecResult r;
  r.spec = spec;
  r.nq = std::min(queries.size() / f.dim, spec == "Flat" ? f.flat_queries : f.queries);
  const std::string path =
      f.dir + "/quiver_engine_harness_" + std::to_string(::getpid()) + "_" + Sanitize(spec);
  std::filesystem::remove_all(path);
  {
    auto db = quiver::DB::Open(CreateOptions(f, spec), path);
    if (!db.ok()) Die("create " + path, db.status());
    AddAll(db->get(), base, f, &r);
    std::printf("  %s add: %.2f s, %.0f vectors/s (batch median %.1f ms, max %.1f ms)\n",
                spec.c_str(), r.add_seconds, (base.size() / f.dim) / r.add_seconds,
                r.batch_median_ms, r.batch_max_ms);
    std::fflush(stdout);
    r.rocksdb_add_seconds = RocksDbAloneAdd(base, f, path + "_rocksdb_alone");
    std::printf("  %s add, RocksDB alone: %.2f s, %.0f records/s; engine / RocksDB alone %.2fx\n",
                spec.c_str(), r.rocksdb_add_seconds, (base.size() / f.dim) / r.rocksdb_add_seconds,
                r.rocksdb_add_seconds / r.add_seconds);
    std::fflush(stdout);
    if (!f.skip_search) {
      auto raw = BuildRaw(normalized_base, spec, f, &r);
      CompareSearch(db->get(), *raw, queries, normalized_queries, truth, f, &r);
    }
    auto stats = (*db)->GetStats();
    if (stats.ok()) r.disk_bytes = stats->disk_bytes;
    const auto start = Clock::now();
    if (quiver::Status s = (*db)->Close(); !s.ok()) Die("close", s);
    r.close_seconds = Since(start);
  }
  Reopen(path, queries, truth, f, &r);
  std::filesystem::remove_all(path);
  return r;
}

// The largest value, or 0 for none.
double Best(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::max_element(v.begin(), v.end());
}

void PrintTable(const std::vector<SpecResult>& results, const Flags& f) {
  const double n = static_cast<double>(f.n);
  std::printf(
      "\n| spec | add vec/s (engine) | add vec/s (raw FAISS) | queries | engine QPS | "
      "raw FAISS QPS | engine/raw (per rep) | recall@%d engine | recall@%d raw | "
      "recall@%d after reopen | close s | reopen s (per rep) | disk MB |\n",
      f.k, f.k, f.k);
  std::printf("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|\n");
  for (const SpecResult& r : results) {
    std::string ratios, reopens;
    for (size_t i = 0; i < r.engine_qps.size(); ++i) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%s%.3f", i ? " / " : "", r.engine_qps[i] / r.raw_qps[i]);
      ratios += buf;
    }
    for (size_t i = 0; i < r.reopen_seconds.size(); ++i) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%s%.3f", i ? " / " : "", r.reopen_seconds[i]);
      reopens += buf;
    }
    std::printf(
        "| %s | %.0f | %.0f | %zu | %.1f | %.1f | %s | %.4f | %.4f | %.4f | %.2f | %s%s | "
        "%.0f |\n",
        r.spec.c_str(), n / r.add_seconds, r.raw_add_seconds > 0 ? n / r.raw_add_seconds : 0.0,
        r.nq, Best(r.engine_qps), Best(r.raw_qps), ratios.c_str(), r.engine_recall, r.raw_recall,
        r.reopened_recall, r.close_seconds, reopens.c_str(), r.rebuilt_on_reopen ? " REBUILT" : "",
        r.disk_bytes / 1e6);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Flags f = ParseFlags(argc, argv);
  omp_set_num_threads(f.threads);
  const size_t max_q = std::max(f.queries, f.flat_queries);
  std::printf(
      "engine_harness: n=%zu dim=%d rank=%d queries=%zu (Flat %zu) k=%d batch=%zu "
      "ef=%d threads=%d reps=%d seed=%llu\n",
      f.n, f.dim, f.rank, f.queries, f.flat_queries, f.k, f.batch, f.ef, f.threads, f.reps,
      static_cast<unsigned long long>(f.seed));

  auto start = Clock::now();
  const std::vector<float> base = MakeLowRank(f.n, f.dim, f.rank, f.seed);
  const std::vector<float> queries = MakeLowRank(max_q, f.dim, f.rank, f.seed + 1000003);
  std::vector<float> normalized_base = base, normalized_queries = queries;
  NormalizeRows(normalized_base.data(), f.n, f.dim);
  NormalizeRows(normalized_queries.data(), max_q, f.dim);
  std::printf("  generated in %.2f s\n", Since(start));
  start = Clock::now();
  const std::vector<int64_t> truth = ExactTopK(base, queries, f.dim, f.k, quiver::Metric::kCosine);
  std::printf("  exact ground truth in %.2f s\n", Since(start));
  std::fflush(stdout);

  std::vector<SpecResult> results;
  for (const std::string& spec : f.specs) {
    results.push_back(RunSpec(spec, base, normalized_base, queries, normalized_queries, truth, f));
  }
  PrintTable(results, f);
  std::printf("\nTargets:\n");
  bool rebuilt = false;
  for (const SpecResult& r : results) {
    double worst = r.engine_qps.empty() ? 0 : 1e9;
    for (size_t i = 0; i < r.engine_qps.size(); ++i) {
      worst = std::min(worst, r.engine_qps[i] / r.raw_qps[i]);
    }
    if (r.spec == "Flat") {
      const double vps = f.n / r.add_seconds;
      std::printf("  add with Flat >= 50000 vectors/s: %.0f -> %s\n", vps,
                  vps >= 50000 ? "met" : "MISSED");
    }
    if (!f.skip_search) {
      std::printf("  %s engine/raw search ratio >= 0.9: worst rep %.3f -> %s\n", r.spec.c_str(),
                  worst, worst >= 0.9 ? "met" : "MISSED");
    }
    if (r.spec.rfind("HNSW", 0) == 0) {
      const double slowest = *std::max_element(r.reopen_seconds.begin(), r.reopen_seconds.end());
      std::printf("  reopen of %zu-vector %s database <= 1 s: slowest %.3f s%s -> %s\n", f.n,
                  r.spec.c_str(), slowest, r.rebuilt_on_reopen ? " (REBUILT)" : "",
                  slowest <= 1.0 && !r.rebuilt_on_reopen ? "met" : "MISSED");
    }
    rebuilt = rebuilt || r.rebuilt_on_reopen;
  }
  return rebuilt ? 1 : 0;
}
