// Text embedding throughput through the engine (DB::Embed: tokenize, pool, copy out the token
// vectors), one thread, in MB of UTF-8 text per second of wall time. The text is the Brown
// corpus (scripts/fetch_test_data.sh's brown.txt, 6 MB, one paragraph per line), embedded one
// paragraph per call (~100 bytes) and in ~1 KB chunks of whole paragraphs. Two models:
//   * trained: DB::TrainModel on brown.txt (sentencepiece unigram 8000, dim 100, window 5,
//     seed 42: the TrainOptions defaults; SIF pooling), trained once per run (~15 s);
//   * glove100: GloVe 6B 100d (glove100.txt, 341,479 words) through DB::ImportWordVectors
//     (word tokenizer, mean pooling); skipped when the cache lacks it.
//
//   build/bench/embed_text_bench
//
// Target: >= 5 MB/s of text, single thread. The data directory is
// $QUIVER_TEST_DATA_CACHE, else <repo>/.cache/testdata.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "quiver/db.h"

namespace quiver {
namespace {

constexpr int kDim = 100;
constexpr size_t kChunkBytes = 1000;

std::string DataDir() {
  if (const char* env = std::getenv("QUIVER_TEST_DATA_CACHE")) return env;
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / ".cache/testdata").string();
}

// The non-empty lines of brown.txt; empty when the file is missing.
const std::vector<std::string>& Paragraphs() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> out;
    std::ifstream in(DataDir() + "/brown.txt", std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(std::move(line));
    }
    return out;
  }();
  return lines;
}

// Consecutive paragraphs joined by '\n' into texts of at least kChunkBytes (the last may be
// shorter).
const std::vector<std::string>& Chunks() {
  static const std::vector<std::string> chunks = [] {
    std::vector<std::string> out;
    std::string chunk;
    for (const std::string& p : Paragraphs()) {
      if (!chunk.empty()) chunk += '\n';
      chunk += p;
      if (chunk.size() >= kChunkBytes) {
        out.push_back(std::move(chunk));
        chunk.clear();
      }
    }
    if (!chunk.empty()) out.push_back(std::move(chunk));
    return out;
  }();
  return chunks;
}

// A database in a scratch directory, removed (after closing) at destruction.
struct ScratchDb {
  std::string dir;
  std::unique_ptr<DB> db;
  std::string error;  // why `db` is null
  ~ScratchDb() {
    if (db != nullptr) (void)db->Close();
    db.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

// Opens a fresh dim-100 database, gives it a model with `make_model`, and embeds one text so
// that loading the model is not timed.
template <typename MakeModel>
std::unique_ptr<ScratchDb> MakeDb(const std::string& name, MakeModel make_model) {
  auto s = std::make_unique<ScratchDb>();
  s->dir = (std::filesystem::temp_directory_path() /
            ("quiver_embed_text_bench_" + std::to_string(getpid()) + "_" + name))
               .string();
  std::filesystem::remove_all(s->dir);
  Options options;
  options.create_if_missing = true;
  options.dimension = kDim;
  auto db = DB::Open(options, s->dir);
  if (!db.ok()) {
    s->error = db.status().ToString();
    return s;
  }
  s->db = std::move(*db);
  Status made = make_model(*s->db);
  if (made.ok()) made = s->db->Embed("warm up").status();
  if (!made.ok()) {
    s->error = made.ToString();
    s->db.reset();
  }
  return s;
}

// The database with a model trained on brown.txt, made on first use.
const ScratchDb& TrainedDb() {
  static const auto s = MakeDb(
      "trained", [](DB& db) { return db.TrainModel({DataDir() + "/brown.txt"}, TrainOptions{}); });
  return *s;
}

// The database with GloVe 6B 100d imported, made on first use.
const ScratchDb& GloveDb() {
  static const auto s = MakeDb("glove100", [](DB& db) {
    return db.ImportWordVectors(DataDir() + "/glove100.txt", "glove");
  });
  return *s;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Embeds every text of `texts` once per iteration. Counters: MB_per_s (text bytes / wall
// seconds), us_per_text, and per pass the tokens and those with a vector.
void EmbedAll(benchmark::State& state, const ScratchDb& s, const std::vector<std::string>& texts) {
  if (s.db == nullptr) return state.SkipWithError(s.error.c_str());
  int64_t bytes = 0;
  for (const std::string& t : texts) bytes += static_cast<int64_t>(t.size());
  int64_t tokens = 0, known_tokens = 0;
  double seconds = 0;
  for (auto _ : state) {
    tokens = known_tokens = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const std::string& t : texts) {
      Result<EmbeddedText> e = s.db->Embed(t);
      if (!e.ok()) return state.SkipWithError(e.status().ToString().c_str());
      tokens += static_cast<int64_t>(e->tokens.size());
      known_tokens += e->known_tokens;
      benchmark::DoNotOptimize(e->vector.data());
    }
    const double elapsed = Seconds(start);
    state.SetIterationTime(elapsed);
    seconds += elapsed;
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["MB_per_s"] = static_cast<double>(bytes) * iterations / 1e6 / seconds;
  state.counters["us_per_text"] = seconds * 1e6 / (iterations * static_cast<double>(texts.size()));
  state.counters["texts"] = static_cast<double>(texts.size());
  state.counters["text_MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["tokens"] = static_cast<double>(tokens);
  state.counters["known_tokens"] = static_cast<double>(known_tokens);
}

// Arg: 0 = one paragraph per call, 1 = ~1 KB chunks.
const std::vector<std::string>* Texts(benchmark::State& state) {
  if (Paragraphs().empty()) {
    state.SkipWithError("brown.txt not found: run scripts/fetch_test_data.sh");
    return nullptr;
  }
  return state.range(0) == 0 ? &Paragraphs() : &Chunks();
}

void BM_EmbedTrained(benchmark::State& state) {
  if (const auto* texts = Texts(state)) EmbedAll(state, TrainedDb(), *texts);
}

void BM_EmbedGlove100(benchmark::State& state) {
  const auto* texts = Texts(state);
  if (texts == nullptr) return;
  if (!std::filesystem::exists(DataDir() + "/glove100.txt")) {
    return state.SkipWithError("glove100.txt not found: run scripts/fetch_test_data.sh");
  }
  EmbedAll(state, GloveDb(), *texts);
}

BENCHMARK(BM_EmbedTrained)
    ->ArgName("chunked")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EmbedGlove100)
    ->ArgName("chunked")
    ->Arg(0)
    ->Arg(1)
    ->Iterations(3)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace quiver

BENCHMARK_MAIN();
