// UTF-8 helpers shared by the tokenizers.
#ifndef QUIVER_TOKENIZER_UTF8_H_
#define QUIVER_TOKENIZER_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace quiver::utf8 {

inline constexpr char32_t kReplacement = 0xFFFD;

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 when the byte there does not
// start one (stray continuation byte, overlong form, surrogate, > U+10FFFF, truncated).
size_t ValidSequenceLength(std::string_view s, size_t i);

// Decodes the well-formed sequence at s[i] (its length from ValidSequenceLength).
char32_t DecodeAt(std::string_view s, size_t i, size_t len);

// Appends the UTF-8 form of `cp`.
void Append(std::string& out, char32_t cp);

// Index one past the last complete character in s[0..n): the largest i <= n at a character
// start. Assumes `s` is valid UTF-8.
size_t CharBoundaryAtOrBefore(std::string_view s, size_t n);

// True when `s` is entirely well-formed UTF-8.
bool IsValid(std::string_view s);

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

}  // namespace quiver::utf8

#endif  // QUIVER_TOKENIZER_UTF8_H_
