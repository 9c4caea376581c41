// Token vectors from co-occurrence counts: positive PMI with context-distribution smoothing,
// then a randomized truncated SVD, W = U·Σ^0.5 (Levy, Goldberg & Dagan 2015; Halko, Martinsson
// & Tropp 2011).
//
// Typical use:
//   auto counter = CooccurrenceCounter::Create(vocab, options.cooccurrence);
//   for (each sentence) counter->Add(ids);
//   Result<EmbeddingMatrix> w = TrainPpmiSvd(*counter, options);
//
// The computation runs on Eigen sparse and dense matrices inside ppmi_svd.cc; this header keeps
// Eigen out of its interface (Eigen is a private dependency of the library).
//
// Determinism: for the same counts, options and seed, the output has the same bits on every run
// with the same Eigen build and OpenMP thread count (Eigen's blocked products may sum in another
// order when the thread count changes). No step depends on hash-table iteration order.
#ifndef QUIVER_EMBED_PPMI_SVD_H_
#define QUIVER_EMBED_PPMI_SVD_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "embed/cooccurrence.h"
#include "embed/embedding_matrix.h"
#include "quiver/status.h"

namespace quiver::embed {

struct PpmiSvdOptions {
  // Output dimension (number of singular vectors kept). 1 <= dim <= vocabulary size.
  int dim = 100;
  // Window and its weighting, for the counter that produces the counts (TrainPpmiSvd does not
  // count; it records these so a caller builds its CooccurrenceCounter from them).
  CooccurrenceOptions cooccurrence;
  // Context-distribution smoothing: context counts are raised to alpha. 1 disables it.
  double alpha = 0.75;
  // Power (subspace) iterations of the randomized SVD, each followed by QR.
  int power_iterations = 3;
  // Extra random test vectors beyond dim (the sketch has dim + oversampling columns).
  int oversampling = 10;
  // Seed of the Gaussian test matrix.
  uint64_t seed = 42;
  // W = U·Σ^singular_value_power; 0.5 is the symmetric split Levy et al. recommend.
  double singular_value_power = 0.5;
  // Optional: called after each step (the PPMI, then the SVD's steps, see
  // RandomizedSvdOptions::on_step) with the steps done and their total, power_iterations + 3;
  // returning false stops the training with Cancelled.
  std::function<bool(int done, int total)> on_step;
};

// PPMI_α(w, c) = max(0, log(X[w][c] · Σ_c' n(c')^α / (n(w) · n(c)^α))) where n(w) = Σ_c X[w][c]
// (row sums; X is symmetric, so column sums are equal). Only positive entries are stored.
// InvalidArgument unless counts is square and alpha is in (0, 1].
Result<CsrMatrix> ComputePpmi(const CsrMatrix& counts, double alpha);

// The leading `rank` singular triplets of a matrix, best first.
struct TruncatedSvd {
  int32_t rows = 0;
  int32_t cols = 0;
  int rank = 0;
  std::vector<double> singular_values;  // rank values, non-increasing
  std::vector<double> u;                // rows × rank, row-major; each column unit length
};

struct RandomizedSvdOptions {
  int power_iterations = 3;
  int oversampling = 10;
  uint64_t seed = 42;
  // Optional: called after the sketch, each power iteration and the final SVD with the steps
  // done and their total, power_iterations + 2; returning false stops with Cancelled.
  std::function<bool(int done, int total)> on_step;
};

// Randomized truncated SVD of a sparse matrix: Gaussian test matrix Ω (seeded generator),
// Y = AΩ, power iterations Y = A(AᵀQ) with QR re-orthonormalization, then the SVD of the small
// matrix B = QᵀA (Eigen's BDCSVD); U = Q·U_B. Each column of U is signed so that its largest-
// magnitude entry is positive. InvalidArgument unless 1 <= rank <= min(rows, cols).
Result<TruncatedSvd> RandomizedSvd(const CsrMatrix& a, int rank,
                                   const RandomizedSvdOptions& options);

// PPMI (options.alpha) of counter.ToMatrix(), randomized SVD of rank options.dim, and
// W = U·Σ^options.singular_value_power as a vocab × dim matrix. Rows of tokens without any
// positive PPMI entry (in particular tokens that never occurred) are exactly zero.
Result<EmbeddingMatrix> TrainPpmiSvd(const CooccurrenceCounter& counter,
                                     const PpmiSvdOptions& options);

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_PPMI_SVD_H_
