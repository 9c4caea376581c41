// "Did you mean": the names closest to a mistyped one, for messages that suggest a fix (a
// filter's unknown field, a command line's unknown command or option).
#ifndef QUIVER_SUGGEST_H_
#define QUIVER_SUGGEST_H_

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace quiver {

// At most `limit` of `candidates` similar to `name`, closest first (ties in byte order),
// compared without ASCII case: an equal name first, then names one of which starts
// with the other (closer lengths first), then names within Levenshtein distance
// max(2, name.size() / 3) over bytes (smaller distance first). Empty when none is similar.
std::vector<std::string> SimilarNames(std::string_view name,
                                      std::span<const std::string> candidates, size_t limit);

}  // namespace quiver

#endif  // QUIVER_SUGGEST_H_
