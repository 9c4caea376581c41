// Vector search through quiver's public API against the raw FAISS index and hnswlib, on
// Fashion-MNIST (Debian package dataset-fashion-mnist, 60k x 784, L2), one thread, one query
// per call, k = 10, in one process:
//   quiver          DB::Search, default hit fields (id, score, text, metadata, source);
//   quiver-ids      DB::Search with HitFields::IdsOnly();
//   faiss-raw       faiss::IndexHNSWFlat with quiver's kernels (AccelerateIndex), same M and
//                   efConstruction, FAISS's own search loop (efSearch set on the index);
//   hnswlib         Debian libhnswlib-dev headers (compiled for AVX2), same M and efConstruction.
// For each ef: recall@10 and queries/s (best of --reps rounds, systems interleaved). Then
// filtered search (SearchOptions::where matching 1% of the records) against unfiltered at
// --filter-ef: mean latency per query.
//
// Usage: api_search_harness [--fmnist-dir=DIR] [--queries=1000] [--m=16] [--efc=200]
//   [--efs=10,16,...] [--reps=3] [--build-threads=2] [--filter-ef=64] [--dir=DIR] [--base=N]
#include <faiss/IndexHNSW.h>
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/dataset.h"
#include "index/simd/accelerate.h"
#include "quiver/db.h"

// hnswlib picks its distance code at compile time; AVX2 + FMA (this machine has no AVX-512).
#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx2,fma,avx")
#define USE_SSE
#define USE_AVX
#endif
#include <hnswlib/hnswlib.h>
#if defined(__x86_64__)
#pragma GCC pop_options
#endif

namespace {

using Clock = std::chrono::steady_clock;
constexpr int kK = 10;

struct Args {
  std::string fmnist_dir = "/usr/share/datasets/fashion-mnist";
  size_t queries = 1000;
  size_t base = SIZE_MAX;  // at most this many training images
  int m = 16, efc = 200, reps = 3, build_threads = 2, filter_ef = 64;
  std::vector<int> efs = {10, 16, 24, 32, 48, 64, 96, 128, 256};
  std::string dir;
};

std::vector<int> IntList(const std::string& text) {
  std::vector<int> out;
  for (size_t at = 0; at < text.size();) {
    const size_t comma = std::min(text.find(',', at), text.size());
    out.push_back(std::stoi(text.substr(at, comma - at)));
    at = comma + 1;
  }
  return out;
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq),
                      v = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (name == "--fmnist-dir")
      a.fmnist_dir = v;
    else if (name == "--queries")
      a.queries = std::stoul(v);
    else if (name == "--base")
      a.base = std::stoul(v);
    else if (name == "--m")
      a.m = std::stoi(v);
    else if (name == "--efc")
      a.efc = std::stoi(v);
    else if (name == "--efs")
      a.efs = IntList(v);
    else if (name == "--reps")
      a.reps = std::stoi(v);
    else if (name == "--build-threads")
      a.build_threads = std::stoi(v);
    else if (name == "--filter-ef")
      a.filter_ef = std::stoi(v);
    else if (name == "--dir")
      a.dir = v;
    else
      throw std::invalid_argument("unknown option " + arg);
  }
  return a;
}

// Reads up to `limit` images of a gzipped IDX3 file as float rows.
std::vector<float> ReadIdxImages(const std::string& path, size_t limit, size_t* dim) {
  const std::string command = "gzip -dc '" + path + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  unsigned char h[16];
  if (!pipe || fread(h, 1, 16, pipe.get()) != 16) throw std::runtime_error("cannot read " + path);
  auto be32 = [&](int at) {
    return (uint32_t(h[at]) << 24) | (uint32_t(h[at + 1]) << 16) | (uint32_t(h[at + 2]) << 8) |
           uint32_t(h[at + 3]);
  };
  const size_t n = std::min<size_t>(be32(4), limit);
  *dim = size_t(be32(8)) * be32(12);
  std::vector<unsigned char> pixels(n * *dim);
  if (fread(pixels.data(), 1, pixels.size(), pipe.get()) != pixels.size()) {
    throw std::runtime_error("short file " + path);
  }
  return std::vector<float>(pixels.begin(), pixels.end());
}

double Seconds(const std::function<void()>& fn) {
  const auto start = Clock::now();
  fn();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void Check(const quiver::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.ToString());
}

struct Data {
  size_t d = 0;
  std::vector<float> base, queries;
  std::vector<int64_t> truth;
  size_t nb() const { return base.size() / d; }
  size_t nq() const { return queries.size() / d; }
  const float* query(size_t q) const { return queries.data() + q * d; }
};

// Answers every query at ef, writing nq x kK row numbers.
using Searcher = std::function<void(int ef, std::vector<int64_t>& labels)>;

std::unique_ptr<quiver::DB> BuildQuiver(const Data& data, const Args& a, const std::string& dir,
                                        double* seconds) {
  quiver::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.dimension = static_cast<int>(data.d);
  options.metric = quiver::Metric::kL2;
  options.index_spec = "HNSW" + std::to_string(a.m) + ",efC=" + std::to_string(a.efc);
  options.checkpoint_interval = 0;
  options.report_to_stderr = false;
  auto opened = quiver::DB::Open(options, dir);
  Check(opened.status(), "open");
  std::unique_ptr<quiver::DB> db = std::move(opened.value());
  *seconds = Seconds([&] {
    for (size_t at = 0; at < data.nb(); at += 1000) {
      std::vector<quiver::Record> batch;
      for (size_t i = at; i < std::min(data.nb(), at + 1000); ++i) {
        quiver::Record r;
        r.id = std::to_string(i);
        r.vector.assign(data.base.begin() + i * data.d, data.base.begin() + (i + 1) * data.d);
        r.metadata = "{\"bucket\": " + std::to_string(i % 100) + "}";
        batch.push_back(std::move(r));
      }
      Check(db->Upsert(batch), "upsert");
    }
  });
  return db;
}

Searcher QuiverSearcher(quiver::DB& db, const Data& data, quiver::HitFields fields) {
  return [&db, &data, fields](int ef, std::vector<int64_t>& labels) {
    quiver::SearchOptions options;
    options.k = kK;
    options.ef_search = ef;
    options.fields = fields;
    for (size_t q = 0; q < data.nq(); ++q) {
      auto hits = db.Search(std::span<const float>(data.query(q), data.d), options);
      Check(hits.status(), "search");
      for (int j = 0; j < kK; ++j) {
        labels[q * kK + j] = j < static_cast<int>(hits->size()) ? std::stoll((*hits)[j].id) : -1;
      }
    }
  };
}

double Recall(const std::vector<int64_t>& labels, const Data& data) {
  return quiver::bench::RecallAtK(data.truth, kK, labels, kK, data.nq(), kK);
}

struct Row {
  std::string system;
  int ef;
  double recall = 0, qps = 0;
};

void Sweep(const std::vector<std::pair<std::string, Searcher>>& systems, const Data& data,
           const Args& a, std::vector<Row>* rows) {
  std::vector<int64_t> labels(data.nq() * kK);
  for (int ef : a.efs) {
    std::vector<Row> group;
    for (const auto& [name, search] : systems) group.push_back({name, ef});
    for (int rep = 0; rep < a.reps; ++rep) {
      for (size_t i = 0; i < systems.size(); ++i) {
        const double s = Seconds([&] { systems[i].second(ef, labels); });
        group[i].qps = std::max(group[i].qps, double(data.nq()) / s);
        group[i].recall = Recall(labels, data);
      }
    }
    for (const Row& r : group) {
      std::printf("  %-12s %5d %9.4f %10.0f\n", r.system.c_str(), r.ef, r.recall, r.qps);
    }
    rows->insert(rows->end(), group.begin(), group.end());
  }
}

void Summarize(const std::vector<Row>& rows) {
  std::map<std::string, double> best;
  for (const Row& r : rows) {
    if (r.recall >= 0.99) best[r.system] = std::max(best[r.system], r.qps);
  }
  std::printf("best queries/s at recall@10 >= 0.99:");
  for (const auto& [name, qps] : best) std::printf(" %s %.0f", name.c_str(), qps);
  std::printf("\n");
  for (const char* ours : {"quiver", "quiver-ids"}) {
    if (best.count(ours) && best.count("hnswlib")) {
      std::printf("  %s / hnswlib = %.2fx\n", ours, best[ours] / best["hnswlib"]);
    }
  }
  std::map<int, std::map<std::string, double>> by_ef;
  for (const Row& r : rows) by_ef[r.ef][r.system] = r.qps;
  std::printf("ids-only / faiss-raw per ef:");
  for (auto& [ef, qps] : by_ef)
    std::printf(" ef%d %.2fx", ef, qps["quiver-ids"] / qps["faiss-raw"]);
  std::printf("\n");
}

// Mean latency of `data.nq()` searches with `where` (empty: none), best of reps.
double MeanLatencyUs(quiver::DB& db, const Data& data, const Args& a, const std::string& where,
                     quiver::HitFields fields, size_t* hits_seen) {
  quiver::SearchOptions options;
  options.k = kK;
  options.ef_search = a.filter_ef;
  options.where = where;
  options.fields = fields;
  double best = 1e300;
  for (int rep = 0; rep < a.reps; ++rep) {
    *hits_seen = 0;
    best = std::min(best, Seconds([&] {
                      for (size_t q = 0; q < data.nq(); ++q) {
                        auto hits =
                            db.Search(std::span<const float>(data.query(q), data.d), options);
                        Check(hits.status(), "filtered search");
                        *hits_seen += hits->size();
                      }
                    }));
  }
  return best * 1e6 / double(data.nq());
}

void RunFiltered(quiver::DB& db, const Data& data, const Args& a) {
  std::printf("filtered search, ef %d, k %d (bucket = i %% 100, so one bucket is 1%%):\n",
              a.filter_ef, kK);
  for (auto [label, fields] : {std::pair{"ids-only", quiver::HitFields::IdsOnly()},
                               std::pair{"default fields", quiver::HitFields()}}) {
    size_t n0 = 0, n1 = 0, n10 = 0;
    const double none = MeanLatencyUs(db, data, a, "", fields, &n0);
    const double one = MeanLatencyUs(db, data, a, R"({"bucket": 7})", fields, &n1);
    const double ten = MeanLatencyUs(db, data, a, R"({"bucket": {"$lt": 10}})", fields, &n10);
    std::printf(
        "  %-15s unfiltered %.1f us | 1%% %.1f us (%.2fx) | 10%% %.1f us (%.2fx) | hits %zu %zu "
        "%zu\n",
        label, none, one, one / none, ten, ten / none, n0, n1, n10);
  }
}

// SearchBatch of every query (spread over the cores) against the same queries one by one on
// one thread, ids-only at the filter ef; reps interleaved, best of each; also checks that the
// batch answers exactly what the loop answers.
void RunBatch(quiver::DB& db, const Data& data, const Args& a) {
  quiver::SearchOptions options;
  options.k = kK;
  options.ef_search = a.filter_ef;
  options.fields = quiver::HitFields::IdsOnly();
  std::vector<std::vector<quiver::Hit>> looped(data.nq());
  quiver::Result<std::vector<std::vector<quiver::Hit>>> batched =
      std::vector<std::vector<quiver::Hit>>();
  double loop_s = 1e300, batch_s = 1e300;
  for (int rep = 0; rep < a.reps; ++rep) {
    loop_s = std::min(loop_s, Seconds([&] {
                        for (size_t q = 0; q < data.nq(); ++q) {
                          auto hits =
                              db.Search(std::span<const float>(data.query(q), data.d), options);
                          Check(hits.status(), "search");
                          looped[q] = std::move(hits).value();
                        }
                      }));
    batch_s = std::min(batch_s, Seconds([&] {
                         batched = db.SearchBatch(data.queries, options);
                         Check(batched.status(), "search batch");
                       }));
  }
  size_t differing = 0;
  for (size_t q = 0; q < data.nq(); ++q) {
    bool same = looped[q].size() == (*batched)[q].size();
    for (size_t j = 0; same && j < looped[q].size(); ++j) {
      same = looped[q][j].id == (*batched)[q][j].id && looped[q][j].score == (*batched)[q][j].score;
    }
    differing += same ? 0 : 1;
  }
  std::printf(
      "SearchBatch of %zu queries, ef %d, ids-only: one-thread loop %.1f q/s | batch on %u "
      "cores %.1f q/s | %.2fx | queries answered differently: %zu\n",
      data.nq(), a.filter_ef, data.nq() / loop_s, std::thread::hardware_concurrency(),
      data.nq() / batch_s, loop_s / batch_s, differing);
}

int Run(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const Args a = ParseArgs(argc, argv);
  Data data;
  size_t dq = 0;
  data.base = ReadIdxImages(a.fmnist_dir + "/train-images-idx3-ubyte.gz", a.base, &data.d);
  data.queries = ReadIdxImages(a.fmnist_dir + "/t10k-images-idx3-ubyte.gz", a.queries, &dq);
  omp_set_num_threads(a.build_threads);
  data.truth =
      quiver::bench::ExactTopK(data.base, data.queries, int(data.d), kK, quiver::Metric::kL2);
  std::printf("fashion-mnist %zu x %zu, %zu queries, k %d, M %d, efConstruction %d\n", data.nb(),
              data.d, data.nq(), kK, a.m, a.efc);

  const std::string dir =
      a.dir.empty()
          ? (std::filesystem::temp_directory_path() / ("api_search_" + std::to_string(getpid())))
                .string()
          : a.dir;
  double quiver_s = 0, faiss_s = 0, hnswlib_s = 0;
  auto db = BuildQuiver(data, a, dir + "/db", &quiver_s);
  faiss::IndexHNSWFlat raw(int(data.d), a.m);
  raw.hnsw.efConstruction = a.efc;
  quiver::simd::AccelerateIndex(&raw);
  faiss_s = Seconds([&] { raw.add(data.nb(), data.base.data()); });
  hnswlib::L2Space space(data.d);
  hnswlib::HierarchicalNSW<float> hnsw(&space, data.nb(), a.m, a.efc);
  hnswlib_s = Seconds([&] {
    hnsw.addPoint(data.base.data(), 0);
#pragma omp parallel for num_threads(a.build_threads) schedule(dynamic, 64)
    for (size_t i = 1; i < data.nb(); ++i) hnsw.addPoint(data.base.data() + i * data.d, i);
  });
  std::printf(
      "build, %d threads: quiver Upsert (batches of 1000) %.1f s | faiss-raw %.1f s | "
      "hnswlib %.1f s\n",
      a.build_threads, quiver_s, faiss_s, hnswlib_s);

  omp_set_num_threads(1);
  std::vector<std::pair<std::string, Searcher>> systems = {
      {"quiver", QuiverSearcher(*db, data, quiver::HitFields())},
      {"quiver-ids", QuiverSearcher(*db, data, quiver::HitFields::IdsOnly())},
      {"faiss-raw",
       [&](int ef, std::vector<int64_t>& labels) {
         raw.hnsw.efSearch = ef;
         std::vector<float> distances(kK);
         for (size_t q = 0; q < data.nq(); ++q) {
           raw.search(1, data.query(q), kK, distances.data(), &labels[q * kK]);
         }
       }},
      {"hnswlib", [&](int ef, std::vector<int64_t>& labels) {
         hnsw.setEf(ef);
         for (size_t q = 0; q < data.nq(); ++q) {
           auto found = hnsw.searchKnn(data.query(q), kK);
           for (int j = kK - 1; j >= 0; --j) {
             labels[q * kK + j] = found.empty() ? -1 : int64_t(found.top().second);
             if (!found.empty()) found.pop();
           }
         }
       }}};
  std::printf("  %-12s %5s %9s %10s\n", "system", "ef", "recall@10", "queries/s");
  std::vector<Row> rows;
  Sweep(systems, data, a, &rows);
  Summarize(rows);
  RunFiltered(*db, data, a);
  RunBatch(*db, data, a);
  Check(db->Close(), "close");
  if (a.dir.empty()) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_search_harness: %s\n", e.what());
    return 1;
  }
}
