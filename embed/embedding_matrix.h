// A dense row-major float matrix: the token-embedding table of a model (one row per token id).
#ifndef QUIVER_EMBED_EMBEDDING_MATRIX_H_
#define QUIVER_EMBED_EMBEDDING_MATRIX_H_

#include <cstdint>
#include <span>
#include <vector>

namespace quiver::embed {

struct EmbeddingMatrix {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> data;  // rows * cols floats, row r at data[r * cols]

  std::span<const float> Row(int64_t r) const {
    return {data.data() + r * cols, static_cast<size_t>(cols)};
  }
  std::span<float> Row(int64_t r) { return {data.data() + r * cols, static_cast<size_t>(cols)}; }
};

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_EMBEDDING_MATRIX_H_
