// quiver's own walk of a FAISS HNSW graph whose storage holds float rows (IndexHNSWFlat).
//
// FAISS 1.7.3's HNSW::search sizes its candidate heap by the index's efSearch member and
// lets SearchParametersHNSW::efSearch change only its stopping test, so a per-query ef above
// the member has no effect (ef "plateaus"), and the member cannot be set per query without a
// data race. This walk takes ef per call and keeps the hnswlib discipline: a min-heap of
// candidates, a max-heap of the ef best accepted nodes, stop when the nearest candidate is
// farther than the worst of ef results. Distances use the storage's kernels.
#ifndef QUIVER_INDEX_HNSW_SEARCH_H_
#define QUIVER_INDEX_HNSW_SEARCH_H_

#include <cstdint>
#include <utility>
#include <vector>

namespace faiss {
struct IndexHNSW;
}  // namespace faiss

namespace quiver::index {

// Which graph nodes (storage positions) may be results; others are still walked through.
class NodeFilter {
 public:
  virtual ~NodeFilter() = default;
  virtual bool Accept(int64_t node) const = 0;
};

// True when `index` can be searched by HnswSearch (its storage is a flat float index).
bool HnswSearchable(const faiss::IndexHNSW& index);

// The up to k accepted nodes nearest to `query`, best first, as (distance, node); distance is
// the squared L2 distance, or the negated inner product for METRIC_INNER_PRODUCT. ef is the
// candidate list size (raised to k). `filter` may be null (every node accepted). Thread-safe.
void HnswSearch(const faiss::IndexHNSW& index, const float* query, int k, int ef,
                const NodeFilter* filter, std::vector<std::pair<float, int64_t>>* out);

}  // namespace quiver::index

#endif  // QUIVER_INDEX_HNSW_SEARCH_H_
