#include "embed/pooling.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <string>

namespace quiver::embed {
namespace {

constexpr double kZeroRelativeNorm = 1e-6;

double L2Norm(std::span<const float> v) {
  double sq = 0.0;
  for (float x : v) sq += static_cast<double>(x) * x;
  return std::sqrt(sq);
}

}  // namespace

std::vector<float> SifWeights(std::span<const int64_t> token_counts, double a) {
  double total = 0.0;
  for (int64_t c : token_counts) total += static_cast<double>(c);
  std::vector<float> weights(token_counts.size(), 1.0f);
  if (total <= 0.0) return weights;
  for (size_t t = 0; t < token_counts.size(); ++t) {
    const double p = static_cast<double>(token_counts[t]) / total;
    weights[t] = static_cast<float>(a / (a + p));
  }
  return weights;
}

Result<std::vector<float>> EstimateFirstPrincipalComponent(std::span<const float> vectors,
                                                           int dim) {
  if (dim < 1 || vectors.size() % static_cast<size_t>(dim) != 0) {
    return Status::InvalidArgument("sentence vectors: expected a multiple of dim " +
                                   std::to_string(dim) + " floats; got " +
                                   std::to_string(vectors.size()));
  }
  const Eigen::Index rows = static_cast<Eigen::Index>(vectors.size() / dim);
  const auto v =
      Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          vectors.data(), rows, dim)
          .cast<double>();
  const Eigen::MatrixXd gram = v.transpose() * v;
  if (gram.trace() <= 0.0) {
    return Status::InvalidArgument("cannot estimate a principal component: all " +
                                   std::to_string(rows) + " sentence vectors are zero");
  }
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);  // eigenvalues ascending
  Eigen::VectorXd u = eig.eigenvectors().col(dim - 1);
  Eigen::Index best = 0;
  u.cwiseAbs().maxCoeff(&best);
  if (u(best) < 0) u = -u;
  u.normalize();
  std::vector<float> out(dim);
  for (int i = 0; i < dim; ++i) out[i] = static_cast<float>(u(i));
  return out;
}

void RemoveComponent(std::span<float> v, std::span<const float> u) {
  double dot = 0.0;
  for (size_t i = 0; i < v.size(); ++i) dot += static_cast<double>(v[i]) * u[i];
  for (size_t i = 0; i < v.size(); ++i) v[i] -= static_cast<float>(dot * u[i]);
}

bool NormalizeL2(std::span<float> v) {
  double sq = 0.0;
  for (float x : v) sq += static_cast<double>(x) * x;
  if (sq <= 0.0) return false;
  const double inv = 1.0 / std::sqrt(sq);
  for (float& x : v) x = static_cast<float>(x * inv);
  return true;
}

Result<Pooler> Pooler::Create(const EmbeddingMatrix& matrix, const PoolingOptions& options,
                              std::span<const int64_t> token_counts,
                              std::span<const float> principal_component) {
  if (matrix.cols < 1 || matrix.data.size() != static_cast<size_t>(matrix.rows * matrix.cols)) {
    return Status::InvalidArgument("embedding matrix: expected rows × cols floats with cols >= 1");
  }
  Pooler pooler(matrix, options);
  if (options.method == PoolingMethod::kMean) {
    if (!principal_component.empty()) {
      return Status::InvalidArgument("mean pooling takes no principal component");
    }
    return pooler;
  }
  if (!(options.sif_a > 0.0)) {
    return Status::InvalidArgument("SIF parameter a must be > 0; got " +
                                   std::to_string(options.sif_a));
  }
  if (static_cast<int64_t>(token_counts.size()) != matrix.rows) {
    return Status::InvalidArgument("SIF pooling: expected " + std::to_string(matrix.rows) +
                                   " token counts (one per matrix row); got " +
                                   std::to_string(token_counts.size()));
  }
  if (!principal_component.empty() &&
      static_cast<int64_t>(principal_component.size()) != matrix.cols) {
    return Status::InvalidArgument(
        "principal component has " + std::to_string(principal_component.size()) +
        " dimensions; the embedding matrix has " + std::to_string(matrix.cols));
  }
  pooler.weights_ = SifWeights(token_counts, options.sif_a);
  pooler.component_.assign(principal_component.begin(), principal_component.end());
  return pooler;
}

int64_t Pooler::Average(std::span<const int32_t> ids, std::span<float> out) const {
  std::vector<double> sum(matrix_->cols, 0.0);
  int64_t used = 0;
  for (int32_t id : ids) {
    if (id < 0 || id >= matrix_->rows) continue;
    const double w = weights_.empty() ? 1.0 : weights_[id];
    std::span<const float> row = matrix_->Row(id);
    for (size_t i = 0; i < row.size(); ++i) sum[i] += w * row[i];
    ++used;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = used == 0 ? 0.0f : static_cast<float>(sum[i] / used);
  }
  return used;
}

PooledVector Pooler::Pool(std::span<const int32_t> ids) const {
  PooledVector result;
  result.vector.assign(matrix_->cols, 0.0f);
  result.tokens_used = Average(ids, result.vector);
  if (result.tokens_used == 0) {
    result.outcome = PooledVector::Outcome::kNoKnownTokens;
    return result;
  }
  const double before = L2Norm(result.vector);
  if (!component_.empty()) RemoveComponent(result.vector, component_);
  // A residual of float noise (the average lay along the component) counts as zero.
  if (L2Norm(result.vector) <= kZeroRelativeNorm * before || !NormalizeL2(result.vector)) {
    std::fill(result.vector.begin(), result.vector.end(), 0.0f);
    result.outcome = PooledVector::Outcome::kZeroVector;
    return result;
  }
  result.outcome = PooledVector::Outcome::kOk;
  return result;
}

}  // namespace quiver::embed
