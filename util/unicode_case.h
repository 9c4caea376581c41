// Unicode lower-casing of UTF-8 text.
#ifndef QUIVER_UTIL_UNICODE_CASE_H_
#define QUIVER_UTIL_UNICODE_CASE_H_

#include <string>
#include <string_view>

namespace quiver::utf8 {

// `text` with every character replaced by its simple (one-to-one) Unicode lower-case mapping,
// as utf8proc defines it. This equals Python's str.lower() except for the few characters whose
// full mapping has several characters (U+0130 'İ' becomes 'i', not "i̇"). Bytes that are not
// well-formed UTF-8 are kept as they are.
std::string Lowercase(std::string_view text);

}  // namespace quiver::utf8

#endif  // QUIVER_UTIL_UNICODE_CASE_H_
