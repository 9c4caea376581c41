#include "index/hnsw_search.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/utils/distances.h>

#include <algorithm>
#include <functional>
#include <limits>

#include "index/simd/kernel_flat_index.h"

namespace quiver::index {
namespace {

using Candidate = std::pair<float, int64_t>;

// Visited marks by epoch, one table per thread, reused across queries (no per-query clear).
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

struct Workspace {
  Visited visited;
  std::vector<Candidate> candidates;  // min-heap (std::greater)
  std::vector<Candidate> results;     // max-heap
};

Workspace& ThreadWorkspace() {
  thread_local Workspace workspace;
  return workspace;
}

struct Distance {
  const float* query;
  const float* rows;
  size_t d;
  float (*kernel)(const float*, const float*, size_t);
  bool negate;
  float operator()(int64_t v) const {
    const float value = kernel(query, rows + static_cast<size_t>(v) * d, d);
    return negate ? -value : value;
  }
  void Prefetch(int64_t v) const { __builtin_prefetch(rows + static_cast<size_t>(v) * d); }
};

Distance MakeDistance(const faiss::IndexHNSW& index, const float* query) {
  const auto* flat = static_cast<const faiss::IndexFlat*>(index.storage);
  const bool ip = index.metric_type == faiss::METRIC_INNER_PRODUCT;
  float (*kernel)(const float*, const float*, size_t) =
      ip ? faiss::fvec_inner_product : faiss::fvec_L2sqr;
  if (const auto* fast = dynamic_cast<const simd::KernelFlatIndex*>(flat)) {
    kernel = ip ? fast->kernels().ip : fast->kernels().l2;
  }
  return {query, flat->get_xb(), static_cast<size_t>(index.d), kernel, ip};
}

// Greedy descent through the upper levels to the node nearest the query on level 1.
Candidate Descend(const faiss::HNSW& graph, const Distance& dist) {
  int64_t nearest = graph.entry_point;
  float best = dist(nearest);
  for (int level = graph.max_level; level >= 1; --level) {
    for (bool moved = true; moved;) {
      moved = false;
      size_t begin, end;
      graph.neighbor_range(nearest, level, &begin, &end);
      for (size_t j = begin; j < end; ++j) {
        const int64_t v = graph.neighbors[j];
        if (v < 0) break;
        const float dv = dist(v);
        if (dv < best) best = dv, nearest = v, moved = true;
      }
    }
  }
  return {best, nearest};
}

void PushResult(std::vector<Candidate>& results, Candidate c, size_t ef) {
  results.push_back(c);
  std::push_heap(results.begin(), results.end());
  if (results.size() > ef) {
    std::pop_heap(results.begin(), results.end());
    results.pop_back();
  }
}

}  // namespace

bool HnswSearchable(const faiss::IndexHNSW& index) {
  return dynamic_cast<const faiss::IndexFlat*>(index.storage) != nullptr &&
         (index.metric_type == faiss::METRIC_L2 ||
          index.metric_type == faiss::METRIC_INNER_PRODUCT);
}

void HnswSearch(const faiss::IndexHNSW& index, const float* query, int k, int ef,
                const NodeFilter* filter, std::vector<Candidate>* out) {
  out->clear();
  const faiss::HNSW& graph = index.hnsw;
  if (graph.entry_point < 0 || k <= 0) return;
  const size_t width = static_cast<size_t>(std::max(ef, k));
  const Distance dist = MakeDistance(index, query);
  Workspace& ws = ThreadWorkspace();
  ws.visited.Begin(static_cast<size_t>(index.ntotal));
  auto& candidates = ws.candidates;
  auto& results = ws.results;
  candidates.clear();
  results.clear();
  const auto nearer = std::greater<Candidate>();

  const Candidate start = Descend(graph, dist);
  ws.visited.TestAndSet(start.second);
  candidates.push_back(start);
  if (filter == nullptr || filter->Accept(start.second)) results.push_back(start);
  float bound = results.empty() ? std::numeric_limits<float>::infinity() : start.first;
  while (!candidates.empty()) {
    const Candidate current = candidates.front();
    if (current.first > bound && results.size() >= width) break;
    std::pop_heap(candidates.begin(), candidates.end(), nearer);
    candidates.pop_back();
    size_t begin, end;
    graph.neighbor_range(current.second, 0, &begin, &end);
    for (size_t j = begin; j < end && graph.neighbors[j] >= 0; ++j)
      dist.Prefetch(graph.neighbors[j]);
    for (size_t j = begin; j < end; ++j) {
      const int64_t v = graph.neighbors[j];
      if (v < 0) break;
      if (ws.visited.TestAndSet(v)) continue;
      const float dv = dist(v);
      if (results.size() >= width && dv >= bound) continue;
      candidates.push_back({dv, v});
      std::push_heap(candidates.begin(), candidates.end(), nearer);
      if (filter != nullptr && !filter->Accept(v)) continue;
      PushResult(results, {dv, v}, width);
      bound = results.front().first;
    }
  }
  std::sort_heap(results.begin(), results.end());
  if (results.size() > static_cast<size_t>(k)) results.resize(k);
  out->assign(results.begin(), results.end());
}

}  // namespace quiver::index
