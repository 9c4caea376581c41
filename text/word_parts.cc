#include "text/word_parts.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace quiver::text::internal {
namespace {

bool IsAsciiLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsAsciiAlnum(char c) { return IsAsciiLower(c) || IsAsciiUpper(c) || (c >= '0' && c <= '9'); }

// True when the characters just before and just after s[i] (inside [begin, end)) are digits.
bool BetweenDigits(std::string_view s, uint32_t begin, uint32_t end, uint32_t i) {
  if (i <= begin || i + 1 >= end) return false;
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  int32_t before = static_cast<int32_t>(i);
  UChar32 prev = 0;
  U8_PREV(bytes, static_cast<int32_t>(begin), before, prev);
  int32_t after = static_cast<int32_t>(i) + 1;
  UChar32 next = 0;
  U8_NEXT(bytes, after, static_cast<int32_t>(end), next);
  return prev >= 0 && next >= 0 && u_isdigit(prev) && u_isdigit(next);
}

// True when s[i] ends a piece inside a word: a connector that cuts it.
bool CutsWord(std::string_view s, uint32_t begin, uint32_t end, uint32_t i) {
  const char c = s[i];
  if (c == '_' || c == '@') return true;
  return c == '.' && !BetweenDigits(s, begin, end, i);
}

// Appends [begin, end), cut before each uppercase ASCII letter that follows a lowercase one
// when the piece is ASCII letters and digits only.
void SplitCamel(std::string_view s, uint32_t begin, uint32_t end, WordKind kind,
                std::vector<Part>* parts) {
  for (uint32_t i = begin; i < end; ++i) {
    if (!IsAsciiAlnum(s[i])) {
      parts->push_back({begin, end, kind});
      return;
    }
  }
  uint32_t start = begin;
  for (uint32_t i = begin + 1; i < end; ++i) {
    if (IsAsciiUpper(s[i]) && IsAsciiLower(s[i - 1])) {
      parts->push_back({start, i, kind});
      start = i;
    }
  }
  parts->push_back({start, end, kind});
}

}  // namespace

bool IsConnector(char c) {
  switch (c) {
    case ':':
    case '-':
    case '.':
    case '/':
    case '\\':
    case '_':
    case '@':
      return true;
    default:
      return false;
  }
}

bool IsConnectorGap(std::string_view gap) {
  if (gap.empty()) return false;
  for (char c : gap) {
    if (!IsConnector(c)) return false;
  }
  return true;
}

void SplitWord(std::string_view text, const Word& word, std::vector<Part>* parts) {
  if (word.kind == WordKind::kIdeographic) {
    parts->push_back({word.begin, word.end, word.kind});
    return;
  }
  uint32_t start = word.begin;
  for (uint32_t i = word.begin; i <= word.end; ++i) {
    if (i < word.end && !CutsWord(text, word.begin, word.end, i)) continue;
    if (i > start) SplitCamel(text, start, i, word.kind, parts);
    start = i + 1;
  }
}

}  // namespace quiver::text::internal
