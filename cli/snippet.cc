#include "cli/snippet.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>

#include "cli/numbers.h"
#include "quiver/display.h"

namespace quiver::cli {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kEllipsis[] = "\xE2\x80\xA6";     // U+2026
constexpr char kBoldOn[] = "\033[1m";
constexpr char kBoldOff[] = "\033[0m";

enum class CharKind { kKeep, kSpace, kReplace, kDrop };

// The code point of a well-formed UTF-8 sequence of 2 to 4 bytes.
uint32_t Decode(std::string_view c) {
  const auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(c[i])); };
  if (c.size() == 2) return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
  if (c.size() == 3) return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
  return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
}

// What TerminalText does with one character (a NextCharBoundary step of the text).
CharKind Classify(std::string_view c) {
  const auto first = static_cast<unsigned char>(c[0]);
  if (c.size() == 1) {
    if (first == ' ' || (first >= '\t' && first <= '\r')) return CharKind::kSpace;
    if (first < 0x20 || first == 0x7F || first >= 0x80) return CharKind::kReplace;
    return CharKind::kKeep;
  }
  const uint32_t cp = Decode(c);
  if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) return CharKind::kSpace;
  if (cp >= 0x80 && cp <= 0x9F) return CharKind::kReplace;
  if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069)) return CharKind::kDrop;
  return CharKind::kKeep;
}

// A text as TerminalText shows it, and where each byte of the original went.
struct Normalized {
  std::string text;
  std::vector<size_t> offset;  // offset[i]: the position in `text` of original byte i (0..size)
};

Normalized Normalize(std::string_view text, bool fold_spaces) {
  Normalized n;
  n.offset.assign(text.size() + 1, 0);
  bool pending_space = false;
  for (size_t i = 0; i < text.size();) {
    const size_t next = NextCharBoundary(text, i);
    const std::string_view c = text.substr(i, next - i);
    const CharKind kind = Classify(c);
    if (kind == CharKind::kSpace && fold_spaces) {
      pending_space = !n.text.empty();
    } else if (kind != CharKind::kDrop && pending_space) {
      n.text.push_back(' ');
      pending_space = false;
    }
    std::fill(n.offset.begin() + i, n.offset.begin() + next, n.text.size());
    if (kind == CharKind::kKeep) {
      n.text.append(c);
    } else if (kind == CharKind::kReplace) {
      n.text.append(kReplacement);
    } else if (kind == CharKind::kSpace && !fold_spaces) {
      n.text.push_back(' ');
    }
    i = next;
  }
  n.offset[text.size()] = n.text.size();
  return n;
}

struct Span {
  size_t begin;
  size_t end;
};

// `highlights` as ranges of the normalized text: ascending, disjoint and not empty; ranges of
// the original that are out of bounds or out of order are left out.
std::vector<Span> MapHighlights(std::string_view text, const Normalized& n,
                                const std::vector<TextSpan>& highlights) {
  std::vector<Span> spans;
  for (const TextSpan& h : highlights) {
    if (h.begin >= h.end || h.end > text.size()) continue;
    const size_t begin = n.offset[CharBoundaryAtOrBefore(text, h.begin)];
    const size_t end = n.offset[CharBoundaryAtOrAfter(text, h.end)];
    if (begin >= end || (!spans.empty() && begin < spans.back().end)) continue;
    spans.push_back({begin, end});
  }
  return spans;
}

// The pieces a snippet is cut between: the words of the normalized text, or the characters
// of a word wider than `max_columns` (a highlight and the zero-width characters after a
// character staying with it).
struct Unit {
  size_t begin;
  size_t end;
  size_t columns;
  bool space_before;  // a space separates it from the unit before
};

void SplitWideWord(const std::string& text, size_t begin, size_t end,
                   const std::vector<Span>& spans, std::vector<Unit>* units) {
  size_t s = 0;
  bool first = true;
  for (size_t i = begin; i < end;) {
    size_t next = NextCharBoundary(text, i);
    while (s < spans.size() && spans[s].end <= i) ++s;
    if (s < spans.size() && spans[s].begin <= i) next = std::max(next, std::min(spans[s].end, end));
    while (next < end) {
      const size_t after = NextCharBoundary(text, next);
      if (DisplayWidth(std::string_view(text).substr(next, after - next)) != 0) break;
      next = after;
    }
    const size_t columns = DisplayWidth(std::string_view(text).substr(i, next - i));
    units->push_back({i, next, columns, first && !units->empty()});
    first = false;
    i = next;
  }
}

std::vector<Unit> SplitUnits(const std::string& text, const std::vector<Span>& spans,
                             size_t max_columns) {
  std::vector<Unit> units;
  for (size_t begin = 0; begin < text.size();) {
    size_t end = text.find(' ', begin);
    if (end == std::string::npos) end = text.size();
    const size_t columns = DisplayWidth(std::string_view(text).substr(begin, end - begin));
    if (columns <= max_columns) {
      units.push_back({begin, end, columns, !units.empty()});
    } else {
      SplitWideWord(text, begin, end, spans, &units);
    }
    begin = end + 1;
  }
  return units;
}

// Columns of the window of units [a, b), with its "…" marks.
class WindowWidth {
 public:
  explicit WindowWidth(const std::vector<Unit>& units) : units_(units), prefix_(units.size() + 1) {
    for (size_t i = 0; i < units.size(); ++i) {
      prefix_[i + 1] = prefix_[i] + units[i].columns + (units[i].space_before ? 1 : 0);
    }
  }
  size_t operator()(size_t a, size_t b) const {
    if (a >= b) return 0;
    return prefix_[b] - prefix_[a] - (units_[a].space_before ? 1 : 0) + (a > 0 ? 1 : 0) +
           (b < units_.size() ? 1 : 0);
  }

 private:
  const std::vector<Unit>& units_;
  std::vector<size_t> prefix_;
};

// The window of units [first, last) to show (see Snippet).
std::pair<size_t, size_t> ChooseWindow(const std::vector<Unit>& units,
                                       const std::vector<Span>& spans, size_t width) {
  const WindowWidth columns(units);
  const auto fits = [&](size_t a, size_t b) { return columns(a, b) <= width; };
  // Each highlight as the units [first, last) it covers.
  std::vector<std::pair<size_t, size_t>> covered;
  size_t u = 0;
  for (const Span& span : spans) {
    while (u < units.size() && units[u].end <= span.begin) ++u;
    size_t last = u;
    while (last < units.size() && units[last].begin < span.end) ++last;
    if (u < last) covered.emplace_back(u, last);
  }
  // The densest group of highlights that fits, the earliest on ties.
  size_t a = 0, b = 0, best = 0;
  for (size_t i = 0; i < covered.size(); ++i) {
    if (!fits(covered[i].first, covered[i].second)) continue;
    size_t j = i;
    while (j + 1 < covered.size() && fits(covered[i].first, covered[j + 1].second)) ++j;
    if (j - i + 1 > best) {
      best = j - i + 1;
      a = covered[i].first;
      b = covered[j].second;
    }
  }
  if (best > 0 && fits(0, b)) {
    a = 0;
  } else if (best > 0) {
    // Context before the first highlight: about a third of the room left.
    const size_t context = (width - columns(a, b)) / 3;
    size_t added = 0;
    while (a > 0 && fits(a - 1, b) && added + units[a - 1].columns + 1 <= context) {
      added += units[--a].columns + 1;
    }
  }
  while (b < units.size() && fits(a, b + 1)) ++b;
  while (a > 0 && fits(a - 1, b)) --a;
  if (b == a) b = a + 1;  // a unit wider than the window: Snippet clips it
  return {a, b};
}

// `text` cut to `width` columns, whole characters, ending in "…" when cut.
std::string ClipToWidth(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  return std::string(PrefixByWidth(text, width - 1)) + kEllipsis;
}

}  // namespace

std::string TerminalText(std::string_view text) { return Normalize(text, false).text; }

std::string TerminalLines(std::string_view text) {
  std::string out;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out += TerminalText(line);
    if (end == text.size()) break;
    out += '\n';
    start = end + 1;
  }
  return out;
}

std::string Snippet(std::string_view original, const std::vector<TextSpan>& highlights,
                    size_t width, bool bold) {
  const Normalized normalized = Normalize(original, true);
  const std::string& text = normalized.text;
  if (text.empty()) return "";
  if (width < 4) return ClipToWidth(text, width);
  const std::vector<Span> spans = MapHighlights(original, normalized, highlights);
  const std::vector<Unit> units = SplitUnits(text, spans, width - 2);
  const auto [a, b] = ChooseWindow(units, spans, width);
  const size_t from = units[a].begin, to = units[b - 1].end;
  const std::string lead = a > 0 ? kEllipsis : "";
  const std::string tail = b < units.size() ? kEllipsis : "";
  if (WindowWidth(units)(a, b) > width) {  // one unit wider than the window
    return lead +
           ClipToWidth(std::string_view(text).substr(from, to - from), width - (a > 0 ? 1 : 0));
  }
  std::string out = lead;
  size_t pos = from;
  for (const Span& span : spans) {
    const size_t begin = std::max(span.begin, pos), end = std::min(span.end, to);
    if (begin >= end) continue;
    out.append(text, pos, begin - pos);
    if (bold) out += kBoldOn;
    out.append(text, begin, end - begin);
    if (bold) out += kBoldOff;
    pos = end;
  }
  out.append(text, pos, to - pos);
  return out + tail;
}

std::vector<std::string> FormatScores(const std::vector<float>& scores) {
  constexpr int kExact = 9;  // a float's shortest round-trip text has at most 9 digits
  std::vector<int> digits(scores.size(), 4);
  const auto format = [&](size_t i) {
    if (digits[i] >= kExact) return FormatFloat(scores[i]);
    char text[48];
    const auto end =
        std::to_chars(text, text + sizeof(text), scores[i], std::chars_format::general, digits[i]);
    return std::string(text, end.ptr);
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i + 1 < scores.size(); ++i) {
      if (scores[i] == scores[i + 1] || format(i) != format(i + 1)) continue;
      const int more = std::min(kExact, std::max(digits[i], digits[i + 1]) + 1);
      if (more == digits[i] && more == digits[i + 1]) continue;
      digits[i] = digits[i + 1] = more;
      changed = true;
    }
  }
  std::vector<std::string> out;
  out.reserve(scores.size());
  for (size_t i = 0; i < scores.size(); ++i) out.push_back(format(i));
  return out;
}

}  // namespace quiver::cli
