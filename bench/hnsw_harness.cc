// Recall/QPS harness of the SIMD distance kernels inside FAISS HNSW and flat search.
//
// For Fashion-MNIST (Debian package dataset-fashion-mnist, 60k x 784) and a low-rank
// synthetic set (default 100k x 384) it prints, for efSearch 16..256 and 1 and 2 threads,
// recall@10 and queries/s of:
//   quiver         FAISS HNSW with quiver's kernels (AccelerateIndex), on stock's graph;
//   faiss          stock Debian FAISS HNSW, same graph, same queries, same process;
//   quiver-graph   quiver's kernels on the graph quiver itself built;
//   hnswlib        Debian libhnswlib-dev headers, M=16, efConstruction=200 by default;
// plus build times, single-query flat search (quiver vs stock) and per-distance kernel cost.
// Exact ground truth is computed here with FAISS's brute force (BLAS).
//
// Usage: hnsw_harness [--fmnist-dir=DIR] [--queries=1000] [--synthetic-n=100000]
//   [--synthetic-d=384] [--efs=16,24,...] [--threads=1,2] [--reps=3] [--faiss-m=32]
//   [--faiss-efc=40] [--hnswlib-m=16] [--hnswlib-efc=200] [--flat-queries=20]
//   [--skip-fmnist] [--skip-synthetic] [--skip-hnswlib] [--json=PATH]
// QUIVER_SIMD_KERNEL=avx2|generic lowers quiver's kernel choice.

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <queue>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "index/simd/accelerate.h"
#include "index/simd/kernels.h"

// hnswlib picks its SIMD distance at compile time from __AVX512F__/__AVX__ and then checks
// the CPU at run time. Compile it, and only it, for AVX-512 so it runs at its best on this
// machine (as a -march=native pip build would); main() skips it on CPUs without AVX-512F.
#if defined(__x86_64__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma,avx")
#define USE_SSE
#define USE_AVX
#define USE_AVX512
#define QUIVER_HNSWLIB_NEEDS_AVX512 1
#endif
#include <hnswlib/hnswlib.h>
#if defined(__x86_64__)
#pragma GCC pop_options
#endif

namespace {

using idx_t = faiss::Index::idx_t;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  std::string fmnist_dir = "/usr/share/datasets/fashion-mnist";
  size_t queries = 1000;
  size_t synthetic_n = 100000;
  size_t synthetic_d = 384;
  std::vector<int> efs = {16, 24, 32, 48, 64, 96, 128, 192, 256};
  std::vector<int> threads = {1, 2};
  int reps = 3;
  int faiss_m = 32;
  int faiss_efc = 40;
  int hnswlib_m = 16;
  int hnswlib_efc = 200;
  size_t flat_queries = 20;
  bool fmnist = true;
  bool synthetic = true;
  bool hnswlib = true;
  std::string json_path;
};

constexpr idx_t kK = 10;

std::vector<int> ParseIntList(const std::string& text) {
  std::vector<int> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(std::stoi(text.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  return out;
}

// Applies one "--name=value" or "--flag" argument; false when unknown.
bool ApplyOption(const std::string& name, const std::string& value, Options& o) {
  const std::unordered_map<std::string, std::function<void()>> setters = {
      {"--fmnist-dir", [&] { o.fmnist_dir = value; }},
      {"--queries", [&] { o.queries = std::stoul(value); }},
      {"--synthetic-n", [&] { o.synthetic_n = std::stoul(value); }},
      {"--synthetic-d", [&] { o.synthetic_d = std::stoul(value); }},
      {"--efs", [&] { o.efs = ParseIntList(value); }},
      {"--threads", [&] { o.threads = ParseIntList(value); }},
      {"--reps", [&] { o.reps = std::stoi(value); }},
      {"--faiss-m", [&] { o.faiss_m = std::stoi(value); }},
      {"--faiss-efc", [&] { o.faiss_efc = std::stoi(value); }},
      {"--hnswlib-m", [&] { o.hnswlib_m = std::stoi(value); }},
      {"--hnswlib-efc", [&] { o.hnswlib_efc = std::stoi(value); }},
      {"--flat-queries", [&] { o.flat_queries = std::stoul(value); }},
      {"--skip-fmnist", [&] { o.fmnist = false; }},
      {"--skip-synthetic", [&] { o.synthetic = false; }},
      {"--skip-hnswlib", [&] { o.hnswlib = false; }},
      {"--json", [&] { o.json_path = value; }},
  };
  auto it = setters.find(name);
  if (it == setters.end()) return false;
  it->second();
  return true;
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (!ApplyOption(name, value, o)) throw std::invalid_argument("unknown option " + arg);
  }
  return o;
}

struct Dataset {
  std::string name;
  size_t d = 0;
  std::vector<float> base, queries;
  std::vector<idx_t> truth;  // exact top-kK ids per query.
  size_t nb() const { return base.size() / d; }
  size_t nq() const { return queries.size() / d; }
};

// Reads up to `limit` images of a gzipped IDX3 file (big-endian header) as float rows.
std::vector<float> ReadIdxImages(const std::string& path, size_t limit, size_t* dim) {
  const std::string command = "gzip -dc '" + path + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run " + command);
  unsigned char header[16];
  if (fread(header, 1, 16, pipe.get()) != 16) throw std::runtime_error("short IDX header: " + path);
  auto be32 = [&](int at) {
    return (uint32_t(header[at]) << 24) | (uint32_t(header[at + 1]) << 16) |
           (uint32_t(header[at + 2]) << 8) | uint32_t(header[at + 3]);
  };
  if (be32(0) != 0x803) throw std::runtime_error("not an IDX3 image file: " + path);
  const size_t n = std::min<size_t>(be32(4), limit);
  *dim = size_t(be32(8)) * be32(12);
  std::vector<unsigned char> pixels(n * *dim);
  if (fread(pixels.data(), 1, pixels.size(), pipe.get()) != pixels.size()) {
    throw std::runtime_error("short IDX payload: " + path);
  }
  return std::vector<float>(pixels.begin(), pixels.end());
}

Dataset LoadFashionMnist(const Options& o) {
  Dataset ds;
  ds.name = "fashion-mnist";
  size_t d_test = 0;
  ds.base = ReadIdxImages(o.fmnist_dir + "/train-images-idx3-ubyte.gz", SIZE_MAX, &ds.d);
  ds.queries = ReadIdxImages(o.fmnist_dir + "/t10k-images-idx3-ubyte.gz", o.queries, &d_test);
  if (d_test != ds.d) throw std::runtime_error("train/test dimensions differ");
  return ds;
}

// Rank-32 Gaussian latent vectors mapped into d dimensions, plus 5% isotropic noise: an
// embedding-like set on which HNSW recall behaves as on real embeddings.
Dataset MakeLowRank(size_t n, size_t nq, size_t d) {
  constexpr size_t kRank = 32;
  std::mt19937 rng(2024);
  std::normal_distribution<float> gauss;
  std::vector<float> basis(kRank * d);
  for (float& v : basis) v = gauss(rng) / std::sqrt(float(kRank));
  auto make = [&](size_t count) {
    std::vector<float> out(count * d);
    std::vector<float> z(kRank);
    for (size_t i = 0; i < count; ++i) {
      for (float& v : z) v = gauss(rng);
      float* row = out.data() + i * d;
      for (size_t j = 0; j < d; ++j) row[j] = 0.05f * gauss(rng);
      for (size_t r = 0; r < kRank; ++r) {
        for (size_t j = 0; j < d; ++j) row[j] += z[r] * basis[r * d + j];
      }
    }
    return out;
  };
  Dataset ds;
  ds.name = "lowrank-" + std::to_string(n) + "x" + std::to_string(d);
  ds.d = d;
  ds.base = make(n);
  ds.queries = make(nq);
  return ds;
}

void ComputeTruth(Dataset& ds) {
  faiss::IndexFlatL2 exact(ds.d);
  exact.add(ds.nb(), ds.base.data());
  std::vector<float> distances(ds.nq() * kK);
  ds.truth.resize(ds.nq() * kK);
  exact.search(ds.nq(), ds.queries.data(), kK, distances.data(), ds.truth.data());
}

double Recall(const std::vector<idx_t>& labels, const Dataset& ds) {
  size_t hits = 0;
  for (size_t q = 0; q < ds.nq(); ++q) {
    const std::set<idx_t> truth(ds.truth.begin() + q * kK, ds.truth.begin() + (q + 1) * kK);
    for (idx_t j = 0; j < kK; ++j) hits += truth.count(labels[q * kK + j]);
  }
  return double(hits) / double(ds.truth.size());
}

double Seconds(const std::function<void()>& fn) {
  const auto start = Clock::now();
  fn();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Fastest of `reps` runs: the machine is shared, and the minimum is the least disturbed.
double BestSeconds(int reps, const std::function<void()>& fn) {
  double best = 1e300;
  for (int r = 0; r < reps; ++r) best = std::min(best, Seconds(fn));
  return best;
}

double ProcessCpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

struct Row {
  std::string system;
  int ef = 0;
  int threads = 0;
  double recall = 0;
  double qps = 0;      // queries / wall seconds (best run).
  double qps_cpu = 0;  // queries * threads / process CPU seconds (best run): what the
                       // threads achieve while they hold a core, robust to a busy machine.
};

// Answers all queries with efSearch `ef` on `threads` threads into labels (nq x kK).
using Searcher = std::function<void(int ef, int threads, std::vector<idx_t>& labels)>;

struct System {
  std::string name;
  Searcher search;
};

// For every (ef, threads): `reps` rounds, each running every system once in turn (so that
// load from other processes falls on all of them alike), keeping each system's best times.
std::vector<Row> Sweep(const std::vector<System>& systems, const Dataset& ds, const Options& o) {
  std::vector<Row> rows;
  std::vector<idx_t> labels(ds.nq() * kK);
  for (int ef : o.efs) {
    for (int t : o.threads) {
      std::vector<Row> group;
      for (const System& sys : systems) group.push_back({sys.name, ef, t, 0, 0, 0});
      for (int rep = 0; rep < o.reps; ++rep) {
        for (size_t i = 0; i < systems.size(); ++i) {
          const double cpu0 = ProcessCpuSeconds();
          const double wall = Seconds([&] { systems[i].search(ef, t, labels); });
          const double cpu = ProcessCpuSeconds() - cpu0;
          group[i].qps = std::max(group[i].qps, double(ds.nq()) / wall);
          group[i].qps_cpu = std::max(group[i].qps_cpu, double(ds.nq()) * t / cpu);
          group[i].recall = Recall(labels, ds);
        }
      }
      rows.insert(rows.end(), group.begin(), group.end());
    }
  }
  return rows;
}

// Searches all queries in one call, as an application would batch them.
Searcher FaissSearcher(faiss::IndexHNSW& index, const Dataset& ds) {
  return [&index, &ds](int ef, int threads, std::vector<idx_t>& labels) {
    index.hnsw.efSearch = ef;
    omp_set_num_threads(threads);
    std::vector<float> distances(ds.nq() * kK);
    index.search(ds.nq(), ds.queries.data(), kK, distances.data(), labels.data());
  };
}

// A deep copy through FAISS's own file format (the checkpoint path).
std::unique_ptr<faiss::Index> CopyIndex(const faiss::Index& index) {
  faiss::VectorIOWriter writer;
  faiss::write_index(&index, &writer);
  faiss::VectorIOReader reader;
  reader.data = std::move(writer.data);
  return std::unique_ptr<faiss::Index>(faiss::read_index(&reader));
}

std::unique_ptr<faiss::IndexHNSW> BuildFaiss(const Dataset& ds, const Options& o, bool ours,
                                             int threads, double* seconds) {
  auto index = std::make_unique<faiss::IndexHNSWFlat>(int(ds.d), o.faiss_m);
  index->hnsw.efConstruction = o.faiss_efc;
  if (ours) quiver::simd::AccelerateIndex(index.get());
  omp_set_num_threads(threads);
  *seconds = Seconds([&] { index->add(ds.nb(), ds.base.data()); });
  return index;
}

// hnswlib with Debian's headers. Inserts in parallel after the first point (as its Python
// bindings do); searches one query per call, parallel over queries.
class Hnswlib {
 public:
  Hnswlib(const Dataset& ds, int m, int efc, int threads, double* seconds)
      : ds_(ds), space_(ds.d), index_(&space_, ds.nb(), m, efc) {
    *seconds = Seconds([&] {
      index_.addPoint(ds.base.data(), 0);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 64)
      for (size_t i = 1; i < ds.nb(); ++i) index_.addPoint(ds.base.data() + i * ds.d, i);
    });
  }

  void Search(int ef, int threads, std::vector<idx_t>& labels) {
    index_.setEf(ef);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 8)
    for (size_t q = 0; q < ds_.nq(); ++q) {
      auto found = index_.searchKnn(ds_.queries.data() + q * ds_.d, kK);
      for (idx_t j = kK - 1; j >= 0; --j) {
        labels[q * kK + j] = found.empty() ? -1 : idx_t(found.top().second);
        if (!found.empty()) found.pop();
      }
    }
  }

 private:
  const Dataset& ds_;
  hnswlib::L2Space space_;
  hnswlib::HierarchicalNSW<float> index_;
};

void PrintRows(const std::vector<Row>& rows) {
  std::printf("  %-13s %5s %7s %9s %11s %13s\n", "system", "ef", "threads", "recall@10",
              "queries/s", "q/s per CPU");
  for (const Row& r : rows) {
    std::printf("  %-13s %5d %7d %9.4f %11.0f %13.0f\n", r.system.c_str(), r.ef, r.threads,
                r.recall, r.qps, r.qps_cpu);
  }
}

json RowsJson(const std::vector<Row>& rows) {
  json out = json::array();
  for (const Row& r : rows) {
    out.push_back({{"system", r.system},
                   {"ef", r.ef},
                   {"threads", r.threads},
                   {"recall", r.recall},
                   {"qps", r.qps},
                   {"qps_per_cpu", r.qps_cpu}});
  }
  return out;
}

// Each system's best value of `metric` among rows with `threads` and recall@10 >= 0.99.
std::map<std::string, double> BestAtRecall(const std::vector<Row>& rows, int threads,
                                           double Row::*metric) {
  std::map<std::string, double> best;
  for (const Row& r : rows) {
    if (r.threads == threads && r.recall >= 0.99) {
      best[r.system] = std::max(best[r.system], r.*metric);
    }
  }
  return best;
}

void PrintBest(const char* label, int threads, std::map<std::string, double> best) {
  std::printf("  best %s at recall@10 >= 0.99, %d thread(s):", label, threads);
  for (const auto& [system, qps] : best) std::printf(" %s %.0f", system.c_str(), qps);
  for (const char* other : {"faiss", "hnswlib"}) {
    if (best.count("quiver") && best.count(other)) {
      std::printf(" | quiver/%s %.2fx", other, best["quiver"] / best[other]);
    }
  }
  std::printf("\n");
}

// The targets, per thread count: quiver's best queries/s at recall@10 >= 0.99 is
// >= 1x hnswlib's and >= 3x stock FAISS's.
json SummarizeAtRecall(const std::vector<Row>& rows, const std::vector<int>& threads) {
  json out = json::array();
  for (int t : threads) {
    const auto wall = BestAtRecall(rows, t, &Row::qps);
    const auto cpu = BestAtRecall(rows, t, &Row::qps_cpu);
    PrintBest("queries/s", t, wall);
    PrintBest("q/s per CPU", t, cpu);
    out.push_back(
        {{"threads", t}, {"recall_at_least", 0.99}, {"best_qps", wall}, {"best_qps_per_cpu", cpu}});
  }
  return out;
}

// Builds every index, then sweeps efSearch x threads for each system.
json RunHnsw(const Dataset& ds, const Options& o) {
  const int build_threads = *std::max_element(o.threads.begin(), o.threads.end());
  json result;
  double faiss_s = 0, ours_s = 0, hnswlib_s = 0;
  auto stock = BuildFaiss(ds, o, false, build_threads, &faiss_s);
  auto own_graph = BuildFaiss(ds, o, true, build_threads, &ours_s);
  std::unique_ptr<faiss::IndexHNSW> same_graph(
      dynamic_cast<faiss::IndexHNSW*>(CopyIndex(*stock).release()));
  quiver::simd::AccelerateIndex(same_graph.get());
  std::unique_ptr<Hnswlib> hnswlib;
  if (o.hnswlib) {
    hnswlib = std::make_unique<Hnswlib>(ds, o.hnswlib_m, o.hnswlib_efc, build_threads, &hnswlib_s);
  }
  std::printf("  build (%d threads): faiss HNSW%d efC=%d %.1f s | quiver %.1f s (%.2fx faster)",
              build_threads, o.faiss_m, o.faiss_efc, faiss_s, ours_s, faiss_s / ours_s);
  if (hnswlib) std::printf(" | hnswlib M%d efC=%d %.1f s", o.hnswlib_m, o.hnswlib_efc, hnswlib_s);
  std::printf("\n");
  result["build_seconds"] = {
      {"faiss", faiss_s}, {"quiver", ours_s}, {"hnswlib", hnswlib_s}, {"threads", build_threads}};

  std::vector<System> systems = {{"quiver", FaissSearcher(*same_graph, ds)},
                                 {"faiss", FaissSearcher(*stock, ds)},
                                 {"quiver-graph", FaissSearcher(*own_graph, ds)}};
  if (hnswlib) {
    systems.push_back({"hnswlib", [&](int ef, int t, std::vector<idx_t>& labels) {
                         hnswlib->Search(ef, t, labels);
                       }});
  }
  const std::vector<Row> rows = Sweep(systems, ds, o);
  PrintRows(rows);
  result["rows"] = RowsJson(rows);
  result["summary"] = SummarizeAtRecall(rows, o.threads);
  return result;
}

// One query per search() call, one thread: FAISS's scalar path against quiver's kernels.
json RunFlatSingleQuery(const Dataset& ds, const Options& o) {
  std::unique_ptr<faiss::Index> stock(faiss::index_factory(int(ds.d), "IDMap2,Flat"));
  std::vector<idx_t> ids(ds.nb());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = idx_t(i);
  stock->add_with_ids(ds.nb(), ds.base.data(), ids.data());
  std::unique_ptr<faiss::Index> ours = CopyIndex(*stock);
  quiver::simd::AccelerateIndex(ours.get());
  omp_set_num_threads(1);
  const size_t nq = std::min(o.flat_queries, ds.nq());
  std::vector<idx_t> stock_labels(nq * kK), our_labels(nq * kK);
  std::vector<float> distances(kK);
  auto run = [&](faiss::Index& index, std::vector<idx_t>& labels) {
    return BestSeconds(o.reps,
                       [&] {
                         for (size_t q = 0; q < nq; ++q) {
                           index.search(1, ds.queries.data() + q * ds.d, kK, distances.data(),
                                        &labels[q * kK]);
                         }
                       }) /
           double(nq);
  };
  const double stock_s = run(*stock, stock_labels);
  const double our_s = run(*ours, our_labels);
  const size_t same =
      size_t(std::inner_product(stock_labels.begin(), stock_labels.end(), our_labels.begin(), 0,
                                std::plus<>(), std::equal_to<>()));
  std::printf(
      "  flat, 1 query/call, 1 thread, %zu x %zu: faiss %.2f ms | quiver %.2f ms "
      "(%.2fx) | same ids %zu/%zu\n",
      ds.nb(), ds.d, stock_s * 1e3, our_s * 1e3, stock_s / our_s, same, nq * kK);
  return {{"faiss_ms", stock_s * 1e3}, {"quiver_ms", our_s * 1e3}, {"speedup", stock_s / our_s}};
}

// Nanoseconds per distance over rows resident in cache (compute cost, not memory).
double NanosPerCall(quiver::simd::PairKernel kernel, size_t d) {
  constexpr size_t kRows = 64;
  std::vector<float> rows(kRows * d + 1), query(d);
  std::mt19937 rng(5);
  std::normal_distribution<float> gauss;
  for (float& v : rows) v = gauss(rng);
  for (float& v : query) v = gauss(rng);
  volatile float sink = 0;
  constexpr int kPasses = 2000;
  const double s = BestSeconds(3, [&] {
    float acc = 0;
    for (int p = 0; p < kPasses; ++p) {
      for (size_t j = 0; j < kRows; ++j) acc += kernel(query.data(), rows.data() + 1 + j * d, d);
    }
    sink = acc;
  });
  (void)sink;
  return s * 1e9 / double(kPasses * kRows);
}

json RunKernelCosts() {
  json out = json::array();
  std::printf("kernel cost, ns per distance (cache-resident rows, 1 thread):\n");
  std::printf("  %-8s %5s %8s %8s\n", "kernel", "d", "L2", "IP");
  std::vector<std::pair<std::string, const quiver::simd::KernelSet*>> sets = {
      {"generic", quiver::simd::UsableKernelsByName("generic")},
      {"avx2", quiver::simd::UsableKernelsByName("avx2")},
      {"avx512", quiver::simd::UsableKernelsByName("avx512")}};
  for (size_t d : {128, 384, 784}) {
    auto report = [&](const std::string& name, quiver::simd::PairKernel l2,
                      quiver::simd::PairKernel ip) {
      const double l2_ns = NanosPerCall(l2, d), ip_ns = NanosPerCall(ip, d);
      std::printf("  %-8s %5zu %8.1f %8.1f\n", name.c_str(), d, l2_ns, ip_ns);
      out.push_back({{"kernel", name}, {"d", d}, {"l2_ns", l2_ns}, {"ip_ns", ip_ns}});
    };
    report("faiss", faiss::fvec_L2sqr, faiss::fvec_inner_product);
    for (const auto& [name, set] : sets) {
      if (set != nullptr) report(name, set->l2, set->ip);
    }
  }
  return out;
}

json RunDataset(Dataset ds, const Options& o) {
  std::printf("\n== %s: %zu base x %zu dims, %zu queries, k=%d ==\n", ds.name.c_str(), ds.nb(),
              ds.d, ds.nq(), int(kK));
  omp_set_num_threads(*std::max_element(o.threads.begin(), o.threads.end()));
  const double truth_s = Seconds([&] { ComputeTruth(ds); });
  std::printf("  exact ground truth: %.1f s\n", truth_s);
  json out;
  out["name"] = ds.name;
  out["flat_single_query"] = RunFlatSingleQuery(ds, o);
  out["hnsw"] = RunHnsw(ds, o);
  return out;
}

bool HnswlibRunnable() {
#if defined(QUIVER_HNSWLIB_NEEDS_AVX512)
  return __builtin_cpu_supports("avx512f");
#else
  return true;
#endif
}

int Run(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress visible when piped to a file.
  Options o = ParseOptions(argc, argv);
  if (o.hnswlib && !HnswlibRunnable()) {
    std::printf("hnswlib skipped: it is compiled for AVX-512F, which this CPU lacks\n");
    o.hnswlib = false;
  }
  std::printf("quiver kernel: %s | hnswlib distance: %s | OpenMP max threads: %d\n",
              std::string(quiver::simd::ActiveKernelName()).c_str(),
              !o.hnswlib        ? "n/a"
              : AVX512Capable() ? "avx512"
                                : "avx",
              omp_get_max_threads());
  json report;
  report["kernel"] = std::string(quiver::simd::ActiveKernelName());
  report["kernel_costs"] = RunKernelCosts();
  if (o.fmnist) report["datasets"].push_back(RunDataset(LoadFashionMnist(o), o));
  if (o.synthetic) {
    report["datasets"].push_back(
        RunDataset(MakeLowRank(o.synthetic_n, o.queries, o.synthetic_d), o));
  }
  if (!o.json_path.empty()) std::ofstream(o.json_path) << report.dump(2) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hnsw_harness: %s\n", e.what());
    return 1;
  }
}
