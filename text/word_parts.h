// Internal to text/: the identifier rules of the analyzer, on byte ranges of a text that is
// well-formed UTF-8. analyzer.h states the rules for users; this file implements them.
#ifndef QUIVER_TEXT_WORD_PARTS_H_
#define QUIVER_TEXT_WORD_PARTS_H_

#include <cstdint>
#include <string_view>
#include <vector>

namespace quiver::text::internal {

// What ICU's word break rule status says of a word-like segment.
enum class WordKind : uint8_t {
  kNumber,       // UBRK_WORD_NUMBER: "123", "3.14", "1,000", "v1.2.3", "x86"
  kLetter,       // UBRK_WORD_LETTER: alphabetic words, Hangul, Thai
  kIdeographic,  // UBRK_WORD_KANA or UBRK_WORD_IDEO: Chinese and Japanese dictionary words
};

// A word-like segment of ICU's word break iterator: bytes [begin, end) of the text.
struct Word {
  uint32_t begin = 0;
  uint32_t end = 0;
  WordKind kind = WordKind::kLetter;
};

// One term-to-be: bytes [begin, end) of the text, and the kind of the word it came from.
struct Part {
  uint32_t begin = 0;
  uint32_t end = 0;
  WordKind kind = WordKind::kLetter;
};

// True for the connector bytes that join words into one identifier: : - . / \ _ @
bool IsConnector(char c);

// True when `gap`, the bytes between two words, joins them into one identifier: it is not
// empty and holds connectors only.
bool IsConnectorGap(std::string_view gap);

// Appends the parts of `word` (a segment of `text`) to `parts`: the word is cut at '_' and
// '@', and at '.' unless a digit stands on both sides (so "apt.conf" gives "apt" and "conf",
// "v1.2.3" stays whole); a piece of ASCII letters and digits is further cut before each
// uppercase letter that follows a lowercase one ("camelCase" gives "camel" and "Case").
// Kana and ideographic words are never cut. Empty pieces are dropped.
void SplitWord(std::string_view text, const Word& word, std::vector<Part>* parts);

}  // namespace quiver::text::internal

#endif  // QUIVER_TEXT_WORD_PARTS_H_
