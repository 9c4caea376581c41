// Ranked lists of documents and how hybrid queries fuse two of them (QueryOptions::fusion).
#ifndef QUIVER_ENGINE_FUSION_H_
#define QUIVER_ENGINE_FUSION_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "text/bm25.h"

namespace quiver::engine {

// A scored document (`doc`: its internal id), as the text module ranks them.
using ScoredDocument = text::ScoredDoc;

// Orders best first: higher score, then lower internal id (deterministic ties). With `keep`,
// only the best `keep` remain (found without sorting the rest).
void SortBestFirst(std::vector<ScoredDocument>* scored, size_t keep = SIZE_MAX);

// Reciprocal rank fusion of ranked lists (each best first): a document's fused score is the
// sum over the lists holding it of weight / (rrf_k + rank), rank counted from 1, `weights`
// parallel to `lists` (empty: all 1). Best first.
std::vector<ScoredDocument> FuseRrf(const std::vector<std::vector<ScoredDocument>>& lists,
                                    int rrf_k, const std::vector<float>& weights = {});

// Convex combination of min-max normalized scores: each list's scores are mapped to [0, 1]
// (its best to 1, its worst to 0; a list whose scores are all equal maps them to 1), a
// document missing from a list scores 0 there, and its fused score is the sum over lists of
// weight × normalized score. Best first.
std::vector<ScoredDocument> FuseConvex(const std::vector<std::vector<ScoredDocument>>& lists,
                                       const std::vector<float>& weights);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_FUSION_H_
