#include "embed/cooccurrence.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace quiver::embed {
namespace {

CooccurrenceCounter MakeCounter(int32_t vocab, int window, WindowWeighting weighting) {
  Result<CooccurrenceCounter> c = CooccurrenceCounter::Create(vocab, {window, weighting});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

TEST(CooccurrenceTest, ExactUniformCountsOnTinyCorpus) {
  CooccurrenceCounter c = MakeCounter(5, 2, WindowWeighting::kUniform);
  c.Add(std::vector<int32_t>{0, 1, 2, 0});
  c.Add(std::vector<int32_t>{3, 3});
  // Position pairs within 2: (0,1) (0,2) (1,2) (1,0') (2,0'), and (3,3) in both directions.
  EXPECT_EQ(c.Get(0, 1), 2.0);
  EXPECT_EQ(c.Get(1, 0), 2.0);
  EXPECT_EQ(c.Get(0, 2), 2.0);
  EXPECT_EQ(c.Get(1, 2), 1.0);
  EXPECT_EQ(c.Get(0, 0), 0.0);  // the two 0s are 3 apart
  EXPECT_EQ(c.Get(3, 3), 2.0);
  EXPECT_EQ(c.Get(0, 3), 0.0);  // windows never cross Add calls
  EXPECT_EQ(c.distinct_pairs(), 4);
  EXPECT_EQ(c.token_counts(), (std::vector<int64_t>{2, 1, 1, 2, 0}));
  EXPECT_EQ(c.total_tokens(), 6);
  EXPECT_EQ(c.skipped_tokens(), 0);
}

TEST(CooccurrenceTest, OutOfRangeIdsAreDroppedBeforeWindowing) {
  CooccurrenceCounter c = MakeCounter(5, 1, WindowWeighting::kUniform);
  c.Add(std::vector<int32_t>{0, -1, 1, 5, 4});
  EXPECT_EQ(c.Get(0, 1), 1.0);
  EXPECT_EQ(c.Get(1, 4), 1.0);
  EXPECT_EQ(c.Get(0, 4), 0.0);
  EXPECT_EQ(c.Get(0, 7), 0.0);
  EXPECT_EQ(c.skipped_tokens(), 2);
  EXPECT_EQ(c.total_tokens(), 3);
}

TEST(CooccurrenceTest, DistanceWeighting) {
  CooccurrenceCounter harmonic = MakeCounter(4, 3, WindowWeighting::kHarmonic);
  CooccurrenceCounter linear = MakeCounter(4, 3, WindowWeighting::kLinear);
  const std::vector<int32_t> ids = {0, 1, 2, 3};
  harmonic.Add(ids);
  linear.Add(ids);
  EXPECT_DOUBLE_EQ(harmonic.Get(0, 1), 1.0);
  EXPECT_DOUBLE_EQ(harmonic.Get(0, 2), 0.5);
  EXPECT_DOUBLE_EQ(harmonic.Get(0, 3), 1.0 / 3);
  EXPECT_DOUBLE_EQ(linear.Get(0, 1), 1.0);
  EXPECT_DOUBLE_EQ(linear.Get(0, 2), 2.0 / 3);
  EXPECT_DOUBLE_EQ(linear.Get(0, 3), 1.0 / 3);
}

// Many distinct pairs (forcing the table to grow) against a dense brute-force count.
TEST(CooccurrenceTest, MatchesBruteForceAndToMatrixIsSortedSymmetric) {
  const int32_t vocab = 300;
  const int window = 4;
  CooccurrenceCounter c = MakeCounter(vocab, window, WindowWeighting::kHarmonic);
  std::vector<double> dense(vocab * vocab, 0.0);
  std::mt19937 rng(7);
  for (int s = 0; s < 400; ++s) {
    std::vector<int32_t> ids(1 + rng() % 40);
    for (int32_t& id : ids) id = static_cast<int32_t>(rng() % vocab);
    c.Add(ids);
    for (size_t i = 0; i < ids.size(); ++i) {
      for (size_t j = 0; j < ids.size(); ++j) {
        const size_t d = i > j ? i - j : j - i;
        if (d >= 1 && d <= static_cast<size_t>(window)) dense[ids[i] * vocab + ids[j]] += 1.0 / d;
      }
    }
  }
  Result<CsrMatrix> m = c.ToMatrix();
  ASSERT_TRUE(m.ok());
  int64_t nonzero = 0;
  for (int32_t a = 0; a < vocab; ++a) {
    for (int32_t b = 0; b < vocab; ++b) {
      const double want = dense[a * vocab + b];
      nonzero += want != 0.0;
      ASSERT_NEAR(c.Get(a, b), want, 1e-9) << a << "," << b;
      ASSERT_NEAR(m->At(a, b), want, 1e-9) << a << "," << b;
    }
    for (int32_t k = m->row_offsets[a] + 1; k < m->row_offsets[a + 1]; ++k) {
      ASSERT_LT(m->col_indices[k - 1], m->col_indices[k]);
    }
  }
  EXPECT_EQ(m->nonzeros(), nonzero);
  EXPECT_GT(c.distinct_pairs(), 4096);  // grew past the initial table
}

TEST(CooccurrenceTest, RejectsBadArguments) {
  EXPECT_TRUE(CooccurrenceCounter::Create(0, {}).status().IsInvalidArgument());
  EXPECT_TRUE(
      CooccurrenceCounter::Create(10, {0, WindowWeighting::kUniform}).status().IsInvalidArgument());
}

}  // namespace
}  // namespace quiver::embed
