// Finding the names close to a misspelt one, for "did you mean" messages.
#ifndef QUIVER_UTIL_SIMILAR_STRINGS_H_
#define QUIVER_UTIL_SIMILAR_STRINGS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace quiver::util {

// Levenshtein distance between `a` and `b` over bytes, giving up (returning `cap` + 1) once it
// exceeds `cap`.
size_t EditDistance(std::string_view a, std::string_view b, size_t cap);

// The entries of `candidates` close to `name`, closest first, at most `limit`: the same text in
// another ASCII case, then one a prefix of the other (the smaller the length difference, the
// closer), then those within an edit distance of max(2, length of `name` / 3), all compared in
// ASCII lower case; ties in byte order.
std::vector<std::string> SimilarStrings(std::string_view name,
                                        const std::vector<std::string>& candidates,
                                        size_t limit = 5);

}  // namespace quiver::util

#endif  // QUIVER_UTIL_SIMILAR_STRINGS_H_
