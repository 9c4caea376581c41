// Pooling: one vector for a token-id sequence, from a token-embedding matrix.
//
//   mean: the average of the tokens' rows, then L2 normalization.
//   SIF (Arora, Liang & Ma 2017), the default: the average of the rows weighted by
//        a / (a + p(t)), p(t) the token's unigram frequency; minus its projection on the first
//        principal component of a corpus sample of such averages; then L2 normalization.
//
// The principal component is estimated once (EstimateFirstPrincipalComponent over SIF averages
// of sample sentences, computed with an empty component) and stored by the caller as a plain
// vector, then handed back to Pooler::Create.
#ifndef QUIVER_EMBED_POOLING_H_
#define QUIVER_EMBED_POOLING_H_

#include <cstdint>
#include <span>
#include <vector>

#include "embed/embedding_matrix.h"
#include "quiver/status.h"

namespace quiver::embed {

enum class PoolingMethod { kMean, kSif };

struct PoolingOptions {
  PoolingMethod method = PoolingMethod::kSif;
  // SIF smoothing parameter a in a / (a + p(t)). Must be > 0.
  double sif_a = 1e-3;
};

// Per-token SIF weights a / (a + count[t] / Σ count). A token never counted gets weight 1.
// An all-zero (or empty) count vector gives all weights 1.
std::vector<float> SifWeights(std::span<const int64_t> token_counts, double a);

// The first (uncentered) principal component of `vectors` (row-major, rows × dim): the unit
// eigenvector of VᵀV with the largest eigenvalue, signed so its largest-magnitude entry is
// positive; rows that are all zero do not matter. InvalidArgument when dim < 1, the data size is
// not a multiple of dim, or no row is nonzero.
Result<std::vector<float>> EstimateFirstPrincipalComponent(std::span<const float> vectors, int dim);

// v -= (u·v) u. u must be unit length and v.size() == u.size().
void RemoveComponent(std::span<float> v, std::span<const float> u);

// Scales v to unit L2 norm; returns false (leaving v as it is) when its norm is 0.
bool NormalizeL2(std::span<float> v);

struct PooledVector {
  enum class Outcome {
    kOk,             // a unit-length vector
    kNoKnownTokens,  // no id was in [0, rows): vector is all zeros
    // known tokens, but the pooled vector had norm 0 (after component removal, at most 1e-6 of
    // its norm before): vector is all zeros
    kZeroVector,
  };
  std::vector<float> vector;  // always `cols` floats
  Outcome outcome = Outcome::kNoKnownTokens;
  int64_t tokens_used = 0;  // ids that were in range

  bool ok() const { return outcome == Outcome::kOk; }
};

// Pools token sequences with one embedding matrix. Holds a reference to the matrix: the matrix
// must outlive the Pooler. Thread-safe for concurrent Pool() calls.
class Pooler {
 public:
  // `token_counts` (rows entries) are required for SIF and ignored for mean. `principal_component`
  // is empty (no removal) or cols floats of unit length, for SIF only (InvalidArgument for mean).
  static Result<Pooler> Create(const EmbeddingMatrix& matrix, const PoolingOptions& options,
                               std::span<const int64_t> token_counts = {},
                               std::span<const float> principal_component = {});

  // Ids outside [0, rows) are skipped. Never fails: see PooledVector::outcome.
  PooledVector Pool(std::span<const int32_t> ids) const;

  // The weighted average before component removal and normalization (mean: plain average).
  // Returns the number of ids used; `out` (cols floats) is all zeros when that is 0.
  int64_t Average(std::span<const int32_t> ids, std::span<float> out) const;

  const PoolingOptions& options() const { return options_; }
  const std::vector<float>& weights() const { return weights_; }  // empty for mean

 private:
  Pooler(const EmbeddingMatrix& matrix, const PoolingOptions& options)
      : matrix_(&matrix), options_(options) {}

  const EmbeddingMatrix* matrix_;
  PoolingOptions options_;
  std::vector<float> weights_;
  std::vector<float> component_;
};

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_POOLING_H_
