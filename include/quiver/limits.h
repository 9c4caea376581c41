// Limits on input that keep every reader's memory and stack bounded: how deeply JSON may nest
// (record metadata, filters, JSON Lines records, query files) and how long one line of a
// line-based file (JSON Lines, CSV, query files) may be. docs/design.md ("Input limits")
// documents both. The library applies them itself; they are public so that callers can check
// input the same way before handing it over.
#ifndef QUIVER_LIMITS_H_
#define QUIVER_LIMITS_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "quiver/status.h"

namespace quiver {

// Arrays and objects may nest at most this deep: {"a": [1]} is 2 levels. Deeper JSON is
// refused before it is parsed, so no parser, copy or dump recurses further.
inline constexpr size_t kMaxJsonDepth = 64;

// The longest line (or CSV record) a line-based reader accepts, in bytes, without its line
// break: 256 MiB.
inline constexpr size_t kMaxLineBytes = size_t{256} << 20;

// OK when the arrays and objects of the JSON text `text` nest at most `max_depth` levels
// (brackets inside strings do not count; `text` need not be valid JSON otherwise).
// InvalidArgument "JSON nested deeper than 64 levels (the limit)" when they nest deeper.
Status CheckJsonDepth(std::string_view text, size_t max_depth = kMaxJsonDepth);

// "line is longer than 256 MiB (the limit)", for a limit of `max_bytes`.
std::string LineTooLongMessage(size_t max_bytes = kMaxLineBytes);

}  // namespace quiver

#endif  // QUIVER_LIMITS_H_
