// String helpers for messages and names.
#ifndef QUIVER_UTIL_STRINGS_H_
#define QUIVER_UTIL_STRINGS_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace quiver::util {

// `text` in double quotes, written the way a JSON string literal is, so that it stays on one
// line and is safe to print: `"` and `\` get a backslash; \b \f \n \r \t are written so; other
// control characters (C0, DEL and C1) become \u00XX; bytes that are not well-formed UTF-8
// become U+FFFD. When `text` is longer than `max_bytes`, only the whole characters in its first
// `max_bytes` bytes are quoted, followed by "..." inside the quotes:
//   Quote("a\nb") == "\"a\\nb\"", Quote("abcdef", 3) == "\"abc...\"".
std::string Quote(std::string_view text, size_t max_bytes = std::string_view::npos);

// True when `s` ends with `suffix`.
bool EndsWith(std::string_view s, std::string_view suffix);

}  // namespace quiver::util

#endif  // QUIVER_UTIL_STRINGS_H_
