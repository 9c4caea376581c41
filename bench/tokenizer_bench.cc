// Encode throughput of each tokenizer kind on real English prose (the Brown corpus, fetched by
// scripts/fetch_test_data.sh), one paragraph per call, one thread; and sentencepiece called
// directly, the baseline for quiver's sentencepiece path.
//
//   scripts/fetch_test_data.sh
//   build/bench/tokenizer_bench --benchmark_min_time=2
//
// The data directory is $QUIVER_TEST_DATA_CACHE, else <repo>/.cache/testdata.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/raw_sentencepiece.h"
#include "tokenizer/tokenizer.h"

namespace quiver {
namespace {

std::string DataDir() {
  if (const char* env = std::getenv("QUIVER_TEST_DATA_CACHE")) return env;
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / ".cache/testdata").string();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The corpus as paragraphs (lines), about 6 MB in all.
const std::vector<std::string>& Paragraphs() {
  static const std::vector<std::string> paragraphs = [] {
    std::vector<std::string> out;
    std::istringstream in(Slurp(DataDir() + "/brown.txt"));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(line);
    }
    return out;
  }();
  return paragraphs;
}

size_t CorpusBytes() {
  size_t n = 0;
  for (const std::string& p : Paragraphs()) n += p.size();
  return n;
}

const Tokenizer* Cached(const std::string& key) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> cache;
  auto it = cache.find(key);
  if (it != cache.end()) return it->second.get();
  Result<std::unique_ptr<Tokenizer>> tok = Status::NotFound(key);
  if (key == "word") {
    // A GloVe-like vocabulary: every distinct lower-cased word of the corpus.
    auto seed = MakeWordTokenizer({});
    std::map<std::string, int> seen;
    std::vector<std::string> vocab;
    for (const std::string& p : Paragraphs()) {
      const Encoding enc = (*seed)->Encode(p).value();
      for (const TokenOffset& o : enc.offsets) {
        std::string w = p.substr(o.begin, o.end - o.begin);
        for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (seen.emplace(w, 0).second) vocab.push_back(w);
      }
    }
    tok = MakeWordTokenizer(vocab);
  } else {
    tok = LoadTokenizerFile(DataDir() + "/" + key);
  }
  if (!tok.ok()) {
    std::fprintf(stderr, "tokenizer_bench: %s (run scripts/fetch_test_data.sh)\n",
                 tok.status().ToString().c_str());
    std::exit(1);
  }
  return (cache[key] = std::move(tok.value())).get();
}

void EncodeAll(benchmark::State& state, const std::string& key) {
  const Tokenizer* tok = Cached(key);
  const auto& paragraphs = Paragraphs();
  size_t tokens = 0;
  for (auto _ : state) {
    for (const std::string& p : paragraphs) {
      auto ids = tok->EncodeIds(p);
      tokens += ids->size();
      benchmark::DoNotOptimize(ids->data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
  state.counters["tokens/s"] =
      benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
}

void BM_SentencePiece_Llama2_Quiver(benchmark::State& state) { EncodeAll(state, "llama2.model"); }

void BM_SentencePiece_Llama2_Direct(benchmark::State& state) {
  auto raw = RawSentencePiece::Load(Slurp(DataDir() + "/llama2.model"));
  if (!raw.ok()) {
    state.SkipWithError(raw.status().ToString().c_str());
    return;
  }
  const auto& paragraphs = Paragraphs();
  std::vector<int> ids;
  for (auto _ : state) {
    for (const std::string& p : paragraphs) {
      (*raw)->Encode(p, &ids);
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
}

void BM_HfBpe_Mistral(benchmark::State& state) { EncodeAll(state, "mistral_tokenizer.json"); }
void BM_HfBpe_Llama3(benchmark::State& state) { EncodeAll(state, "llama3_tokenizer.json"); }
void BM_Word(benchmark::State& state) { EncodeAll(state, "word"); }

// Encode with pieces and offsets (what `quiver tokenize` uses), Llama-3.
void BM_HfBpe_Llama3_WithOffsets(benchmark::State& state) {
  const Tokenizer* tok = Cached("llama3_tokenizer.json");
  for (auto _ : state) {
    for (const std::string& p : Paragraphs()) {
      auto enc = tok->Encode(p);
      benchmark::DoNotOptimize(enc->ids.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * CorpusBytes()));
}

BENCHMARK(BM_SentencePiece_Llama2_Direct)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SentencePiece_Llama2_Quiver)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HfBpe_Mistral)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HfBpe_Llama3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HfBpe_Llama3_WithOffsets)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Word)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace quiver

BENCHMARK_MAIN();
