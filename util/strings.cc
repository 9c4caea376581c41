#include "util/strings.h"

#include <algorithm>
#include <cstdint>

#include "util/utf8.h"

namespace quiver::util {
namespace {

// Appends `cp`, a control character, as \u00XX (lowercase hex, as JSON writers do).
void AppendUnicodeEscape(std::string& out, char32_t cp) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += "\\u00";
  out.push_back(kDigits[(cp >> 4) & 0xF]);
  out.push_back(kDigits[cp & 0xF]);
}

void AppendEscapedAscii(std::string& out, char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
        AppendUnicodeEscape(out, static_cast<unsigned char>(c));
      } else {
        out.push_back(c);
      }
  }
}

}  // namespace

std::string Quote(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 5);
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const size_t len = utf8::ValidSequenceLength(text, i);
    const size_t step = len == 0 ? 1 : len;
    if (step > max_bytes - i) break;  // i <= max_bytes here
    if (len == 0) {
      utf8::Append(out, utf8::kReplacement);
    } else if (len == 1) {
      AppendEscapedAscii(out, text[i]);
    } else if (const char32_t cp = utf8::DecodeAt(text, i, len); cp < 0xA0) {
      AppendUnicodeEscape(out, cp);  // C1 control
    } else {
      out.append(text.substr(i, len));
    }
    i += step;
  }
  if (i < text.size()) out += "...";
  out.push_back('"');
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

}  // namespace quiver::util
