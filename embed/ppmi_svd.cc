#include "embed/ppmi_svd.h"

#include <Eigen/Dense>
#include <Eigen/SVD>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>

namespace quiver::embed {
namespace {

using DenseMatrix = Eigen::MatrixXd;
using SparseMap = Eigen::Map<const Eigen::SparseMatrix<double, Eigen::RowMajor, int32_t>>;

SparseMap AsEigen(const CsrMatrix& m) {
  return SparseMap(m.rows, m.cols, m.nonzeros(), m.row_offsets.data(), m.col_indices.data(),
                   m.values.data());
}

// Standard normal deviates from a 64-bit Mersenne Twister by Box–Muller, so the sequence is the
// same on every standard library (std::normal_distribution's algorithm is unspecified).
class GaussianSource {
 public:
  explicit GaussianSource(uint64_t seed) : engine_(seed) {}
  double Next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = Uniform01Open(), u2 = Uniform01Open();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * M_PI * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

 private:
  double Uniform01Open() {  // in (0, 1]
    return (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53;
  }
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// An orthonormal basis (thin Q of Householder QR) of the columns of y.
DenseMatrix Orthonormalize(const DenseMatrix& y) {
  Eigen::HouseholderQR<DenseMatrix> qr(y);
  DenseMatrix q = DenseMatrix::Identity(y.rows(), y.cols());
  q.applyOnTheLeft(qr.householderQ());
  return q;
}

// Flips each column so that its largest-magnitude entry (first one on ties) is positive.
void FixSigns(DenseMatrix& u) {
  for (Eigen::Index j = 0; j < u.cols(); ++j) {
    Eigen::Index best = 0;
    u.col(j).cwiseAbs().maxCoeff(&best);
    if (u(best, j) < 0) u.col(j) *= -1.0;
  }
}

}  // namespace

Result<CsrMatrix> ComputePpmi(const CsrMatrix& counts, double alpha) {
  if (counts.rows != counts.cols) {
    return Status::InvalidArgument("PPMI needs a square co-occurrence matrix; got " +
                                   std::to_string(counts.rows) + " × " +
                                   std::to_string(counts.cols));
  }
  if (!(alpha > 0.0 && alpha <= 1.0)) {
    return Status::InvalidArgument("context smoothing alpha must be in (0, 1]; got " +
                                   std::to_string(alpha));
  }
  const int32_t n = counts.rows;
  std::vector<double> row_sum(n, 0.0);
  for (int32_t r = 0; r < n; ++r) {
    for (int32_t k = counts.row_offsets[r]; k < counts.row_offsets[r + 1]; ++k) {
      row_sum[r] += counts.values[k];
    }
  }
  double smoothed_total = 0.0;
  for (double s : row_sum) smoothed_total += std::pow(s, alpha);
  const double log_total = std::log(smoothed_total);
  CsrMatrix out;
  out.rows = out.cols = n;
  out.row_offsets.assign(n + 1, 0);
  for (int32_t r = 0; r < n; ++r) {
    for (int32_t k = counts.row_offsets[r]; k < counts.row_offsets[r + 1]; ++k) {
      const int32_t c = counts.col_indices[k];
      const double x = counts.values[k];
      if (x <= 0.0) continue;
      const double pmi =
          std::log(x) + log_total - std::log(row_sum[r]) - alpha * std::log(row_sum[c]);
      if (pmi <= 0.0) continue;
      out.col_indices.push_back(c);
      out.values.push_back(pmi);
    }
    out.row_offsets[r + 1] = static_cast<int32_t>(out.values.size());
  }
  return out;
}

Result<TruncatedSvd> RandomizedSvd(const CsrMatrix& a, int rank,
                                   const RandomizedSvdOptions& options) {
  const int32_t smaller = std::min(a.rows, a.cols);
  if (rank < 1 || rank > smaller) {
    return Status::InvalidArgument("SVD rank must be in [1, " + std::to_string(smaller) +
                                   "] for a " + std::to_string(a.rows) + " × " +
                                   std::to_string(a.cols) + " matrix; got " + std::to_string(rank));
  }
  if (options.power_iterations < 0 || options.oversampling < 0) {
    return Status::InvalidArgument("power iterations and oversampling must be >= 0");
  }
  const SparseMap m = AsEigen(a);
  const int sketch = std::min<int>(smaller, rank + options.oversampling);
  GaussianSource gaussian(options.seed);
  DenseMatrix omega(a.cols, sketch);
  for (Eigen::Index i = 0; i < omega.rows(); ++i) {  // row by row: fixed fill order
    for (Eigen::Index j = 0; j < omega.cols(); ++j) omega(i, j) = gaussian.Next();
  }
  const int steps = options.power_iterations + 2;
  auto step_done = [&](int done) {
    return !options.on_step || options.on_step(done, steps)
               ? Status::OK()
               : Status::Cancelled("the SVD was stopped by its caller");
  };
  DenseMatrix q = Orthonormalize(m * omega);
  omega.resize(0, 0);
  QUIVER_RETURN_IF_ERROR(step_done(1));
  for (int i = 0; i < options.power_iterations; ++i) {
    const DenseMatrix z = Orthonormalize(m.transpose() * q);
    q = Orthonormalize(m * z);
    QUIVER_RETURN_IF_ERROR(step_done(i + 2));
  }
  // Bᵀ = AᵀQ (cols × sketch). Bᵀ = U' Σ V'ᵀ, so B = V' Σ U'ᵀ and A ≈ QB = (QV') Σ U'ᵀ.
  const DenseMatrix bt = m.transpose() * q;
  Eigen::BDCSVD<DenseMatrix> svd(bt, Eigen::ComputeThinV);
  QUIVER_RETURN_IF_ERROR(step_done(steps));
  DenseMatrix u = q * svd.matrixV().leftCols(rank);
  FixSigns(u);
  TruncatedSvd out;
  out.rows = a.rows;
  out.cols = a.cols;
  out.rank = rank;
  out.singular_values.resize(rank);
  for (int j = 0; j < rank; ++j) out.singular_values[j] = svd.singularValues()(j);
  out.u.resize(static_cast<size_t>(a.rows) * rank);
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      out.u.data(), a.rows, rank) = u;
  return out;
}

Result<EmbeddingMatrix> TrainPpmiSvd(const CooccurrenceCounter& counter,
                                     const PpmiSvdOptions& options) {
  if (counter.total_tokens() == 0) {
    return Status::InvalidArgument("cannot train token vectors: the corpus has no tokens");
  }
  Result<CsrMatrix> ppmi = [&]() -> Result<CsrMatrix> {
    QUIVER_ASSIGN_OR_RETURN(const CsrMatrix counts, counter.ToMatrix());
    return ComputePpmi(counts, options.alpha);
  }();
  if (!ppmi.ok()) return ppmi.status().WithContext("PPMI");
  const int steps = options.power_iterations + 3;
  if (options.on_step && !options.on_step(1, steps)) {
    return Status::Cancelled("training token vectors was stopped by its caller");
  }
  RandomizedSvdOptions svd_options;
  svd_options.power_iterations = options.power_iterations;
  svd_options.oversampling = options.oversampling;
  svd_options.seed = options.seed;
  if (options.on_step) {
    svd_options.on_step = [&](int done, int) { return options.on_step(done + 1, steps); };
  }
  Result<TruncatedSvd> svd = RandomizedSvd(*ppmi, options.dim, svd_options);
  if (svd.status().IsCancelled()) return svd.status();
  if (!svd.ok()) return svd.status().WithContext("truncated SVD");
  EmbeddingMatrix w;
  w.rows = counter.vocab_size();
  w.cols = options.dim;
  w.data.assign(static_cast<size_t>(w.rows) * w.cols, 0.0f);
  std::vector<double> scale(options.dim);
  for (int j = 0; j < options.dim; ++j) {
    scale[j] = std::pow(svd->singular_values[j], options.singular_value_power);
  }
  for (int64_t r = 0; r < w.rows; ++r) {
    if (ppmi->row_offsets[r] == ppmi->row_offsets[r + 1]) continue;  // stays zero
    const double* u_row = svd->u.data() + r * options.dim;
    std::span<float> out = w.Row(r);
    for (int j = 0; j < options.dim; ++j) out[j] = static_cast<float>(u_row[j] * scale[j]);
  }
  return w;
}

}  // namespace quiver::embed
