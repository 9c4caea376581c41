// What quiver's HNSW search (hnsw_search.cc) and insertion (hnsw_build.cc) share, over a FAISS
// IndexHNSW whose storage is a flat float index: distances on the stored rows with quiver's
// kernels, visited marks, greedy descent through the upper levels, and the best-first walk of
// one level. Internal to index/.
//
// Links are read through a callable `links(node, level)` returning the node's link slots on
// that level as a std::span<const int32_t> (a -1 slot ends the list): searches read the graph
// in place, insertion copies a node's slots under that node's lock.
#ifndef QUIVER_INDEX_HNSW_WALK_H_
#define QUIVER_INDEX_HNSW_WALK_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "index/hnsw_search.h"

namespace faiss {
struct IndexHNSW;
}  // namespace faiss

namespace quiver::index::hnsw {

// (distance, node): smaller distances are nearer.
using Candidate = std::pair<float, int64_t>;

// Distances from a query, or between two stored rows, on an IndexHNSW's flat storage: the
// squared L2 distance, or the negated inner product for METRIC_INNER_PRODUCT.
struct RowDistance {
  const float* query;
  const float* rows;
  size_t d;
  float (*kernel)(const float*, const float*, size_t);
  bool negate;

  const float* Row(int64_t v) const { return rows + static_cast<size_t>(v) * d; }
  float operator()(int64_t v) const { return Signed(kernel(query, Row(v), d)); }
  float Between(int64_t a, int64_t b) const { return Signed(kernel(Row(a), Row(b), d)); }
  void Prefetch(int64_t v) const { __builtin_prefetch(Row(v)); }

 private:
  float Signed(float value) const { return negate ? -value : value; }
};

// The distance from `query` under `index`'s metric and storage kernels. The index must be
// HnswSearchable (hnsw_search.h).
RowDistance MakeRowDistance(const faiss::IndexHNSW& index, const float* query);

// Visited marks by epoch, reused across walks (no per-walk clear).
struct Visited {
  std::vector<uint32_t> marks;
  uint32_t epoch = 0;
  void Begin(size_t n) {
    if (marks.size() < n) marks.assign(n, 0), epoch = 0;
    if (++epoch == 0) std::fill(marks.begin(), marks.end(), 0), epoch = 1;
  }
  bool TestAndSet(int64_t v) {
    if (marks[v] == epoch) return true;
    marks[v] = epoch;
    return false;
  }
};

// One thread's buffers for walks; `results` is a max-heap (worst first) after SearchLevel.
struct Walk {
  Visited visited;
  std::vector<Candidate> candidates;  // min-heap (std::greater)
  std::vector<Candidate> results;
  std::vector<int32_t> fresh;  // the expanded node's unvisited neighbors
};

// From `start`, moves greedily to a nearer neighbor on each level from `top` down to
// `bottom` (inclusive) until none is nearer; returns the nearest node reached.
template <typename Links>
Candidate Descend(const RowDistance& dist, Candidate start, int top, int bottom, Links&& links) {
  for (int level = top; level >= bottom; --level) {
    for (bool moved = true; moved;) {
      moved = false;
      for (const int32_t v : links(start.second, level)) {
        if (v < 0) break;
        const float dv = dist(v);
        if (dv < start.first) start = {dv, v}, moved = true;
      }
    }
  }
  return start;
}

inline void PushBounded(std::vector<Candidate>& heap, Candidate c, size_t width) {
  heap.push_back(c);
  std::push_heap(heap.begin(), heap.end());
  if (heap.size() > width) {
    std::pop_heap(heap.begin(), heap.end());
    heap.pop_back();
  }
}

// Best-first search of `level` from `start` over a graph of `n` nodes (hnswlib's discipline:
// stop when the nearest candidate is farther than the worst of `width` results). Leaves the
// up to `width` nearest nodes `filter` accepts (every node when null) in walk.results as a
// max-heap.
template <typename Links>
void SearchLevel(const RowDistance& dist, Candidate start, int level, size_t width, size_t n,
                 const NodeFilter* filter, Links&& links, Walk& walk) {
  auto& candidates = walk.candidates;
  auto& results = walk.results;
  candidates.clear();
  results.clear();
  walk.visited.Begin(n);
  const auto nearer = std::greater<Candidate>();
  walk.visited.TestAndSet(start.second);
  candidates.push_back(start);
  auto accepted = [filter](int64_t v) { return filter == nullptr || filter->Accept(v); };
  if (accepted(start.second)) results.push_back(start);
  float bound = results.empty() ? std::numeric_limits<float>::infinity() : start.first;
  while (!candidates.empty()) {
    const Candidate current = candidates.front();
    if (current.first > bound && results.size() >= width) break;
    std::pop_heap(candidates.begin(), candidates.end(), nearer);
    candidates.pop_back();
    // Mark and prefetch the unvisited neighbors first, then score them: the row loads overlap.
    auto& fresh = walk.fresh;
    fresh.clear();
    for (const int32_t v : links(current.second, level)) {
      if (v < 0) break;
      if (walk.visited.TestAndSet(v)) continue;
      dist.Prefetch(v);
      fresh.push_back(v);
    }
    for (const int32_t v : fresh) {
      const float dv = dist(v);
      if (results.size() >= width && dv >= bound) continue;
      candidates.push_back({dv, v});
      std::push_heap(candidates.begin(), candidates.end(), nearer);
      if (!accepted(v)) continue;
      PushBounded(results, {dv, v}, width);
      bound = results.front().first;
    }
  }
}

}  // namespace quiver::index::hnsw

#endif  // QUIVER_INDEX_HNSW_WALK_H_
