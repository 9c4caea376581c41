#include "util/utf8.h"

#include <utf8proc.h>

#include <algorithm>

namespace quiver::utf8 {

size_t ValidSequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  if (c < 0x80) return 1;
  const size_t left = s.size() - i;
  const auto cont = [&](size_t k) { return (b(i + k) & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (left < 3 || !cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (left < 4 || !cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // > U+10FFFF
    return 4;
  }
  return 0;
}

char32_t DecodeAt(std::string_view s, size_t i, size_t len) {
  const auto b = [&](size_t k) { return static_cast<char32_t>(static_cast<uint8_t>(s[i + k])); };
  switch (len) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

void Append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t CharLengthAt(std::string_view s, size_t i) {
  const size_t len = ValidSequenceLength(s, i);
  return len == 0 ? 1 : len;
}

int CodePointWidth(char32_t cp) { return utf8proc_charwidth(static_cast<utf8proc_int32_t>(cp)); }

namespace {
utf8proc_category_t CategoryOf(char32_t cp) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp));
}
}  // namespace

bool IsNonspacingMark(char32_t cp) { return CategoryOf(cp) == UTF8PROC_CATEGORY_MN; }

bool IsPunctuation(char32_t cp) {
  const utf8proc_category_t c = CategoryOf(cp);
  return c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO;
}

bool IsOtherNotUnassigned(char32_t cp) {
  const utf8proc_category_t c = CategoryOf(cp);
  return c == UTF8PROC_CATEGORY_CC || c == UTF8PROC_CATEGORY_CF || c == UTF8PROC_CATEGORY_CO ||
         c == UTF8PROC_CATEGORY_CS;
}

size_t CharBoundaryAtOrBefore(std::string_view s, size_t n) {
  while (n > 0 && n < s.size() && (static_cast<uint8_t>(s[n]) & 0xC0) == 0x80) --n;
  return n;
}

bool IsInsideSequence(std::string_view s, size_t pos) {
  if (pos >= s.size() || !IsContinuationByte(s[pos])) return false;
  for (size_t back = 1; back <= 3 && back <= pos; ++back) {
    if (ValidSequenceLength(s, pos - back) > back) return true;
  }
  return false;
}

bool IsValid(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Fast path over ASCII.
    while (i < s.size() && static_cast<uint8_t>(s[i]) < 0x80) ++i;
    if (i == s.size()) break;
    const size_t len = ValidSequenceLength(s, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

std::string Sanitize(std::string_view s, std::vector<uint32_t>* invalid_positions) {
  std::string out;
  out.reserve(s.size() + 16);
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = ValidSequenceLength(s, i);
    if (len == 0) {
      Append(out, kReplacement);
      if (invalid_positions) invalid_positions->push_back(static_cast<uint32_t>(i));
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

namespace {

// Length of the ill-formed subpart starting at s[i] (which does not start a valid sequence).
size_t MaximalSubpart(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t c = b(i);
  size_t need;
  uint8_t lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 1;
  }
  size_t k = 1;
  if (i + 1 < s.size() && b(i + 1) >= lo && b(i + 1) <= hi) {
    k = 2;
    while (k < need && i + k < s.size() && (b(i + k) & 0xC0) == 0x80) ++k;
  }
  return k;
}

}  // namespace

bool IsValidPrefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = ValidSequenceLength(s, i);
    if (len == 0) {
      // Only a well-formed start of a sequence, cut off by the end of `s`, may remain.
      const uint8_t c = static_cast<uint8_t>(s[i]);
      return c >= 0xC2 && c <= 0xF4 && i + MaximalSubpart(s, i) == s.size();
    }
    i += len;
  }
  return true;
}

std::string DecodeLossy(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t len = ValidSequenceLength(s, i);
    if (len == 0) {
      Append(out, kReplacement);
      i += MaximalSubpart(s, i);
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

uint32_t SanitizedOffsetMap::ToOriginal(uint32_t pos) const {
  // Each replaced byte grew by 2 bytes (1 → 3). Find how many replacements lie wholly before
  // `pos` in sanitized coordinates: replacement k starts at invalid[k] + 2k.
  const std::vector<uint32_t>& inv = *invalid_;
  size_t lo = 0, hi = inv.size();
  while (lo < hi) {
    const size_t mid = (lo + hi) / 2;
    if (inv[mid] + 2 * mid < pos) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  // `lo` replacements start before pos; the last of them may contain pos.
  if (lo > 0) {
    const size_t k = lo - 1;
    const uint32_t start = inv[k] + 2 * static_cast<uint32_t>(k);
    if (pos < start + 3) return inv[k] + 1;  // inside the U+FFFD: after the replaced byte
  }
  return pos - 2 * static_cast<uint32_t>(lo);
}

// ---- Unicode normalization ------------------------------------------------------------------
//
// NormalizeByGroups normalizes text in groups that normalize independently. A group starts at a
// character whose full decomposition begins with a starter (combining class 0), unless, for the
// composing forms, that starter composes with the last code point of the previous group once
// normalized (Hangul jamo, some vowel signs): then the groups merge. Inside a group the
// characters are fully decomposed, each run of non-starters is put in canonical order and, for
// NFC/NFKC, the result is recomposed. The groups' concatenation equals whole-text normalization.

namespace {

using CodePoints = std::vector<utf8proc_int32_t>;

bool IsComposing(NormalizationForm f) {
  return f == NormalizationForm::kNFC || f == NormalizationForm::kNFKC;
}
bool IsCompat(NormalizationForm f) {
  return f == NormalizationForm::kNFKC || f == NormalizationForm::kNFKD;
}

// The utf8proc_map options of whole-string normalization to `f`.
utf8proc_option_t FormOptions(NormalizationForm f) {
  int options = UTF8PROC_STABLE | (IsComposing(f) ? UTF8PROC_COMPOSE : UTF8PROC_DECOMPOSE);
  if (IsCompat(f)) options |= UTF8PROC_COMPAT;
  return static_cast<utf8proc_option_t>(options);
}

constexpr utf8proc_option_t kComposeOptions =
    static_cast<utf8proc_option_t>(UTF8PROC_COMPOSE | UTF8PROC_STABLE);

int CombiningClass(utf8proc_int32_t cp) { return utf8proc_get_property(cp)->combining_class; }

// Appends the full canonical (or, when `compat`, compatibility) decomposition of `c`, a Unicode
// scalar value, in the order the decomposition mappings give.
void AppendDecomposition(char32_t c, bool compat, CodePoints& out) {
  if (c < 0x80) {  // ASCII never decomposes
    out.push_back(static_cast<utf8proc_int32_t>(c));
    return;
  }
  constexpr utf8proc_ssize_t kMax = 32;  // the longest full decomposition has 18 code points
  utf8proc_int32_t buf[kMax];
  const auto options =
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
  int boundclass = 0;
  const utf8proc_ssize_t n =
      utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf, kMax, options, &boundclass);
  if (n <= 0 || n > kMax) {
    out.push_back(static_cast<utf8proc_int32_t>(c));
    return;
  }
  out.insert(out.end(), buf, buf + n);
}

// Sorts each run of non-starters by combining class, keeping equal classes in order (the
// canonical ordering algorithm, in O(n log n) even for very long runs).
void CanonicalOrder(CodePoints& cps) {
  const auto by_class = [](utf8proc_int32_t a, utf8proc_int32_t b) {
    return CombiningClass(a) < CombiningClass(b);
  };
  for (size_t i = 0; i < cps.size();) {
    size_t j = i;
    while (j < cps.size() && CombiningClass(cps[j]) != 0) ++j;
    if (j - i > 1) std::stable_sort(cps.begin() + i, cps.begin() + j, by_class);
    i = j == i ? i + 1 : j;
  }
}

// Canonical composition of decomposed, canonically ordered code points, in place.
void Compose(CodePoints& cps) {
  const utf8proc_ssize_t n = utf8proc_normalize_utf32(
      cps.data(), static_cast<utf8proc_ssize_t>(cps.size()), kComposeOptions);
  if (n >= 0) cps.resize(static_cast<size_t>(n));
}

// True when `next`, the starter that begins a group, composes with `last`, the last code point
// of the normalized group before it (so the two must be normalized together).
bool ComposesWithPrevious(utf8proc_int32_t last, utf8proc_int32_t next) {
  if (next < 0x80) return false;  // ASCII is never the second code point of a composition
  utf8proc_int32_t pair[2] = {last, next};
  return utf8proc_normalize_utf32(pair, 2, kComposeOptions) == 1;
}

// Collects source characters into groups (see above) and passes each group, normalized, to the
// sink.
class GroupNormalizer {
 public:
  GroupNormalizer(bool compose, const NormalizedGroupSink& emit) : compose_(compose), emit_(emit) {}

  // Adds the source character at bytes [b, e) whose full decomposition is `d` (not empty).
  void Add(size_t b, size_t e, const CodePoints& d) {
    if (!cps_.empty() && CombiningClass(d[0]) == 0) {
      Normalize();
      if (!compose_ || !ComposesWithPrevious(norm_.back(), d[0])) Emit();
    }
    if (cps_.empty()) begin_ = b;
    cps_.insert(cps_.end(), d.begin(), d.end());
    end_ = e;
  }

  // Passes on the last group.
  void Finish() {
    if (cps_.empty()) return;
    Normalize();
    Emit();
  }

 private:
  // norm_ = the current group, normalized.
  void Normalize() {
    norm_ = cps_;
    if (norm_.size() < 2) return;
    CanonicalOrder(norm_);
    if (compose_) Compose(norm_);
  }

  // Passes norm_ on for source bytes [begin_, end_) and empties the group.
  void Emit() {
    utf8_.clear();
    for (utf8proc_int32_t cp : norm_) Append(utf8_, static_cast<char32_t>(cp));
    emit_(begin_, end_, utf8_);
    cps_.clear();
  }

  bool compose_;
  const NormalizedGroupSink& emit_;
  size_t begin_ = 0, end_ = 0;
  CodePoints cps_, norm_;
  std::string utf8_;
};

}  // namespace

std::string Normalize(std::string_view text, NormalizationForm form) {
  const std::string clean = IsValid(text) ? std::string(text) : Sanitize(text, nullptr);
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(clean.data()),
                   static_cast<utf8proc_ssize_t>(clean.size()), &mapped, FormOptions(form));
  // utf8proc_map fails only when out of memory; the text is then returned unnormalized.
  std::string result = n >= 0 ? std::string(reinterpret_cast<const char*>(mapped), n) : clean;
  std::free(mapped);
  return result;
}

void NormalizeByGroups(std::string_view text, NormalizationForm form,
                       const NormalizedGroupSink& emit) {
  GroupNormalizer groups(IsComposing(form), emit);
  CodePoints d;
  for (size_t i = 0; i < text.size();) {
    const size_t len = ValidSequenceLength(text, i);
    const char32_t c = len == 0 ? kReplacement : DecodeAt(text, i, len);
    const size_t e = i + (len == 0 ? 1 : len);
    d.clear();
    AppendDecomposition(c, IsCompat(form), d);
    groups.Add(i, e, d);
    i = e;
  }
  groups.Finish();
}

void ForEachGrapheme(std::string_view text,
                     const std::function<void(size_t begin, size_t end)>& emit) {
  size_t begin = 0;
  utf8proc_int32_t state = 0;
  utf8proc_int32_t prev = -1;  // -1: no previous well-formed character (start, or a bad byte)
  for (size_t i = 0; i < text.size();) {
    const size_t len = ValidSequenceLength(text, i);
    if (len == 0) {  // an ill-formed byte: a cluster of its own
      if (i > begin) emit(begin, i);
      emit(i, i + 1);
      begin = i + 1;
      prev = -1;
      state = 0;
      ++i;
      continue;
    }
    const auto cp = static_cast<utf8proc_int32_t>(DecodeAt(text, i, len));
    // The state starts at 0 and follows every pair of the run, as utf8proc requires.
    if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state)) {
      emit(begin, i);
      begin = i;
    }
    prev = cp;
    i += len;
  }
  if (begin < text.size()) emit(begin, text.size());
}

}  // namespace quiver::utf8
