#include "embed/cooccurrence.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace quiver::embed {
namespace {

constexpr size_t kInitialSlots = 1 << 12;

uint64_t MixKey(uint64_t x) {  // splitmix64 finalizer
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

uint64_t PairKey(int32_t a, int32_t b) {
  if (a > b) std::swap(a, b);
  return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b);
}

}  // namespace

double CsrMatrix::At(int32_t r, int32_t c) const {
  if (r < 0 || r >= rows) return 0.0;
  auto begin = col_indices.begin() + row_offsets[r];
  auto end = col_indices.begin() + row_offsets[r + 1];
  auto it = std::lower_bound(begin, end, c);
  if (it == end || *it != c) return 0.0;
  return values[it - col_indices.begin()];
}

Result<CooccurrenceCounter> CooccurrenceCounter::Create(int32_t vocab_size,
                                                        const CooccurrenceOptions& options) {
  if (vocab_size <= 0) {
    return Status::InvalidArgument("vocabulary size must be > 0; got " +
                                   std::to_string(vocab_size));
  }
  if (options.window < 1) {
    return Status::InvalidArgument("co-occurrence window must be >= 1; got " +
                                   std::to_string(options.window));
  }
  return CooccurrenceCounter(vocab_size, options);
}

CooccurrenceCounter::CooccurrenceCounter(int32_t vocab_size, const CooccurrenceOptions& options)
    : vocab_size_(vocab_size),
      options_(options),
      keys_(kInitialSlots, kEmpty),
      values_(kInitialSlots, 0.0),
      token_counts_(vocab_size, 0) {}

double CooccurrenceCounter::Weight(int distance) const {
  switch (options_.weighting) {
    case WindowWeighting::kUniform:
      return 1.0;
    case WindowWeighting::kHarmonic:
      return 1.0 / distance;
    case WindowWeighting::kLinear:
      return static_cast<double>(options_.window - distance + 1) / options_.window;
  }
  return 1.0;
}

void CooccurrenceCounter::Add(std::span<const int32_t> ids) {
  scratch_.clear();
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size_) {
      ++skipped_tokens_;
      continue;
    }
    scratch_.push_back(id);
    ++token_counts_[id];
  }
  total_tokens_ += static_cast<int64_t>(scratch_.size());
  const size_t n = scratch_.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t last = std::min(n - 1, i + static_cast<size_t>(options_.window));
    for (size_t j = i + 1; j <= last; ++j) {
      AddPair(scratch_[i], scratch_[j], Weight(static_cast<int>(j - i)));
    }
  }
}

// Each pair of positions (p, q) and (q, p) both count: an unordered pair {a, b} with a != b is
// stored once and gets `weight` (Get is symmetric); a == b gets 2·weight.
void CooccurrenceCounter::AddPair(int32_t a, int32_t b, double weight) {
  if (a == b) weight *= 2.0;
  const uint64_t key = PairKey(a, b);
  const size_t mask = keys_.size() - 1;
  for (size_t slot = MixKey(key) & mask;; slot = (slot + 1) & mask) {
    if (keys_[slot] == key) {
      values_[slot] += weight;
      return;
    }
    if (keys_[slot] == kEmpty) {
      keys_[slot] = key;
      values_[slot] = weight;
      if (++size_ * 10 > static_cast<int64_t>(keys_.size()) * 7) Grow();
      return;
    }
  }
}

void CooccurrenceCounter::Grow() {
  std::vector<uint64_t> old_keys(keys_.size() * 2, kEmpty);
  std::vector<double> old_values(values_.size() * 2, 0.0);
  old_keys.swap(keys_);
  old_values.swap(values_);
  const size_t mask = keys_.size() - 1;
  for (size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] == kEmpty) continue;
    size_t slot = MixKey(old_keys[i]) & mask;
    while (keys_[slot] != kEmpty) slot = (slot + 1) & mask;
    keys_[slot] = old_keys[i];
    values_[slot] = old_values[i];
  }
}

double CooccurrenceCounter::Get(int32_t a, int32_t b) const {
  if (a < 0 || b < 0 || a >= vocab_size_ || b >= vocab_size_) return 0.0;
  const uint64_t key = PairKey(a, b);
  const size_t mask = keys_.size() - 1;
  for (size_t slot = MixKey(key) & mask;; slot = (slot + 1) & mask) {
    if (keys_[slot] == key) return values_[slot];
    if (keys_[slot] == kEmpty) return 0.0;
  }
}

int64_t CooccurrenceCounter::MemoryBytes() const {
  return static_cast<int64_t>(keys_.capacity() * sizeof(uint64_t) +
                              values_.capacity() * sizeof(double) +
                              token_counts_.capacity() * sizeof(int64_t));
}

Result<CsrMatrix> CooccurrenceCounter::ToMatrix() const {
  // Count entries per row (both triangles), then fill, then sort each row by column.
  std::vector<int64_t> per_row(vocab_size_, 0);
  for (uint64_t key : keys_) {
    if (key == kEmpty) continue;
    const auto a = static_cast<int32_t>(key >> 32);
    const auto b = static_cast<int32_t>(key & 0xffffffffu);
    ++per_row[a];
    if (a != b) ++per_row[b];
  }
  int64_t total = 0;
  for (int64_t c : per_row) total += c;
  if (total > std::numeric_limits<int32_t>::max()) {
    return Status::NotSupported("co-occurrence matrix has " + std::to_string(total) +
                                " entries; at most 2^31 - 1 are supported");
  }
  CsrMatrix m;
  m.rows = m.cols = vocab_size_;
  m.row_offsets.assign(vocab_size_ + 1, 0);
  for (int32_t r = 0; r < vocab_size_; ++r) {
    m.row_offsets[r + 1] = m.row_offsets[r] + static_cast<int32_t>(per_row[r]);
  }
  m.col_indices.resize(total);
  m.values.resize(total);
  std::vector<int32_t> fill(m.row_offsets.begin(), m.row_offsets.end() - 1);
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == kEmpty) continue;
    const auto a = static_cast<int32_t>(keys_[i] >> 32);
    const auto b = static_cast<int32_t>(keys_[i] & 0xffffffffu);
    m.col_indices[fill[a]] = b;
    m.values[fill[a]++] = values_[i];
    if (a != b) {
      m.col_indices[fill[b]] = a;
      m.values[fill[b]++] = values_[i];
    }
  }
  std::vector<std::pair<int32_t, double>> row;
  for (int32_t r = 0; r < vocab_size_; ++r) {
    const int32_t begin = m.row_offsets[r], end = m.row_offsets[r + 1];
    row.clear();
    for (int32_t k = begin; k < end; ++k) row.emplace_back(m.col_indices[k], m.values[k]);
    std::sort(row.begin(), row.end());
    for (int32_t k = begin; k < end; ++k) {
      m.col_indices[k] = row[k - begin].first;
      m.values[k] = row[k - begin].second;
    }
  }
  return m;
}

}  // namespace quiver::embed
