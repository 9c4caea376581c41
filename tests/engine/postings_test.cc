// BM25 postings: what PostingsWriter stores scores exactly as BM25 computed directly from the
// documents' token ids, after adds and removes; RRF fuses ranks as defined.
#include "engine/postings.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "storage/store.h"
#include "tests/fixtures/test_util.h"

namespace quiver::engine {
namespace {

using Documents = std::map<uint64_t, std::vector<int32_t>>;

// BM25 of every document for `query`, from the token ids themselves.
std::map<uint64_t, double> DirectBm25(const Documents& docs, const std::vector<int32_t>& query,
                                      double k1, double b) {
  double total = 0;
  for (const auto& [id, tokens] : docs) total += tokens.size();
  const double n = docs.size(), average = total / n;
  std::map<int32_t, int> query_counts;
  for (int32_t t : query) ++query_counts[t];
  std::map<uint64_t, double> scores;
  for (const auto& [term, qtf] : query_counts) {
    double df = 0;
    for (const auto& [id, tokens] : docs) df += std::count(tokens.begin(), tokens.end(), term) > 0;
    if (df == 0) continue;
    const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
    for (const auto& [id, tokens] : docs) {
      const double tf = std::count(tokens.begin(), tokens.end(), term);
      if (tf == 0) continue;
      scores[id] += qtf * idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * tokens.size() / average));
    }
  }
  return scores;
}

class PostingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open(dir_.Sub("store"), storage::Store::Mode::kReadWrite, true);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  // Adds `add` and removes `remove` in one batch.
  void Apply(const Documents& add, const std::vector<uint64_t>& remove) {
    storage::WriteBatch batch;
    PostingsWriter writer(store_.get(), &batch);
    for (uint64_t id : remove) ASSERT_TRUE(writer.Remove(id).ok());
    for (const auto& [id, tokens] : add) {
      writer.Add(id, CountTerms(tokens), static_cast<uint32_t>(tokens.size()));
    }
    auto stats = writer.Finish(stats_);
    ASSERT_TRUE(stats.ok());
    stats_ = *stats;
    ASSERT_TRUE(store_->Write(batch).ok());
  }

  void ExpectScoresMatch(const Documents& docs, const std::vector<int32_t>& query) {
    const auto expected = DirectBm25(docs, query, 1.2, 0.75);
    // Both accumulators: a map (no id bound), and an array (ids below 1000, or some not).
    for (uint64_t id_bound : {uint64_t{0}, uint64_t{1000}, uint64_t{50}}) {
      auto scored = ScoreBm25(*store_, CountTerms(query), stats_, {1.2f, 0.75f}, id_bound);
      ASSERT_TRUE(scored.ok()) << scored.status().ToString();
      ASSERT_EQ(scored->size(), expected.size());
      for (const ScoredDocument& d : *scored) {
        ASSERT_TRUE(expected.contains(d.doc)) << d.doc;
        EXPECT_NEAR(d.score, expected.at(d.doc), 1e-4) << d.doc;
      }
    }
  }

  test::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  CollectionStats stats_;
};

TEST(CountTermsTest, CountsSortedAndSkipsNegativeIds) {
  EXPECT_EQ(CountTerms(std::vector<int32_t>{5, 2, 5, -1, 2, 5}), (TermCounts{{2, 2}, {5, 3}}));
  EXPECT_TRUE(CountTerms(std::vector<int32_t>{}).empty());
}

TEST_F(PostingsTest, ScoresEqualDirectBm25AfterAddsAndRemoves) {
  std::mt19937 rng(3);
  Documents docs;
  for (uint64_t id = 1; id <= 60; ++id) {
    std::vector<int32_t> tokens(5 + rng() % 40);
    for (auto& t : tokens) t = static_cast<int32_t>(rng() % 30);  // Zipf-free but overlapping
    docs[id] = tokens;
  }
  Apply(docs, {});
  EXPECT_EQ(stats_.documents, 60u);
  ExpectScoresMatch(docs, {1, 7, 7, 29});

  // Remove a third and replace a few (remove + add under new ids) in one batch.
  Documents added;
  std::vector<uint64_t> removed;
  for (uint64_t id = 1; id <= 60; id += 3) removed.push_back(id);
  for (uint64_t id = 100; id < 105; ++id) added[id] = {7, 7, 7, 1};
  Apply(added, removed);
  for (uint64_t id : removed) docs.erase(id);
  docs.insert(added.begin(), added.end());
  EXPECT_EQ(stats_.documents, docs.size());
  ExpectScoresMatch(docs, {1, 7, 7, 29});
  ExpectScoresMatch(docs, {0});
}

TEST_F(PostingsTest, RemovingEverythingLeavesNoPostings) {
  Documents docs = {{1, {1, 2, 3}}, {2, {2, 3, 4}}};
  Apply(docs, {});
  Apply({}, {1, 2});
  EXPECT_EQ(stats_.documents, 0u);
  EXPECT_EQ(stats_.tokens, 0u);
  size_t keys = 0;
  for (char prefix : {'P', 'T', 'D'}) {
    ASSERT_TRUE(store_
                    ->ScanPostings(std::string(1, prefix),
                                   [&](std::string_view, std::string_view) {
                                     ++keys;
                                     return Status::OK();
                                   })
                    .ok());
  }
  EXPECT_EQ(keys, 0u);
  auto scored = ScoreBm25(*store_, CountTerms(std::vector<int32_t>{2}), stats_, {});
  ASSERT_TRUE(scored.ok());
  EXPECT_TRUE(scored->empty());
}

TEST_F(PostingsTest, RemovingAnUnknownDocumentIsANoOp) {
  Apply({{1, {1, 2}}}, {});
  Apply({}, {42});
  EXPECT_EQ(stats_.documents, 1u);
}

TEST(FuseRrfTest, SumsReciprocalRanks) {
  std::vector<ScoredDocument> dense = {{1, 0.9f}, {2, 0.8f}, {3, 0.7f}};
  std::vector<ScoredDocument> bm25 = {{3, 9.0f}, {4, 5.0f}};
  auto fused = FuseRrf({dense, bm25}, 60);
  ASSERT_EQ(fused.size(), 4u);
  // Document 3: ranks 3 and 1 -> 1/63 + 1/61, more than document 1's 1/61 alone.
  EXPECT_EQ(fused[0].doc, 3u);
  EXPECT_NEAR(fused[0].score, 1.0 / 63 + 1.0 / 61, 1e-7);
  EXPECT_EQ(fused[1].doc, 1u);
  EXPECT_NEAR(fused[1].score, 1.0 / 61, 1e-7);
  // Documents 2 and 4 tie at 1/62: the lower id first.
  EXPECT_EQ(fused[2].doc, 2u);
  EXPECT_EQ(fused[3].doc, 4u);
}

TEST(FuseRrfTest, WeightsScaleEachListsContribution) {
  std::vector<ScoredDocument> dense = {{1, 0.9f}};
  std::vector<ScoredDocument> bm25 = {{2, 9.0f}};
  auto fused = FuseRrf({dense, bm25}, 60, {0.5f, 1.0f});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0].doc, 2u);
  EXPECT_NEAR(fused[1].score, 0.5 / 61, 1e-7);
}

}  // namespace
}  // namespace quiver::engine
