#include "embed/ppmi_svd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace quiver::embed {
namespace {

CsrMatrix DenseToCsr(const std::vector<double>& dense, int32_t rows, int32_t cols) {
  CsrMatrix m;
  m.rows = rows;
  m.cols = cols;
  m.row_offsets.push_back(0);
  for (int32_t r = 0; r < rows; ++r) {
    for (int32_t c = 0; c < cols; ++c) {
      if (dense[r * cols + c] == 0.0) continue;
      m.col_indices.push_back(c);
      m.values.push_back(dense[r * cols + c]);
    }
    m.row_offsets.push_back(static_cast<int32_t>(m.values.size()));
  }
  return m;
}

TEST(PpmiTest, MatchesHandComputation) {
  // X = [[0 2 1] [2 0 0] [1 0 4]]: row sums n = (3, 2, 5), S = Σ n^0.75 = 7.3050...
  const CsrMatrix counts = DenseToCsr({0, 2, 1, 2, 0, 0, 1, 0, 4}, 3, 3);
  Result<CsrMatrix> ppmi = ComputePpmi(counts, 0.75);
  ASSERT_TRUE(ppmi.ok()) << ppmi.status().ToString();
  EXPECT_NEAR(ppmi->At(0, 1), 1.0632337450139207, 1e-12);  // log(2·S / (3 · 2^0.75))
  EXPECT_NEAR(ppmi->At(1, 0), 1.1646000220409618, 1e-12);  // log(2·S / (2 · 3^0.75))
  EXPECT_NEAR(ppmi->At(2, 2), 0.558337252902259, 1e-12);   // log(4·S / (5 · 5^0.75))
  // log(S / (3 · 5^0.75)) = -0.317 and log(S / (5 · 3^0.75)) = -0.445 are clipped (not stored).
  EXPECT_EQ(ppmi->At(0, 2), 0.0);
  EXPECT_EQ(ppmi->At(2, 0), 0.0);
  EXPECT_EQ(ppmi->nonzeros(), 3);
}

TEST(PpmiTest, AlphaOneIsPlainPmi) {
  const CsrMatrix counts = DenseToCsr({0, 2, 1, 2, 0, 0, 1, 0, 4}, 3, 3);
  Result<CsrMatrix> ppmi = ComputePpmi(counts, 1.0);
  ASSERT_TRUE(ppmi.ok());
  EXPECT_NEAR(ppmi->At(0, 1), std::log(2.0 * 10 / (3 * 2)), 1e-12);
  EXPECT_NEAR(ppmi->At(2, 2), std::log(4.0 * 10 / (5 * 5)), 1e-12);
  EXPECT_TRUE(ComputePpmi(counts, 0.0).status().IsInvalidArgument());
  EXPECT_TRUE(ComputePpmi(DenseToCsr({1, 1}, 1, 2), 0.75).status().IsInvalidArgument());
}

// rows × k matrix with orthonormal columns (Gram–Schmidt on Gaussian vectors).
std::vector<double> Orthonormal(int rows, int k, std::mt19937_64& rng) {
  std::normal_distribution<double> normal;
  std::vector<double> q(rows * k);
  for (int j = 0; j < k; ++j) {
    for (int i = 0; i < rows; ++i) q[i * k + j] = normal(rng);
    for (int pass = 0; pass < 2; ++pass) {
      for (int p = 0; p < j; ++p) {
        double dot = 0;
        for (int i = 0; i < rows; ++i) dot += q[i * k + j] * q[i * k + p];
        for (int i = 0; i < rows; ++i) q[i * k + j] -= dot * q[i * k + p];
      }
    }
    double norm = 0;
    for (int i = 0; i < rows; ++i) norm += q[i * k + j] * q[i * k + j];
    for (int i = 0; i < rows; ++i) q[i * k + j] /= std::sqrt(norm);
  }
  return q;
}

// A = U diag(s) Vᵀ with known orthonormal U, V: its exact SVD is known by construction.
TEST(RandomizedSvdTest, RecoversKnownLowRankMatrix) {
  const int rows = 200, cols = 150, k = 8;
  const std::vector<double> s = {50, 30, 20, 12, 8, 5, 3, 2};
  std::mt19937_64 rng(11);
  const std::vector<double> u = Orthonormal(rows, k, rng);
  const std::vector<double> v = Orthonormal(cols, k, rng);
  std::vector<double> a(rows * cols, 0.0);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) {
      for (int t = 0; t < k; ++t) a[i * cols + j] += u[i * k + t] * s[t] * v[j * k + t];
    }
  }
  const CsrMatrix m = DenseToCsr(a, rows, cols);
  for (int rank : {k, 5}) {
    Result<TruncatedSvd> svd = RandomizedSvd(m, rank, {2, 6, 3});
    ASSERT_TRUE(svd.ok()) << svd.status().ToString();
    ASSERT_EQ(svd->singular_values.size(), static_cast<size_t>(rank));
    for (int t = 0; t < rank; ++t) {
      EXPECT_NEAR(svd->singular_values[t], s[t], 1e-8 * s[0]) << "rank " << rank << " t " << t;
      double dot = 0;  // |<u_t, true u_t>| == 1: same singular vector up to sign
      for (int i = 0; i < rows; ++i) dot += svd->u[i * rank + t] * u[i * k + t];
      EXPECT_NEAR(std::abs(dot), 1.0, 1e-8);
    }
  }
  EXPECT_TRUE(RandomizedSvd(m, 151, {}).status().IsInvalidArgument());
  EXPECT_TRUE(RandomizedSvd(m, 0, {}).status().IsInvalidArgument());
}

// Two topics: sentences draw tokens from one topic's vocabulary only. Ids [40, 50) never occur.
CooccurrenceCounter PlantedCorpus(uint64_t seed) {
  Result<CooccurrenceCounter> c = CooccurrenceCounter::Create(50, {});
  EXPECT_TRUE(c.ok());
  std::mt19937_64 rng(seed);
  std::vector<int32_t> ids(12);
  for (int sentence = 0; sentence < 3000; ++sentence) {
    const int32_t base = (sentence % 2) * 20;
    for (int32_t& id : ids) id = base + static_cast<int32_t>(rng() % 20);
    c->Add(ids);
  }
  return std::move(c).value();
}

double Cosine(std::span<const float> a, std::span<const float> b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

TEST(TrainPpmiSvdTest, SameTopicTokensAreCloser) {
  const CooccurrenceCounter counter = PlantedCorpus(5);
  PpmiSvdOptions options;
  options.dim = 6;
  Result<EmbeddingMatrix> w = TrainPpmiSvd(counter, options);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_EQ(w->rows, 50);
  ASSERT_EQ(w->cols, 6);
  double same = 0, cross = 0;
  int same_n = 0, cross_n = 0;
  for (int a = 0; a < 40; ++a) {
    for (int b = a + 1; b < 40; ++b) {
      const double cos = Cosine(w->Row(a), w->Row(b));
      if ((a < 20) == (b < 20)) {
        same += cos;
        ++same_n;
      } else {
        cross += cos;
        ++cross_n;
      }
    }
  }
  same /= same_n;
  cross /= cross_n;
  EXPECT_GT(same, cross + 0.5) << "same-topic " << same << ", cross-topic " << cross;
  for (int t = 40; t < 50; ++t) {
    for (float x : w->Row(t)) ASSERT_EQ(x, 0.0f) << "token " << t << " never occurs";
  }
}

TEST(TrainPpmiSvdTest, SameSeedGivesIdenticalBytes) {
  const CooccurrenceCounter counter = PlantedCorpus(9);
  PpmiSvdOptions options;
  options.dim = 8;
  options.seed = 1234;
  Result<EmbeddingMatrix> first = TrainPpmiSvd(counter, options);
  Result<EmbeddingMatrix> second = TrainPpmiSvd(PlantedCorpus(9), options);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(first->data.size(), second->data.size());
  EXPECT_EQ(
      std::memcmp(first->data.data(), second->data.data(), first->data.size() * sizeof(float)), 0);
}

TEST(TrainPpmiSvdTest, RejectsEmptyCorpusAndOversizedDim) {
  Result<CooccurrenceCounter> empty = CooccurrenceCounter::Create(10, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(TrainPpmiSvd(*empty, {}).status().IsInvalidArgument());
  PpmiSvdOptions options;
  options.dim = 51;
  EXPECT_TRUE(TrainPpmiSvd(PlantedCorpus(1), options).status().IsInvalidArgument());
}

}  // namespace
}  // namespace quiver::embed
