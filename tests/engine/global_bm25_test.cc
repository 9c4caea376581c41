// Global BM25 statistics (DB::TermStatistics, QueryOptions::statistics): a corpus split over
// four databases by hash(id) % 4, deliberately skewed (one shard holds most documents, and
// every document with the rare term), scores every document exactly (==) as one database
// holding the whole corpus does, once each shard queries with the sum of the four shards'
// statistics. Without them the skewed shard's scores differ, so the check can fail.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 4;
constexpr int kShards = 4;
constexpr int kDocs = 600;

size_t ShardOf(const std::string& id) { return std::hash<std::string>{}(id) % kShards; }

// An id for document `i` that hash(id) % 4 sends to `shard`.
std::string IdInShard(int i, size_t shard) {
  for (int attempt = 0;; ++attempt) {
    std::string id = "doc-" + std::to_string(i) + "-" + std::to_string(attempt);
    if (ShardOf(id) == shard) return id;
  }
}

// Words of a text: common ones often, "rare" in 1 document of 40, all landing on shard 0.
struct Corpus {
  std::vector<Record> records;
  std::vector<std::string> deleted;  // ids deleted after the upsert (tombstones)
};

Corpus MakeCorpus() {
  const std::vector<std::string> words = {"alpha", "beta",    "gamma", "delta", "epsilon", "zeta",
                                          "eta",   "theta",   "iota",  "kappa", "lambda",  "mu",
                                          "proxy", "proxies", "mail",  "server"};
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, static_cast<int>(words.size()) - 1);
  std::uniform_int_distribution<int> length(3, 30);
  std::uniform_int_distribution<int> percent(0, 99);
  Corpus corpus;
  const std::vector<float> vectors = test::RandomVectors(kDocs, kDim, 11);
  for (int i = 0; i < kDocs; ++i) {
    const bool rare = i % 40 == 0;
    // Shard 0 gets 70% of the documents and every rare one.
    const size_t shard = rare || percent(rng) < 70 ? 0 : 1 + static_cast<size_t>(i % 3);
    Record r;
    r.id = IdInShard(i, shard);
    r.vector.assign(vectors.begin() + i * kDim, vectors.begin() + (i + 1) * kDim);
    const int n = length(rng);
    for (int w = 0; w < n; ++w) r.text += words[pick(rng)] + " ";
    if (rare) r.text += "xylophone alpha beta";
    if (i % 50 == 7) corpus.deleted.push_back(r.id);
    corpus.records.push_back(std::move(r));
  }
  // A record without text counts as a document of length 0 in every database alike.
  Record empty;
  empty.id = IdInShard(kDocs, 2);
  empty.vector = {1, 0, 0, 0};
  corpus.records.push_back(empty);
  return corpus;
}

class GlobalBm25Test : public ::testing::Test {
 protected:
  void SetUp() override {
    const Corpus corpus = MakeCorpus();
    whole_ = test::OpenOrDie(dir_.Sub("whole"), test::CreateOptions(kDim));
    ASSERT_TRUE(whole_->Upsert(corpus.records).ok());
    ASSERT_TRUE(whole_->Delete(corpus.deleted).ok());
    std::vector<std::vector<Record>> split(kShards);
    std::vector<std::vector<std::string>> split_deleted(kShards);
    for (const Record& r : corpus.records) split[ShardOf(r.id)].push_back(r);
    for (const std::string& id : corpus.deleted) split_deleted[ShardOf(id)].push_back(id);
    for (int s = 0; s < kShards; ++s) {
      shards_.push_back(
          test::OpenOrDie(dir_.Sub("shard" + std::to_string(s)), test::CreateOptions(kDim)));
      ASSERT_TRUE(shards_[s]->Upsert(split[s]).ok());
      ASSERT_TRUE(shards_[s]->Delete(split_deleted[s]).ok());
    }
    ASSERT_GT(split[0].size(), corpus.records.size() / 2) << "the split should be skewed";
  }

  static QueryOptions Bm25(int k) {
    QueryOptions options;
    options.mode = QueryMode::kBm25;
    options.k = k;
    options.dedupe = false;
    return options;
  }

  std::shared_ptr<const CorpusStatistics> SummedStatistics(const std::vector<std::string>& texts) {
    auto sum = std::make_shared<CorpusStatistics>();
    for (auto& shard : shards_) {
      auto statistics = shard->TermStatistics(texts);
      EXPECT_TRUE(statistics.ok()) << statistics.status().ToString();
      if (statistics.ok()) *sum += *statistics;
    }
    return sum;
  }

  // id -> score over every shard's hits.
  std::map<std::string, float> ShardScores(const std::string& text, const QueryOptions& options) {
    std::map<std::string, float> scores;
    for (auto& shard : shards_) {
      auto hits = shard->Query(text, options);
      EXPECT_TRUE(hits.ok()) << hits.status().ToString();
      if (!hits.ok()) continue;
      for (const Hit& hit : *hits) scores[hit.id] = hit.score;
    }
    return scores;
  }

  std::map<std::string, float> WholeScores(const std::string& text, const QueryOptions& options) {
    std::map<std::string, float> scores;
    auto hits = whole_->Query(text, options);
    EXPECT_TRUE(hits.ok()) << hits.status().ToString();
    if (hits.ok()) {
      for (const Hit& hit : *hits) scores[hit.id] = hit.score;
    }
    return scores;
  }

  test::TempDir dir_;
  std::unique_ptr<DB> whole_;
  std::vector<std::unique_ptr<DB>> shards_;
};

const std::vector<std::string> kQueries = {
    "alpha",
    "xylophone",
    "alpha beta xylophone",
    "\"alpha beta\" gamma",
    "+proxy mail",
    "server -delta theta",
    "+\"alpha beta\" -xylophone iota",
    "unknownword alpha",
};

TEST_F(GlobalBm25Test, SummedStatisticsEqualTheWholeDatabases) {
  for (const std::string& text : kQueries) {
    auto whole = whole_->TermStatistics({text});
    ASSERT_TRUE(whole.ok()) << whole.status().ToString();
    EXPECT_EQ(*SummedStatistics({text}), *whole) << text;
  }
  auto phrase = whole_->TermStatistics({"\"alpha beta\""});
  ASSERT_TRUE(phrase.ok());
  EXPECT_TRUE(phrase->frequencies.contains("alpha beta"));
  EXPECT_FALSE(phrase->constrained);
  auto constrained = whole_->TermStatistics({"alpha", "+proxy mail"});
  ASSERT_TRUE(constrained.ok());
  EXPECT_TRUE(constrained->constrained);
  EXPECT_EQ(constrained->frequencies.count("proxi"), 1u) << "terms are stored stemmed";
}

TEST_F(GlobalBm25Test, EveryShardScoresEveryDocumentAsTheWholeDatabase) {
  const QueryOptions local = Bm25(kDocs + 10);
  for (const std::string& text : kQueries) {
    QueryOptions global = local;
    global.statistics = SummedStatistics({text});
    const std::map<std::string, float> expected = WholeScores(text, local);
    ASSERT_FALSE(expected.empty()) << text;
    const std::map<std::string, float> found = ShardScores(text, global);
    ASSERT_EQ(found.size(), expected.size()) << text;
    for (const auto& [id, score] : expected) {
      ASSERT_TRUE(found.contains(id)) << text << ": " << id;
      EXPECT_EQ(found.at(id), score) << text << ": " << id;  // bit for bit
    }
  }
}

TEST_F(GlobalBm25Test, LocalStatisticsOfASkewedShardScoreDifferently) {
  const QueryOptions local = Bm25(kDocs + 10);
  const std::map<std::string, float> expected = WholeScores("xylophone alpha", local);
  const std::map<std::string, float> found = ShardScores("xylophone alpha", local);
  size_t differing = 0;
  for (const auto& [id, score] : expected) differing += found.at(id) != score ? 1 : 0;
  EXPECT_GT(differing, expected.size() / 2);
}

TEST_F(GlobalBm25Test, OneStatisticsObjectServesABatchAndTopKMerges) {
  QueryOptions global = Bm25(5);
  global.statistics = SummedStatistics(kQueries);
  for (auto& shard : shards_) {
    auto batch = shard->QueryBatch(kQueries, global);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    for (size_t q = 0; q < kQueries.size(); ++q) {
      auto one = shard->Query(kQueries[q], global);
      ASSERT_TRUE(one.ok());
      ASSERT_EQ(test::HitIds((*batch)[q]), test::HitIds(*one));
    }
  }
  // The best 5 of the shards' best 5 are the whole database's best 5.
  for (const std::string& text : kQueries) {
    std::vector<Hit> merged;
    for (auto& shard : shards_) {
      auto hits = shard->Query(text, global);
      ASSERT_TRUE(hits.ok());
      merged.insert(merged.end(), hits->begin(), hits->end());
    }
    std::sort(merged.begin(), merged.end(),
              [](const Hit& a, const Hit& b) { return a.score > b.score; });
    auto whole = whole_->Query(text, Bm25(5));
    ASSERT_TRUE(whole.ok());
    for (size_t i = 0; i < whole->size(); ++i) EXPECT_EQ(merged[i].score, (*whole)[i].score);
  }
}

TEST_F(GlobalBm25Test, InconsistentStatisticsAreRejected) {
  QueryOptions options = Bm25(5);
  auto statistics = std::make_shared<CorpusStatistics>();
  statistics->documents = 3;
  statistics->total_length = 30;
  statistics->frequencies["alpha"] = 4;
  options.statistics = statistics;
  auto hits = whole_->Query("alpha", options);
  ASSERT_TRUE(hits.status().IsInvalidArgument());
  EXPECT_NE(hits.status().message().find("found 4 for 'alpha'"), std::string::npos)
      << hits.status().ToString();
}

TEST_F(GlobalBm25Test, AClauseMissingFromTheStatisticsHasDfZero) {
  // The statistics were gathered for another text: "gamma" scores with df 0 (the highest
  // idf), the same on every database.
  QueryOptions options = Bm25(kDocs);
  options.statistics = SummedStatistics({"alpha"});
  const std::map<std::string, float> found = ShardScores("gamma", options);
  auto whole = whole_->Query("gamma", options);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(found.size(), whole->size());
  for (const Hit& hit : *whole) EXPECT_EQ(found.at(hit.id), hit.score);
}

}  // namespace
}  // namespace quiver
