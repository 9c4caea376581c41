// A model's token-embedding matrix as a database keeps it, and the queries made of it.
//
// Storage (values of the `model` column family, written together in one batch):
//   "matrix.meta"          "ROWS COLS CHUNK_ROWS" in decimal
//   "matrix/" + 8-byte BE  chunk i: rows [i * CHUNK_ROWS, ...) as raw float32
// Chunks keep every value a few megabytes even for LLM-sized vocabularies.
#ifndef QUIVER_EMBED_TOKEN_TABLE_H_
#define QUIVER_EMBED_TOKEN_TABLE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "embed/embedding_matrix.h"
#include "quiver/status.h"

namespace quiver::embed {

// The model-family entries that hold `matrix`.
std::vector<std::pair<std::string, std::string>> EncodeMatrix(const EmbeddingMatrix& matrix);

// Reads a matrix back through `get` (a model-family lookup). NotFound when there is none;
// Corruption when chunks are missing or have the wrong size.
using ModelLookup = std::function<Result<std::optional<std::string>>(std::string_view key)>;
Result<EmbeddingMatrix> DecodeMatrix(const ModelLookup& get);

// A 64-bit FNV-1a digest, as 16 hex digits, of the given byte strings in order.
std::string Fingerprint(const std::vector<std::string_view>& parts);

struct RowScore {
  int64_t row = 0;
  float score = 0;
};

// The matrix with every row scaled to unit length (all-zero rows stay zero).
EmbeddingMatrix UnitRows(const EmbeddingMatrix& matrix);

// The `k` rows most similar to row `query` by cosine, best first, as gensim's most_similar
// computes it on `unit_rows` (UnitRows of the model): the query row and all-zero rows are
// excluded; ties go to the lower row.
std::vector<RowScore> NearestRows(const EmbeddingMatrix& unit_rows, int64_t query, int k);

// The `k` rows most similar by cosine to `unit_query` (a unit-length vector of unit_rows.cols
// values), best first: the dot product with each row of `unit_rows`, the rows in `excluded`
// and all-zero rows left out; ties go to the lower row. Empty when the sizes do not match.
std::vector<RowScore> NearestToVector(const EmbeddingMatrix& unit_rows,
                                      std::span<const float> unit_query,
                                      const std::vector<int64_t>& excluded, int k);

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_TOKEN_TABLE_H_
