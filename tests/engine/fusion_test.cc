// engine/fusion.h: ranked lists of documents and the two ways hybrid queries fuse them.
#include "engine/fusion.h"

#include <gtest/gtest.h>

#include <vector>

namespace quiver::engine {
namespace {

std::vector<uint64_t> Docs(const std::vector<ScoredDocument>& list) {
  std::vector<uint64_t> docs;
  for (const ScoredDocument& d : list) docs.push_back(d.doc);
  return docs;
}

// The fused score of `doc`, or -1 when it is missing.
float ScoreOf(const std::vector<ScoredDocument>& list, uint64_t doc) {
  for (const ScoredDocument& d : list) {
    if (d.doc == doc) return d.score;
  }
  return -1;
}

TEST(SortBestFirstTest, HigherScoreFirstTiesToTheLowerDoc) {
  std::vector<ScoredDocument> scored = {{9, 1.0f}, {4, 2.0f}, {7, 1.0f}, {2, 0.5f}, {3, 1.0f}};
  SortBestFirst(&scored);
  EXPECT_EQ(Docs(scored), (std::vector<uint64_t>{4, 3, 7, 9, 2}));
  EXPECT_FLOAT_EQ(scored[0].score, 2.0f);
  EXPECT_FLOAT_EQ(scored[4].score, 0.5f);
}

TEST(SortBestFirstTest, KeepRetainsOnlyTheBestInOrder) {
  std::vector<ScoredDocument> scored;
  for (uint64_t doc = 1; doc <= 50; ++doc) scored.push_back({doc, static_cast<float>(doc % 7)});
  SortBestFirst(&scored, 4);
  // Score 6 is held by docs 6, 13, 20, 27, 34, 41, 48: the four lowest of them win.
  EXPECT_EQ(Docs(scored), (std::vector<uint64_t>{6, 13, 20, 27}));
  std::vector<ScoredDocument> few = {{5, 1.0f}, {1, 3.0f}};
  SortBestFirst(&few, 10);  // keep beyond the size keeps everything
  EXPECT_EQ(Docs(few), (std::vector<uint64_t>{1, 5}));
  std::vector<ScoredDocument> none;
  SortBestFirst(&none, 0);
  EXPECT_TRUE(none.empty());
}

TEST(FuseRrfTest, SumsWeightedReciprocalRanks) {
  const std::vector<std::vector<ScoredDocument>> lists = {
      {{1, 9.0f}, {2, 8.0f}, {3, 7.0f}},  // ranks 1, 2, 3
      {{3, 0.9f}, {1, 0.1f}},             // ranks 1, 2
  };
  auto fused = FuseRrf(lists, 60, {0.7f, 0.3f});
  ASSERT_EQ(fused.size(), 3u);
  const float one = 0.7f / 61 + 0.3f / 62;
  const float two = 0.7f / 62;
  const float three = 0.7f / 63 + 0.3f / 61;
  EXPECT_FLOAT_EQ(ScoreOf(fused, 1), one);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 2), two);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 3), three);
  // 1 ranks first and second, 3 third and first, 2 second only.
  EXPECT_EQ(Docs(fused), (std::vector<uint64_t>{1, 3, 2}));
}

TEST(FuseRrfTest, MissingWeightsAreOneAndRrfKShiftsRanks) {
  const std::vector<std::vector<ScoredDocument>> lists = {{{10, 5.0f}, {20, 4.0f}}, {{30, 1.0f}}};
  auto fused = FuseRrf(lists, 1);
  ASSERT_EQ(fused.size(), 3u);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 10), 1.0f / 2);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 20), 1.0f / 3);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 30), 1.0f / 2);
  EXPECT_EQ(Docs(fused), (std::vector<uint64_t>{10, 30, 20}));  // 10 and 30 tie: lower first
  // A weight list shorter than the lists: the rest weigh 1.
  auto partial = FuseRrf(lists, 1, {0.5f});
  EXPECT_FLOAT_EQ(ScoreOf(partial, 10), 0.5f / 2);
  EXPECT_FLOAT_EQ(ScoreOf(partial, 30), 1.0f / 2);
}

TEST(FuseRrfTest, SymmetricRanksTieToTheLowerDoc) {
  const std::vector<std::vector<ScoredDocument>> lists = {{{9, 1.0f}, {5, 0.5f}},
                                                          {{5, 1.0f}, {9, 0.5f}}};
  auto fused = FuseRrf(lists, 60);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_EQ(fused[0].score, fused[1].score);
  EXPECT_EQ(Docs(fused), (std::vector<uint64_t>{5, 9}));
  EXPECT_TRUE(FuseRrf({}, 60).empty());
  EXPECT_TRUE(FuseRrf({{}, {}}, 60).empty());
}

TEST(FuseConvexTest, MinMaxNormalizesAndMissingDocsScoreZero) {
  const std::vector<std::vector<ScoredDocument>> lists = {
      {{1, 10.0f}, {2, 5.0f}, {3, 0.0f}},  // normalized 1, 0.5, 0
      {{2, 3.0f}, {4, 1.0f}},              // normalized 1, 0
  };
  auto fused = FuseConvex(lists, {0.6f, 0.4f});
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 1), 0.6f);  // missing from the second list: 0 there
  EXPECT_FLOAT_EQ(ScoreOf(fused, 2), 0.6f * 0.5f + 0.4f);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 3), 0.0f);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 4), 0.0f);
  EXPECT_EQ(Docs(fused), (std::vector<uint64_t>{2, 1, 3, 4}));  // 3 and 4 tie at 0
}

TEST(FuseConvexTest, NormalizationIgnoresScaleAndOffset) {
  // The same ranking on scales a thousand times apart fuses as if both were [0, 1].
  const std::vector<std::vector<ScoredDocument>> lists = {
      {{1, 2000.0f}, {2, 1500.0f}, {3, 1000.0f}},
      {{3, -0.25f}, {2, -0.5f}, {1, -0.75f}},
  };
  auto fused = FuseConvex(lists, {0.5f, 0.5f});
  EXPECT_FLOAT_EQ(ScoreOf(fused, 1), 0.5f);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 2), 0.5f);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 3), 0.5f);
  EXPECT_EQ(Docs(fused), (std::vector<uint64_t>{1, 2, 3}));
}

TEST(FuseConvexTest, AllEqualListMapsToOneAndWeightsDefaultToOne) {
  const std::vector<std::vector<ScoredDocument>> lists = {
      {{7, 2.5f}, {8, 2.5f}},             // all equal: both 1
      {{8, 4.0f}, {9, 2.0f}, {7, 1.0f}},  // 1, 1/3, 0
  };
  auto weighted = FuseConvex(lists, {0.5f, 0.25f});
  EXPECT_FLOAT_EQ(ScoreOf(weighted, 7), 0.5f);
  EXPECT_FLOAT_EQ(ScoreOf(weighted, 8), 0.5f + 0.25f);
  EXPECT_FLOAT_EQ(ScoreOf(weighted, 9), 0.25f / 3);
  EXPECT_EQ(Docs(weighted), (std::vector<uint64_t>{8, 7, 9}));
  auto unweighted = FuseConvex(lists, {});
  EXPECT_FLOAT_EQ(ScoreOf(unweighted, 7), 1.0f);
  EXPECT_FLOAT_EQ(ScoreOf(unweighted, 8), 2.0f);
  EXPECT_FLOAT_EQ(ScoreOf(unweighted, 9), 1.0f / 3);
  // A single document is an all-equal list.
  auto single = FuseConvex({{{42, -3.0f}}}, {0.3f});
  ASSERT_EQ(single.size(), 1u);
  EXPECT_FLOAT_EQ(single[0].score, 0.3f);
}

TEST(FuseConvexTest, EmptyListsContributeNothing) {
  auto fused = FuseConvex({{}, {{5, 1.0f}, {6, 0.0f}}}, {0.7f, 0.3f});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 5), 0.3f);
  EXPECT_FLOAT_EQ(ScoreOf(fused, 6), 0.0f);
  EXPECT_TRUE(FuseConvex({}, {}).empty());
}

}  // namespace
}  // namespace quiver::engine
