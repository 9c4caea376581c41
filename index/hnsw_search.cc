#include "index/hnsw_search.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/utils/distances.h>

#include <algorithm>

#include "index/hnsw_walk.h"
#include "index/simd/kernel_flat_index.h"

namespace quiver::index {

namespace hnsw {

RowDistance MakeRowDistance(const faiss::IndexHNSW& index, const float* query) {
  const auto* flat = static_cast<const faiss::IndexFlat*>(index.storage);
  const bool ip = index.metric_type == faiss::METRIC_INNER_PRODUCT;
  float (*kernel)(const float*, const float*, size_t) =
      ip ? faiss::fvec_inner_product : faiss::fvec_L2sqr;
  if (const auto* fast = dynamic_cast<const simd::KernelFlatIndex*>(flat)) {
    kernel = ip ? fast->kernels().ip : fast->kernels().l2;
  }
  return {query, flat->get_xb(), static_cast<size_t>(index.d), kernel, ip};
}

}  // namespace hnsw

bool HnswSearchable(const faiss::IndexHNSW& index) {
  return dynamic_cast<const faiss::IndexFlat*>(index.storage) != nullptr &&
         (index.metric_type == faiss::METRIC_L2 ||
          index.metric_type == faiss::METRIC_INNER_PRODUCT);
}

void HnswSearch(const faiss::IndexHNSW& index, const float* query, int k, int ef,
                const NodeFilter* filter, std::vector<std::pair<float, int64_t>>* out) {
  out->clear();
  const faiss::HNSW& graph = index.hnsw;
  if (graph.entry_point < 0 || k <= 0) return;
  // Searches run while no writer changes the graph: read its link slots in place.
  auto links = [&graph](int64_t node, int level) {
    size_t begin, end;
    graph.neighbor_range(node, level, &begin, &end);
    return std::span<const int32_t>(graph.neighbors.data() + begin, end - begin);
  };
  const hnsw::RowDistance dist = hnsw::MakeRowDistance(index, query);
  thread_local hnsw::Walk walk;
  const hnsw::Candidate top{dist(graph.entry_point), graph.entry_point};
  const hnsw::Candidate start = hnsw::Descend(dist, top, graph.max_level, 1, links);
  const size_t width = static_cast<size_t>(std::max(ef, k));
  hnsw::SearchLevel(dist, start, 0, width, static_cast<size_t>(index.ntotal), filter, links, walk);
  auto& results = walk.results;
  std::sort_heap(results.begin(), results.end());
  if (results.size() > static_cast<size_t>(k)) results.resize(k);
  out->assign(results.begin(), results.end());
}

}  // namespace quiver::index
