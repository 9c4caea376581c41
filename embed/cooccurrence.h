// Streaming co-occurrence counting over token-id sequences, the first step of training token
// vectors from a corpus (PPMI + SVD, see embed/ppmi_svd.h), plus unigram token counts (for SIF
// weights and BM25).
//
// Memory is bounded by the vocabulary, not the corpus: one hash-table slot per distinct unordered
// token pair seen (at most V·(V+1)/2, in practice far fewer) plus one counter per token.
#ifndef QUIVER_EMBED_COOCCURRENCE_H_
#define QUIVER_EMBED_COOCCURRENCE_H_

#include <cstdint>
#include <span>
#include <vector>

#include "quiver/status.h"

namespace quiver::embed {

// How a context token at distance d (1 <= d <= window) from the centre token is weighted.
enum class WindowWeighting {
  kUniform,   // 1
  kHarmonic,  // 1/d, as in GloVe
  // (window - d + 1) / window: the expected weight of word2vec's dynamic context window, which
  // samples the window size uniformly in [1, window] (Levy, Goldberg & Dagan 2015, "dyn").
  kLinear,
};

struct CooccurrenceOptions {
  // Symmetric window: tokens at most `window` positions apart co-occur. Must be >= 1.
  int window = 5;
  WindowWeighting weighting = WindowWeighting::kLinear;
};

// A compressed-sparse-row matrix: row r's entries are col_indices/values in
// [row_offsets[r], row_offsets[r + 1]), columns strictly increasing within a row.
struct CsrMatrix {
  int32_t rows = 0;
  int32_t cols = 0;
  std::vector<int32_t> row_offsets;  // rows + 1 entries
  std::vector<int32_t> col_indices;
  std::vector<double> values;

  int64_t nonzeros() const { return static_cast<int64_t>(values.size()); }
  // The entry at (r, c), 0 when absent. Binary search within the row.
  double At(int32_t r, int32_t c) const;
};

// Counts X[a][b] = sum, over every position p holding a and every position q holding b within
// one Add() call with 1 <= |p - q| <= window, of weight(|p - q|). X is symmetric; each ordered
// pair of positions counts once, so a token pair (a, a) gets 2·weight per occurrence pair.
// Not thread-safe.
class CooccurrenceCounter {
 public:
  // vocab_size > 0, options.window >= 1; otherwise InvalidArgument.
  static Result<CooccurrenceCounter> Create(int32_t vocab_size, const CooccurrenceOptions& options);

  // Counts one document or sentence; windows never cross calls. Ids outside [0, vocab_size)
  // (e.g. -1 for an unknown word) are dropped before windowing, as word2vec drops words missing
  // from its vocabulary, and are counted in skipped_tokens().
  void Add(std::span<const int32_t> ids);

  // X[a][b] == X[b][a]; 0 for pairs never seen or ids out of range.
  double Get(int32_t a, int32_t b) const;

  int32_t vocab_size() const { return vocab_size_; }
  const CooccurrenceOptions& options() const { return options_; }
  // Occurrences of each token id (vocab_size entries).
  const std::vector<int64_t>& token_counts() const { return token_counts_; }
  // Sum of token_counts().
  int64_t total_tokens() const { return total_tokens_; }
  int64_t skipped_tokens() const { return skipped_tokens_; }
  // Distinct unordered pairs {a, b} with a nonzero count.
  int64_t distinct_pairs() const { return size_; }
  // Bytes held by the pair table and the unigram counts.
  int64_t MemoryBytes() const;

  // The full symmetric matrix X (vocab_size × vocab_size) in CSR form, independent of hash-table
  // order. NotSupported when it would hold more than 2^31 - 1 entries.
  Result<CsrMatrix> ToMatrix() const;

 private:
  CooccurrenceCounter(int32_t vocab_size, const CooccurrenceOptions& options);
  void AddPair(int32_t a, int32_t b, double weight);
  void Grow();
  double Weight(int distance) const;

  static constexpr uint64_t kEmpty = ~uint64_t{0};

  int32_t vocab_size_;
  CooccurrenceOptions options_;
  std::vector<uint64_t> keys_;  // (min << 32) | max, or kEmpty; size is a power of two
  std::vector<double> values_;
  int64_t size_ = 0;
  std::vector<int64_t> token_counts_;
  int64_t total_tokens_ = 0;
  int64_t skipped_tokens_ = 0;
  std::vector<int32_t> scratch_;
};

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_COOCCURRENCE_H_
