#include "embed/pooling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace quiver::embed {
namespace {

EmbeddingMatrix Matrix(int64_t rows, int64_t cols, std::vector<float> data) {
  EmbeddingMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.data = std::move(data);
  return m;
}

TEST(PoolingTest, MeanPoolingIsTheHandAverageNormalized) {
  const EmbeddingMatrix m = Matrix(3, 2, {1, 0, 0, 2, 3, 3});
  Result<Pooler> pooler = Pooler::Create(m, {PoolingMethod::kMean});
  ASSERT_TRUE(pooler.ok()) << pooler.status().ToString();
  const std::vector<int32_t> ids = {0, 2, -1, 7};  // -1 and 7 are skipped
  std::vector<float> average(2);
  EXPECT_EQ(pooler->Average(ids, average), 2);
  EXPECT_FLOAT_EQ(average[0], 2.0f);  // (1 + 3) / 2
  EXPECT_FLOAT_EQ(average[1], 1.5f);  // (0 + 3) / 2
  const PooledVector pooled = pooler->Pool(ids);
  EXPECT_TRUE(pooled.ok());
  EXPECT_EQ(pooled.tokens_used, 2);
  EXPECT_FLOAT_EQ(pooled.vector[0], 0.8f);  // (2, 1.5) / 2.5
  EXPECT_FLOAT_EQ(pooled.vector[1], 0.6f);
}

TEST(PoolingTest, EmptyInputIsAFlaggedZeroVector) {
  const EmbeddingMatrix m = Matrix(3, 2, {1, 0, 0, 2, 3, 3});
  Result<Pooler> pooler = Pooler::Create(m, {PoolingMethod::kMean});
  ASSERT_TRUE(pooler.ok());
  for (const std::vector<int32_t>& ids : {std::vector<int32_t>{}, std::vector<int32_t>{-4, 3}}) {
    const PooledVector pooled = pooler->Pool(ids);
    EXPECT_FALSE(pooled.ok());
    EXPECT_EQ(pooled.outcome, PooledVector::Outcome::kNoKnownTokens);
    EXPECT_EQ(pooled.tokens_used, 0);
    EXPECT_EQ(pooled.vector, (std::vector<float>{0, 0}));
  }
}

TEST(PoolingTest, SifWeights) {
  const std::vector<int64_t> counts = {1, 3, 0, 6};  // p = 0.1, 0.3, 0, 0.6
  const std::vector<float> w = SifWeights(counts, 0.1);
  ASSERT_EQ(w.size(), 4u);
  EXPECT_FLOAT_EQ(w[0], 0.5f);
  EXPECT_FLOAT_EQ(w[1], 0.25f);
  EXPECT_FLOAT_EQ(w[2], 1.0f);
  EXPECT_FLOAT_EQ(w[3], 0.1f / 0.7f);
  EXPECT_EQ(SifWeights(std::vector<int64_t>{0, 0}, 0.1), (std::vector<float>{1, 1}));
}

TEST(PoolingTest, SifAverageWeightsTokens) {
  const EmbeddingMatrix m = Matrix(2, 2, {1, 0, 0, 1});
  const std::vector<int64_t> counts = {1, 3};  // a = 0.25: weights 0.5 and 0.25
  Result<Pooler> pooler = Pooler::Create(m, {PoolingMethod::kSif, 0.25}, counts);
  ASSERT_TRUE(pooler.ok()) << pooler.status().ToString();
  std::vector<float> average(2);
  EXPECT_EQ(pooler->Average(std::vector<int32_t>{0, 1}, average), 2);
  EXPECT_FLOAT_EQ(average[0], 0.25f);  // 0.5 · (1, 0) / 2
  EXPECT_FLOAT_EQ(average[1], 0.125f);
  const PooledVector pooled = pooler->Pool(std::vector<int32_t>{0, 1});
  EXPECT_FLOAT_EQ(pooled.vector[0], 2 / std::sqrt(5.0f));
  EXPECT_FLOAT_EQ(pooled.vector[1], 1 / std::sqrt(5.0f));
}

TEST(PoolingTest, FirstPrincipalComponentOfConstructedVectors) {
  // Rows a·(1, 1, 0) + b·(0, 0, 1) with Σab = 0: VᵀV has eigenvectors (1, 1, 0)/√2 (eigenvalue
  // 2Σa² = 40) and (0, 0, 1) (Σb² = 2.5).
  const std::vector<float> rows = {3, 3, 1, 3, 3, -1, 1, 1, 0.5f, 1, 1, -0.5f};
  Result<std::vector<float>> pc = EstimateFirstPrincipalComponent(rows, 3);
  ASSERT_TRUE(pc.ok()) << pc.status().ToString();
  EXPECT_NEAR((*pc)[0], 1 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR((*pc)[1], 1 / std::sqrt(2.0), 1e-6);
  EXPECT_NEAR((*pc)[2], 0.0, 1e-6);
  std::vector<float> v = {1, 1, 1};
  RemoveComponent(v, *pc);
  EXPECT_NEAR(v[0], 0.0, 1e-6);
  EXPECT_NEAR(v[1], 0.0, 1e-6);
  EXPECT_NEAR(v[2], 1.0, 1e-6);
  EXPECT_TRUE(
      EstimateFirstPrincipalComponent(std::vector<float>(6, 0.0f), 3).status().IsInvalidArgument());
  EXPECT_TRUE(EstimateFirstPrincipalComponent(rows, 5).status().IsInvalidArgument());
}

TEST(PoolingTest, SifRemovesTheComponentThenNormalizes) {
  const EmbeddingMatrix m = Matrix(3, 3, {2, 2, 1, 1, 1, -1, 3, 3, 0});
  const std::vector<int64_t> counts = {1, 1, 1};
  const float h = 1 / std::sqrt(2.0f);
  const std::vector<float> pc = {h, h, 0};
  Result<Pooler> pooler = Pooler::Create(m, {}, counts, pc);
  ASSERT_TRUE(pooler.ok()) << pooler.status().ToString();
  const PooledVector pooled = pooler->Pool(std::vector<int32_t>{0});
  ASSERT_TRUE(pooled.ok());
  EXPECT_NEAR(pooled.vector[0], 0.0, 1e-6);
  EXPECT_NEAR(pooled.vector[1], 0.0, 1e-6);
  EXPECT_NEAR(pooled.vector[2], 1.0, 1e-6);
  // Token 2 lies along the component: nothing is left, and the caller is told so.
  const PooledVector along = pooler->Pool(std::vector<int32_t>{2});
  EXPECT_EQ(along.outcome, PooledVector::Outcome::kZeroVector);
  EXPECT_EQ(along.tokens_used, 1);
  EXPECT_EQ(along.vector, (std::vector<float>{0, 0, 0}));
}

TEST(PoolingTest, CreateRejectsMismatchedInputs) {
  const EmbeddingMatrix m = Matrix(3, 2, {1, 0, 0, 2, 3, 3});
  const std::vector<int64_t> counts = {1, 2, 3};
  EXPECT_TRUE(Pooler::Create(m, {}, std::vector<int64_t>{1, 2}).status().IsInvalidArgument());
  EXPECT_TRUE(
      Pooler::Create(m, {}, counts, std::vector<float>{1, 0, 0}).status().IsInvalidArgument());
  EXPECT_TRUE(Pooler::Create(m, {PoolingMethod::kMean}, {}, std::vector<float>{1, 0})
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(Pooler::Create(m, {PoolingMethod::kSif, 0.0}, counts).status().IsInvalidArgument());
  EXPECT_TRUE(
      Pooler::Create(Matrix(2, 2, {1, 2, 3}), {PoolingMethod::kMean}).status().IsInvalidArgument());
}

}  // namespace
}  // namespace quiver::embed
