// Import time of word vectors at GloVe 6B scale: a synthetic 400,000 × 100 file in GloVe text
// (six decimals, as GloVe writes them) and the same vectors as word2vec binary. The files are
// generated once into $TMPDIR (or /tmp) and reused by later runs.
//
//   build/bench/embed_import_bench --benchmark_repetitions=3
//
// Target: a GloVe 400k×100-class import in ≤ 15 s on 2 cores.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "embed/word_vectors.h"

namespace quiver::embed {
namespace {

constexpr int kWords = 400000;
constexpr int kDim = 100;

std::string TmpDir() {
  const char* env = std::getenv("TMPDIR");
  return env != nullptr && *env != '\0' ? env : "/tmp";
}

// Writes the synthetic vectors to `path` unless a complete copy (same size) is already there.
// Words are "w<i>"; components are Gaussian with σ = 0.4, like GloVe's.
void Generate(const std::string& path, bool binary) {
  const std::string partial = path + ".partial";
  std::FILE* f = std::fopen(partial.c_str(), "wb");
  if (f == nullptr) std::abort();
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 0.4f);
  if (binary) std::fprintf(f, "%d %d\n", kWords, kDim);
  std::string line;
  std::vector<float> row(kDim);
  char num[32];
  for (int i = 0; i < kWords; ++i) {
    line = "w" + std::to_string(i);
    for (float& x : row) x = normal(rng);
    if (binary) {
      line += ' ';
      line.append(reinterpret_cast<const char*>(row.data()), kDim * sizeof(float));
    } else {
      for (float x : row) {
        auto [end, ec] = std::to_chars(num, num + sizeof num, x, std::chars_format::fixed, 6);
        line += ' ';
        line.append(num, end);
      }
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), f);
  }
  std::fclose(f);
  std::filesystem::rename(partial, path);
}

const std::string& File(bool binary) {
  static const std::string text = TmpDir() + "/quiver_bench_glove_400k_100d.txt";
  static const std::string bin = TmpDir() + "/quiver_bench_w2v_400k_100d.bin";
  const std::string& path = binary ? bin : text;
  if (!std::filesystem::exists(path)) Generate(path, binary);
  return path;
}

double PeakRssMiB() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

void Import(benchmark::State& state, bool binary) {
  const std::string& path = File(binary);
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  for (auto _ : state) {
    Result<WordVectors> r = ReadWordVectors(path);
    if (!r.ok() || r->matrix.rows != kWords || r->matrix.cols != kDim) {
      state.SkipWithError(r.ok() ? "wrong shape" : r.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->matrix.data.data());
  }
  state.SetBytesProcessed(bytes * state.iterations());
  state.counters["file_MB"] = bytes / 1e6;
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}

void BM_ImportGloveText_400k_100d(benchmark::State& state) { Import(state, false); }
void BM_ImportWord2VecBinary_400k_100d(benchmark::State& state) { Import(state, true); }

BENCHMARK(BM_ImportGloveText_400k_100d)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_ImportWord2VecBinary_400k_100d)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace quiver::embed

BENCHMARK_MAIN();
