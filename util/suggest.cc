// quiver::SimilarNames, the installed face of util::SimilarStrings.
#include "quiver/suggest.h"

#include "util/similar_strings.h"

namespace quiver {

std::vector<std::string> SimilarNames(std::string_view name,
                                      std::span<const std::string> candidates, size_t limit) {
  return util::SimilarStrings(name, std::vector<std::string>(candidates.begin(), candidates.end()),
                              limit);
}

}  // namespace quiver
