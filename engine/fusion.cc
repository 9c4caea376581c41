#include "engine/fusion.h"

#include <algorithm>
#include <unordered_map>

namespace quiver::engine {
namespace {

// The fused scores of `sums`, best first.
std::vector<ScoredDocument> Ranked(const std::unordered_map<uint64_t, float>& sums) {
  std::vector<ScoredDocument> out;
  out.reserve(sums.size());
  for (const auto& [id, score] : sums) out.push_back({id, score});
  SortBestFirst(&out);
  return out;
}

}  // namespace

void SortBestFirst(std::vector<ScoredDocument>* scored, size_t keep) {
  auto better = [](const ScoredDocument& a, const ScoredDocument& b) {
    return a.score != b.score ? a.score > b.score : a.doc < b.doc;
  };
  if (keep < scored->size()) {
    std::partial_sort(scored->begin(), scored->begin() + keep, scored->end(), better);
    scored->resize(keep);
  } else {
    std::sort(scored->begin(), scored->end(), better);
  }
}

std::vector<ScoredDocument> FuseRrf(const std::vector<std::vector<ScoredDocument>>& lists,
                                    int rrf_k, const std::vector<float>& weights) {
  std::unordered_map<uint64_t, float> fused;
  for (size_t l = 0; l < lists.size(); ++l) {
    const float weight = l < weights.size() ? weights[l] : 1.0f;
    for (size_t rank = 0; rank < lists[l].size(); ++rank) {
      fused[lists[l][rank].doc] += weight / static_cast<float>(rrf_k + rank + 1);
    }
  }
  return Ranked(fused);
}

std::vector<ScoredDocument> FuseConvex(const std::vector<std::vector<ScoredDocument>>& lists,
                                       const std::vector<float>& weights) {
  std::unordered_map<uint64_t, float> fused;
  for (size_t l = 0; l < lists.size(); ++l) {
    const std::vector<ScoredDocument>& list = lists[l];
    if (list.empty()) continue;
    const float weight = l < weights.size() ? weights[l] : 1.0f;
    const auto [low, high] = std::minmax_element(
        list.begin(), list.end(),
        [](const ScoredDocument& a, const ScoredDocument& b) { return a.score < b.score; });
    const float range = high->score - low->score;
    for (const ScoredDocument& d : list) {
      const float normalized = range > 0 ? (d.score - low->score) / range : 1.0f;
      fused[d.doc] += weight * normalized;
    }
  }
  return Ranked(fused);
}

}  // namespace quiver::engine
