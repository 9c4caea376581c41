// Training token vectors (co-occurrence counting, PPMI, randomized SVD) on a ~10 MB corpus: wall
// time and the process's peak RSS (getrusage). The corpus is the Brown corpus (fetched by
// scripts/fetch_test_data.sh) repeated up to 10 MB, split on whitespace, lines as sentences; the
// vocabulary is the most frequent words (the real tokenizer path is wired elsewhere).
//
//   build/bench/embed_train_bench
//
// The data directory is $QUIVER_TEST_DATA_CACHE, else <repo>/.cache/testdata.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "embed/cooccurrence.h"
#include "embed/ppmi_svd.h"

namespace quiver::embed {
namespace {

constexpr size_t kCorpusBytes = 10'000'000;

std::string DataDir() {
  if (const char* env = std::getenv("QUIVER_TEST_DATA_CACHE")) return env;
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / ".cache/testdata").string();
}

// Brown repeated until kCorpusBytes, cut at a line end. Empty when the file is missing.
std::string LoadCorpus() {
  std::ifstream in(DataDir() + "/brown.txt", std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string brown = ss.str();
  if (brown.empty()) return {};
  std::string corpus;
  while (corpus.size() < kCorpusBytes) corpus += brown;
  const size_t cut = corpus.find('\n', kCorpusBytes);
  if (cut != std::string::npos) corpus.resize(cut + 1);
  return corpus;
}

std::vector<std::vector<std::string_view>> SplitLines(const std::string& text) {
  std::vector<std::vector<std::string_view>> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::vector<std::string_view> words;
    size_t i = pos;
    while (i < end) {
      while (i < end && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r')) ++i;
      size_t j = i;
      while (j < end && text[j] != ' ' && text[j] != '\t' && text[j] != '\r') ++j;
      if (j > i) words.emplace_back(text.data() + i, j - i);
      i = j;
    }
    lines.push_back(std::move(words));
    pos = end + 1;
  }
  return lines;
}

// Ids by descending frequency (ties by spelling), the `vocab` most frequent words; others -1.
std::vector<std::vector<int32_t>> ToIds(const std::vector<std::vector<std::string_view>>& lines,
                                        int32_t vocab) {
  std::unordered_map<std::string_view, int64_t> freq;
  for (const auto& line : lines) {
    for (std::string_view w : line) ++freq[w];
  }
  std::vector<std::pair<int64_t, std::string_view>> ranked;
  for (const auto& [w, n] : freq) ranked.emplace_back(-n, w);
  std::sort(ranked.begin(), ranked.end());
  std::unordered_map<std::string_view, int32_t> id;
  for (int32_t i = 0; i < vocab && i < static_cast<int32_t>(ranked.size()); ++i) {
    id[ranked[i].second] = i;
  }
  std::vector<std::vector<int32_t>> out;
  out.reserve(lines.size());
  for (const auto& line : lines) {
    std::vector<int32_t> ids;
    ids.reserve(line.size());
    for (std::string_view w : line) {
      auto it = id.find(w);
      ids.push_back(it == id.end() ? -1 : it->second);
    }
    out.push_back(std::move(ids));
  }
  return out;
}

double PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Args: vocabulary size, dimension.
void BM_TrainPpmiSvd(benchmark::State& state) {
  const std::string corpus = LoadCorpus();
  if (corpus.empty()) {
    state.SkipWithError("brown.txt not found: run scripts/fetch_test_data.sh");
    return;
  }
  const auto vocab = static_cast<int32_t>(state.range(0));
  PpmiSvdOptions options;
  options.dim = static_cast<int>(state.range(1));
  const std::vector<std::vector<int32_t>> sentences = ToIds(SplitLines(corpus), vocab);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    Result<CooccurrenceCounter> counter = CooccurrenceCounter::Create(vocab, options.cooccurrence);
    if (!counter.ok()) return state.SkipWithError(counter.status().ToString().c_str());
    for (const auto& ids : sentences) counter->Add(ids);
    const double count_s = Seconds(start);
    Result<EmbeddingMatrix> w = TrainPpmiSvd(*counter, options);
    if (!w.ok()) return state.SkipWithError(w.status().ToString().c_str());
    const double total_s = Seconds(start);
    state.SetIterationTime(total_s);
    state.counters["count_s"] = count_s;
    state.counters["ppmi_svd_s"] = total_s - count_s;
    state.counters["tokens"] = static_cast<double>(counter->total_tokens());
    state.counters["pairs"] = static_cast<double>(counter->distinct_pairs());
    state.counters["table_MiB"] = static_cast<double>(counter->MemoryBytes()) / (1 << 20);
    benchmark::DoNotOptimize(w->data.data());
  }
  state.counters["corpus_MB"] = static_cast<double>(corpus.size()) / 1e6;
  state.counters["peak_rss_MiB"] = PeakRssMiB();
}
BENCHMARK(BM_TrainPpmiSvd)
    ->Args({30000, 100})
    ->Args({30000, 300})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kSecond);

}  // namespace
}  // namespace quiver::embed

BENCHMARK_MAIN();
