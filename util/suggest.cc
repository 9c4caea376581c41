// SimilarNames of quiver/suggest.h.
#include "quiver/suggest.h"

#include <algorithm>
#include <utility>

namespace quiver {
namespace {

// Levenshtein distance over bytes, giving up (returning `cap` + 1) once it exceeds `cap`.
size_t EditDistance(std::string_view a, std::string_view b, size_t cap) {
  const size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > cap) return cap + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t best = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      best = std::min(best, row[j]);
    }
    if (best > cap) return cap + 1;
  }
  return row[b.size()];
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace

std::vector<std::string> SimilarNames(std::string_view name,
                                      std::span<const std::string> candidates, size_t limit) {
  const std::string lower = Lower(name);
  const size_t cap = std::max<size_t>(2, name.size() / 3);
  // (rank, position); a lower rank is closer.
  std::vector<std::pair<size_t, size_t>> scored;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const std::string other = Lower(candidates[i]);
    size_t rank;
    if (other == lower) {
      rank = 0;
    } else if (!lower.empty() && (other.starts_with(lower) || lower.starts_with(other))) {
      rank = 1 + (other.size() > lower.size() ? other.size() - lower.size()
                                              : lower.size() - other.size());
    } else {
      const size_t distance = EditDistance(lower, other, cap);
      if (distance > cap) continue;
      rank = distance;
    }
    scored.emplace_back(rank, i);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> similar;
  for (size_t i = 0; i < scored.size() && i < limit; ++i) {
    similar.push_back(candidates[scored[i].second]);
  }
  return similar;
}

}  // namespace quiver
