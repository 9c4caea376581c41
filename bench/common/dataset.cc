#include "bench/common/dataset.h"

#include <faiss/IndexFlat.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_set>

namespace quiver::bench {
namespace {

// Seeds the mixing matrix; part of the dataset definition, so never change it.
constexpr uint64_t kMixingSeed = 0x71756976657231ULL;  // "quiver1"

uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// SplitMix64 stream of standard normal deviates (Box-Muller, both outputs used).
class GaussianStream {
 public:
  explicit GaussianStream(uint64_t key) : state_(Mix64(key)) {}

  float Next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    // u1 in (0, 1] so log(u1) is finite; u2 in [0, 1).
    const double u1 = (static_cast<double>(NextBits() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(NextBits() >> 11) * 0x1.0p-53;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_ = static_cast<float>(radius * std::sin(angle));
    has_spare_ = true;
    return static_cast<float>(radius * std::cos(angle));
  }

 private:
  uint64_t NextBits() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return Mix64(state_);
  }

  uint64_t state_;
  float spare_ = 0;
  bool has_spare_ = false;
};

// The dim x rank mixing matrix A (row-major), entries ~ N(0, 1 / rank).
std::vector<float> MixingMatrix(int dim, int rank) {
  GaussianStream gauss(kMixingSeed ^ (static_cast<uint64_t>(dim) << 32) ^
                       static_cast<uint64_t>(rank));
  const float scale = 1.0f / std::sqrt(static_cast<float>(rank));
  std::vector<float> a(static_cast<size_t>(dim) * rank);
  for (float& v : a) v = gauss.Next() * scale;
  return a;
}

// Writes row `row` of the dataset (dim floats) to `out`.
void MakeRow(const std::vector<float>& mixing, int dim, int rank, uint64_t seed, size_t row,
             float noise, float* out) {
  GaussianStream gauss(Mix64(seed) ^ Mix64(row + 0x5851f42d4c957f2dULL));
  float latent[512];
  std::vector<float> big_latent;
  float* z = latent;
  if (rank > 512) {
    big_latent.resize(rank);
    z = big_latent.data();
  }
  for (int j = 0; j < rank; ++j) z[j] = gauss.Next();
  for (int d = 0; d < dim; ++d) {
    const float* a = &mixing[static_cast<size_t>(d) * rank];
    float sum = 0;
    for (int j = 0; j < rank; ++j) sum += a[j] * z[j];
    out[d] = sum + noise * gauss.Next();
  }
}

}  // namespace

std::vector<float> MakeLowRank(size_t n, int dim, int rank, uint64_t seed, float noise) {
  if (dim <= 0 || rank <= 0 || rank > dim) return {};
  const std::vector<float> mixing = MixingMatrix(dim, rank);
  std::vector<float> data(n * static_cast<size_t>(dim));
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) {
    MakeRow(mixing, dim, rank, seed, static_cast<size_t>(i), noise,
            &data[static_cast<size_t>(i) * dim]);
  }
  return data;
}

void NormalizeRows(float* data, size_t n, int dim) {
  for (size_t i = 0; i < n; ++i) {
    float* row = data + i * dim;
    double norm = 0;
    for (int d = 0; d < dim; ++d) norm += static_cast<double>(row[d]) * row[d];
    if (norm == 0) continue;
    const float scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (int d = 0; d < dim; ++d) row[d] *= scale;
  }
}

std::vector<int64_t> ExactTopK(const std::vector<float>& base, const std::vector<float>& queries,
                               int dim, int k, Metric metric) {
  const size_t n = base.size() / dim;
  const size_t nq = queries.size() / dim;
  std::vector<float> b = base;
  std::vector<float> q = queries;
  if (metric == Metric::kCosine) {
    NormalizeRows(b.data(), n, dim);
    NormalizeRows(q.data(), nq, dim);
  }
  faiss::IndexFlat flat(dim,
                        metric == Metric::kL2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT);
  flat.add(static_cast<faiss::Index::idx_t>(n), b.data());
  std::vector<float> distances(nq * k);
  std::vector<faiss::Index::idx_t> labels(nq * k);
  flat.search(static_cast<faiss::Index::idx_t>(nq), q.data(), k, distances.data(), labels.data());
  return std::vector<int64_t>(labels.begin(), labels.end());
}

double RecallAtK(const std::vector<int64_t>& truth, size_t truth_stride,
                 const std::vector<int64_t>& found, size_t found_stride, size_t nq, int k) {
  if (nq == 0 || k <= 0) return 0;
  size_t hits = 0;
  for (size_t q = 0; q < nq; ++q) {
    std::unordered_set<int64_t> wanted;
    for (int j = 0; j < k; ++j) {
      const int64_t id = truth[q * truth_stride + j];
      if (id >= 0) wanted.insert(id);
    }
    for (int j = 0; j < k; ++j) {
      const int64_t id = found[q * found_stride + j];
      if (id >= 0 && wanted.erase(id) > 0) ++hits;
    }
  }
  return static_cast<double>(hits) / (static_cast<double>(nq) * k);
}

}  // namespace quiver::bench
