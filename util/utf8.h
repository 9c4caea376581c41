// UTF-8 helpers: every byte-level UTF-8 test in quiver goes through here, and so does every
// call into utf8proc (normalization, character widths), which only util/ includes.
#ifndef QUIVER_UTIL_UTF8_H_
#define QUIVER_UTIL_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace quiver::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// True for a continuation byte (10xxxxxx), which never starts a character.
constexpr bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when the byte there does not
// start one (stray continuation byte, overlong form, surrogate, > U+10FFFF, truncated).
size_t ValidSequenceLength(std::string_view s, size_t i);

// Decodes the well-formed sequence at s[i] (its length from ValidSequenceLength).
char32_t DecodeAt(std::string_view s, size_t i, size_t len);

// Appends the UTF-8 form of `cp`.
void Append(std::string& out, char32_t cp);

// Length of the character at s[i] (requires i < s.size()): the length of the well-formed
// sequence there, or 1 for a byte that does not start one (such a byte counts as a character of
// its own). Stepping by it visits every byte of any string exactly once.
size_t CharLengthAt(std::string_view s, size_t i);

// Terminal columns of code point `cp`, as utf8proc_charwidth gives them: 2 for East Asian wide
// and fullwidth characters (CJK ideographs, Hangul, most emoji), 0 for combining marks,
// zero-width and control characters, 1 otherwise (unassigned code points included).
int CodePointWidth(char32_t cp);

// Unicode general category tests (utf8proc's tables).
// Mn: a nonspacing mark (what BERT's accent stripping removes after NFD).
bool IsNonspacingMark(char32_t cp);
// Pc, Pd, Ps, Pe, Pi, Pf or Po: any punctuation.
bool IsPunctuation(char32_t cp);
// Cc, Cf, Co or Cs: control, format, private-use or surrogate (unassigned Cn is not included).
bool IsOtherNotUnassigned(char32_t cp);

// Index one past the last complete character in s[0..n): the largest i <= n at a character
// start. Assumes `s` is valid UTF-8.
size_t CharBoundaryAtOrBefore(std::string_view s, size_t n);

// True when `pos` lies inside a well-formed sequence that starts before it: cutting `s` at
// `pos` would split a character.
bool IsInsideSequence(std::string_view s, size_t pos);

// True when `s` is entirely well-formed UTF-8.
bool IsValid(std::string_view s);

// True when `s` is well-formed UTF-8 except that it may end inside a sequence, as a piece cut
// from the start of a longer text may.
bool IsValidPrefix(std::string_view s);

// `s` with every byte that is not part of a well-formed sequence replaced by U+FFFD.
// `invalid_positions` receives the positions (in `s`) of the replaced bytes, ascending.
std::string Sanitize(std::string_view s, std::vector<uint32_t>* invalid_positions);

// `bytes` as text, each maximal ill-formed subpart replaced by one U+FFFD (the Unicode
// recommendation, as Rust's String::from_utf8_lossy does).
std::string DecodeLossy(std::string_view bytes);

// Maps positions in Sanitize's output back to positions in its input, given the replaced byte
// positions. A position inside a U+FFFD maps to the replaced byte.
class SanitizedOffsetMap {
 public:
  explicit SanitizedOffsetMap(const std::vector<uint32_t>* invalid_positions)
      : invalid_(invalid_positions) {}
  uint32_t ToOriginal(uint32_t sanitized_pos) const;

 private:
  const std::vector<uint32_t>* invalid_;
};

// ---- Grapheme clusters -----------------------------------------------------------------------

// Calls `emit(begin, end)` for each extended grapheme cluster of `text` (UAX #29, utf8proc's
// tables), in order; the clusters cover `text`. A byte that is not part of a well-formed
// sequence is a cluster of its own.
void ForEachGrapheme(std::string_view text,
                     const std::function<void(size_t begin, size_t end)>& emit);

// ---- Unicode normalization ------------------------------------------------------------------

enum class NormalizationForm { kNFC, kNFD, kNFKC, kNFKD };

// `text` normalized to `form` as one whole string (bytes that are not well-formed UTF-8 become
// U+FFFD first).
std::string Normalize(std::string_view text, NormalizationForm form);

// Receives one group of NormalizeByGroups: source bytes [begin, end) and their normalized form.
using NormalizedGroupSink =
    std::function<void(size_t begin, size_t end, std::string_view normalized)>;

// Normalizes `text` to `form` in groups that normalize independently, for callers that keep an
// alignment between a text and its normalized form. `emit` receives the groups in order; they
// cover `text`, and the concatenation of their normalized forms equals Normalize(text, form).
// A byte that is not part of a well-formed sequence is a U+FFFD of its own.
void NormalizeByGroups(std::string_view text, NormalizationForm form,
                       const NormalizedGroupSink& emit);

}  // namespace quiver::utf8

#endif  // QUIVER_UTIL_UTF8_H_
