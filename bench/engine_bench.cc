// Micro-benchmarks of quiver::DB through its public API, on 384-dimensional
// low-rank synthetic vectors (bench/common/dataset.h), cosine metric, default options.
//
//   BM_UpsertFlatBatch1000   one Upsert of 1000 new records into a growing Flat database
//                            (a synced RocksDB write + index add; checkpoints every 50000
//                            operations as configured by default). items/s = vectors/s.
//   BM_SearchFlat10k         one k=10 DB::Search on a 10k-record Flat database.
//   BM_RawFaissFlat10k       the same query against a bare FAISS IndexFlatIP (reference).
//   BM_SearchHNSW10k         one k=10 DB::Search (efSearch 64) on a 10k-record HNSW32 database.
//   BM_GetById               DB::Get of a random existing id in the 10k Flat database.
//
// Databases live under /tmp and are deleted at exit.

#include <benchmark/benchmark.h>
#include <faiss/IndexFlat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "bench/common/dataset.h"
#include "quiver/db.h"

namespace {

constexpr int kDim = 384;
constexpr size_t kSearchN = 10000;
constexpr size_t kQueries = 256;

std::string TempPath(const std::string& name) {
  return "/tmp/quiver_engine_bench_" + std::to_string(::getpid()) + "_" + name;
}

[[noreturn]] void Die(const std::string& what, const quiver::Status& s) {
  std::fprintf(stderr, "engine_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

std::unique_ptr<quiver::DB> Create(const std::string& path, const std::string& spec) {
  std::filesystem::remove_all(path);
  quiver::Options options;
  options.create_if_missing = true;
  options.dimension = kDim;
  options.index_spec = spec;
  auto db = quiver::DB::Open(options, path);
  if (!db.ok()) Die("create " + path, db.status());
  return std::move(db.value());
}

// Records "<prefix><first + i>" for rows [0, n) of `data`.
std::vector<quiver::Record> MakeRecords(const std::vector<float>& data, size_t n, size_t first,
                                        const std::string& prefix) {
  std::vector<quiver::Record> records(n);
  for (size_t i = 0; i < n; ++i) {
    records[i].id = prefix + std::to_string(first + i);
    records[i].vector.assign(data.begin() + i * kDim, data.begin() + (i + 1) * kDim);
  }
  return records;
}

const std::vector<float>& Queries() {
  static const std::vector<float> queries = quiver::bench::MakeLowRank(kQueries, kDim, 32, 99);
  return queries;
}

// 10k-record databases by spec, built on first use; closed and deleted by DropSearchDbs.
std::map<std::string, std::unique_ptr<quiver::DB>>& SearchDbs() {
  static auto* dbs = new std::map<std::string, std::unique_ptr<quiver::DB>>;
  return *dbs;
}

void DropSearchDbs() {
  for (auto& [spec, db] : SearchDbs()) {
    db.reset();
    std::filesystem::remove_all(TempPath("search_" + spec));
  }
  SearchDbs().clear();
}

quiver::DB* SearchDb(const std::string& spec) {
  auto& db = SearchDbs()[spec];
  if (db == nullptr) {
    db = Create(TempPath("search_" + spec), spec);
    const auto base = quiver::bench::MakeLowRank(kSearchN, kDim, 32, 7);
    for (size_t first = 0; first < kSearchN; first += 1000) {
      std::vector<float> chunk(base.begin() + first * kDim, base.begin() + (first + 1000) * kDim);
      if (auto s = db->Upsert(MakeRecords(chunk, 1000, first, "v")); !s.ok()) Die("upsert", s);
    }
  }
  return db.get();
}

void BM_UpsertFlatBatch1000(benchmark::State& state) {
  const std::string path = TempPath("upsert");
  auto db = Create(path, "Flat");
  // A pool of distinct vectors reused with fresh ids, so every Upsert adds new records.
  const size_t pool = 20000;
  const auto data = quiver::bench::MakeLowRank(pool, kDim, 32, 11);
  size_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const size_t offset = (next % pool) / 1000 * 1000;
    std::vector<float> chunk(data.begin() + offset * kDim, data.begin() + (offset + 1000) * kDim);
    auto records = MakeRecords(chunk, 1000, next, "u");
    next += 1000;
    state.ResumeTiming();
    if (auto s = db->Upsert(records); !s.ok()) Die("upsert", s);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1000);
  db.reset();
  std::filesystem::remove_all(path);
}
BENCHMARK(BM_UpsertFlatBatch1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void SearchLoop(benchmark::State& state, const std::string& spec) {
  quiver::DB* db = SearchDb(spec);
  const auto& queries = Queries();
  quiver::SearchOptions options;
  options.k = 10;
  size_t q = 0;
  for (auto _ : state) {
    auto hits =
        db->Search(std::span<const float>(&queries[(q++ % kQueries) * kDim], kDim), options);
    if (!hits.ok()) Die("search", hits.status());
    benchmark::DoNotOptimize(hits->data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_SearchFlat10k(benchmark::State& state) { SearchLoop(state, "Flat"); }
BENCHMARK(BM_SearchFlat10k)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_RawFaissFlat10k(benchmark::State& state) {
  auto base = quiver::bench::MakeLowRank(kSearchN, kDim, 32, 7);
  auto queries = Queries();
  quiver::bench::NormalizeRows(base.data(), kSearchN, kDim);
  quiver::bench::NormalizeRows(queries.data(), kQueries, kDim);
  faiss::IndexFlatIP index(kDim);
  index.add(static_cast<faiss::Index::idx_t>(kSearchN), base.data());
  std::vector<float> distances(10);
  std::vector<faiss::Index::idx_t> labels(10);
  size_t q = 0;
  for (auto _ : state) {
    index.search(1, &queries[(q++ % kQueries) * kDim], 10, distances.data(), labels.data());
    benchmark::DoNotOptimize(labels.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RawFaissFlat10k)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_SearchHNSW10k(benchmark::State& state) { SearchLoop(state, "HNSW32"); }
BENCHMARK(BM_SearchHNSW10k)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_GetById(benchmark::State& state) {
  quiver::DB* db = SearchDb("Flat");
  uint64_t x = 12345;
  for (auto _ : state) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    auto record = db->Get("v" + std::to_string((x >> 33) % kSearchN));
    if (!record.ok()) Die("get", record.status());
    benchmark::DoNotOptimize(record->vector.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_GetById)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  DropSearchDbs();
  return 0;
}
