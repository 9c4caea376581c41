#include "util/unicode_case.h"

#include <utf8proc.h>

#include "util/utf8.h"

namespace quiver::utf8 {

std::string Lowercase(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t len = ValidSequenceLength(text, i);
    if (len == 0) {  // not well-formed: kept
      out.push_back(text[i++]);
      continue;
    }
    const char32_t c = DecodeAt(text, i, len);
    if (c < 0x80) {
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : static_cast<char>(c));
    } else {
      Append(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
    }
    i += len;
  }
  return out;
}

}  // namespace quiver::utf8
