// The terminal display helpers of quiver/display.h, over util/utf8.h.
#include "quiver/display.h"

#include <vector>

#include "util/utf8.h"

namespace quiver {
namespace {

struct CharInfo {
  size_t length;  // bytes
  size_t width;   // terminal columns
};

// The character at text[i] (i < text.size()).
CharInfo CharAt(std::string_view text, size_t i) {
  const size_t length = utf8::ValidSequenceLength(text, i);
  if (length == 0) return {1, 1};  // an invalid byte
  const char32_t cp = utf8::DecodeAt(text, i, length);
  if (cp < 0x80) return {1, 1};  // ASCII, control characters included
  return {length, static_cast<size_t>(utf8::CodePointWidth(cp))};
}

}  // namespace

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    const CharInfo c = CharAt(text, i);
    width += c.width;
    i += c.length;
  }
  return width;
}

std::string_view PrefixByWidth(std::string_view text, size_t max_width) {
  size_t width = 0;
  size_t i = 0;
  while (i < text.size()) {
    const CharInfo c = CharAt(text, i);
    width += c.width;
    if (width > max_width) break;
    i += c.length;
  }
  return text.substr(0, i);
}

std::string_view SuffixByWidth(std::string_view text, size_t max_width) {
  // Characters cannot be found walking backwards through invalid bytes, so walk forwards,
  // noting where each character starts and how wide it is.
  struct Start {
    size_t at;
    size_t width;
  };
  std::vector<Start> starts;
  size_t remaining = 0;  // the width of the suffix from starts[k] on, once the loop is done
  for (size_t i = 0; i < text.size();) {
    const CharInfo c = CharAt(text, i);
    starts.push_back({i, c.width});
    remaining += c.width;
    i += c.length;
  }
  for (const Start& s : starts) {
    if (remaining <= max_width && s.width > 0) return text.substr(s.at);
    remaining -= s.width;
  }
  return text.substr(text.size());
}

bool IsCharBoundary(std::string_view text, size_t pos) {
  return pos <= text.size() && !utf8::IsInsideSequence(text, pos);
}

size_t CharBoundaryAtOrBefore(std::string_view text, size_t pos) {
  if (pos >= text.size()) return text.size();
  while (!IsCharBoundary(text, pos)) --pos;
  return pos;
}

size_t CharBoundaryAtOrAfter(std::string_view text, size_t pos) {
  if (pos >= text.size()) return text.size();
  while (!IsCharBoundary(text, pos)) ++pos;
  return pos;
}

size_t NextCharBoundary(std::string_view text, size_t pos) {
  if (pos >= text.size()) return text.size();
  if (!IsCharBoundary(text, pos)) return CharBoundaryAtOrAfter(text, pos);
  return pos + utf8::CharLengthAt(text, pos);
}

}  // namespace quiver
