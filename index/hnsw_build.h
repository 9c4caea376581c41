// quiver's insertion into a FAISS HNSW graph whose storage holds float rows (IndexHNSWFlat).
//
// The result is a FAISS HNSW graph (levels drawn by the graph's own level generator, at most
// nb_neighbors(level) links per node and level, chosen by the HNSW heuristic, made both ways),
// so the index searches, checkpoints and loads in FAISS as before. It is built as hnswlib
// builds (Malkov & Yashunin's algorithm 1 as published), not as FAISS 1.7.3 does:
//  - a new node takes at most M links (nb_neighbors(1)) on every level, level 0 included;
//    level 0 still holds up to 2M, filled by the links later nodes make back to it (FAISS
//    takes 2M at once, which costs more reverse-link pruning and on Fashion-MNIST gives the
//    same recall at a lower rate);
//  - each level's search starts from the nearest node the level above found;
//  - the points of one call are shared among the OpenMP threads dynamically (FAISS splits each
//    level statically, so one descheduled thread stalls the batch);
//  - the walk prefetches rows as quiver's search does, and link slots are read under their
//    node's lock (FAISS reads them unlocked while other threads write them).
#ifndef QUIVER_INDEX_HNSW_BUILD_H_
#define QUIVER_INDEX_HNSW_BUILD_H_

#include <cstddef>

namespace faiss {
struct IndexHNSW;
}  // namespace faiss

namespace quiver::index {

// Appends `n` rows of `x` (index.d floats each) to `index`'s storage and links them into its
// graph, on up to omp_get_max_threads() threads. `index` must be HnswSearchable
// (hnsw_search.h). Not safe against concurrent searches or adds on the same index.
void HnswAdd(faiss::IndexHNSW& index, size_t n, const float* x);

}  // namespace quiver::index

#endif  // QUIVER_INDEX_HNSW_BUILD_H_
