#include "embed/token_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace quiver::embed {
namespace {

constexpr std::string_view kMetaKey = "matrix.meta";
constexpr int64_t kTargetChunkBytes = 4 << 20;

std::string ChunkKey(uint64_t chunk) {
  std::string key = "matrix/";
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>((chunk >> (8 * i)) & 0xff));
  return key;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> EncodeMatrix(const EmbeddingMatrix& matrix) {
  const int64_t row_bytes = std::max<int64_t>(1, matrix.cols * 4);
  const int64_t chunk_rows = std::max<int64_t>(1, kTargetChunkBytes / row_bytes);
  std::vector<std::pair<std::string, std::string>> entries;
  entries.emplace_back(std::string(kMetaKey), std::to_string(matrix.rows) + " " +
                                                  std::to_string(matrix.cols) + " " +
                                                  std::to_string(chunk_rows));
  for (int64_t first = 0, chunk = 0; first < matrix.rows; first += chunk_rows, ++chunk) {
    const int64_t rows = std::min(chunk_rows, matrix.rows - first);
    const char* begin = reinterpret_cast<const char*>(matrix.data.data() + first * matrix.cols);
    entries.emplace_back(ChunkKey(chunk), std::string(begin, rows * matrix.cols * 4));
  }
  return entries;
}

Result<EmbeddingMatrix> DecodeMatrix(const ModelLookup& get) {
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> meta, get(kMetaKey));
  if (!meta.has_value()) return Status::NotFound("the model has no embedding matrix");
  EmbeddingMatrix matrix;
  int64_t chunk_rows = 0;
  std::istringstream fields(*meta);
  if (!(fields >> matrix.rows >> matrix.cols >> chunk_rows) || matrix.rows < 0 ||
      matrix.cols <= 0 || chunk_rows <= 0) {
    return Status::Corruption("embedding matrix header '" + *meta + "' is malformed");
  }
  matrix.data.resize(matrix.rows * matrix.cols);
  for (int64_t first = 0, chunk = 0; first < matrix.rows; first += chunk_rows, ++chunk) {
    QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> value, get(ChunkKey(chunk)));
    const size_t expected = std::min(chunk_rows, matrix.rows - first) * matrix.cols * 4;
    if (!value.has_value() || value->size() != expected) {
      return Status::Corruption("embedding matrix chunk " + std::to_string(chunk) +
                                " is missing or has the wrong size");
    }
    std::memcpy(matrix.data.data() + first * matrix.cols, value->data(), expected);
  }
  return matrix;
}

std::string Fingerprint(const std::vector<std::string_view>& parts) {
  uint64_t hash = 1469598103934665603ull;
  for (std::string_view part : parts) {
    for (unsigned char c : part) hash = (hash ^ c) * 1099511628211ull;
    hash = (hash ^ 0xff) * 1099511628211ull;  // separates the parts
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

EmbeddingMatrix UnitRows(const EmbeddingMatrix& matrix) {
  EmbeddingMatrix unit = matrix;
  for (int64_t r = 0; r < unit.rows; ++r) {
    auto row = unit.Row(r);
    double norm = 0;
    for (float v : row) norm += double(v) * v;
    if (norm == 0) continue;
    const float scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& v : row) v *= scale;
  }
  return unit;
}

std::vector<RowScore> NearestRows(const EmbeddingMatrix& unit_rows, int64_t query, int k) {
  if (query < 0 || query >= unit_rows.rows) return {};
  return NearestToVector(unit_rows, unit_rows.Row(query), {query}, k);
}

std::vector<RowScore> NearestToVector(const EmbeddingMatrix& unit_rows,
                                      std::span<const float> unit_query,
                                      const std::vector<int64_t>& excluded, int k) {
  std::vector<RowScore> scored;
  if (k <= 0 || static_cast<int64_t>(unit_query.size()) != unit_rows.cols) return scored;
  std::vector<bool> skip(unit_rows.rows, false);
  for (int64_t row : excluded) {
    if (row >= 0 && row < unit_rows.rows) skip[row] = true;
  }
  scored.reserve(unit_rows.rows);
  for (int64_t r = 0; r < unit_rows.rows; ++r) {
    if (skip[r]) continue;
    const auto row = unit_rows.Row(r);
    double dot = 0, norm = 0;
    for (int64_t i = 0; i < unit_rows.cols; ++i) {
      dot += double(unit_query[i]) * row[i];
      norm += double(row[i]) * row[i];
    }
    if (norm > 0) scored.push_back({r, static_cast<float>(dot)});
  }
  const size_t keep = std::min<size_t>(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + keep, scored.end(),
                    [](const RowScore& a, const RowScore& b) {
                      return a.score != b.score ? a.score > b.score : a.row < b.row;
                    });
  scored.resize(keep);
  return scored;
}

}  // namespace quiver::embed
