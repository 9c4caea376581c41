// Text as a terminal shows it: how many columns UTF-8 text takes, cutting it to a number of
// columns without splitting a character, and finding character boundaries. For tables and
// other aligned output.
//
// A *character* here is one well-formed UTF-8 sequence (one code point), or a single byte that
// is not part of one (an invalid byte, which terminals show as one replacement glyph). Any byte
// string is accepted: nothing here fails, allocates or reads outside the text. Widths are summed
// per code point; grapheme clusters (an emoji ZWJ sequence, a flag) are not recognised.
//
// Typical use, padding a table cell to 12 columns:
//   std::string_view cell = PrefixByWidth(text, 12);
//   std::string padded = std::string(cell) + std::string(12 - DisplayWidth(cell), ' ');
#ifndef QUIVER_DISPLAY_H_
#define QUIVER_DISPLAY_H_

#include <cstddef>
#include <string_view>

namespace quiver {

// Terminal columns `text` takes, summed over its characters:
//   * every ASCII character counts 1, control characters (tab, newline, DEL) included, so that
//     ASCII text measures exactly its length in bytes;
//   * every other code point counts what utf8proc_charwidth says: 2 for East Asian wide and
//     fullwidth characters (CJK ideographs, kana, Hangul, most emoji), 0 for combining marks,
//     zero-width characters (U+200B) and C1 controls, 1 otherwise;
//   * every invalid byte counts 1.
size_t DisplayWidth(std::string_view text);

// The longest prefix of `text` whose DisplayWidth is at most `max_width`. It ends at a character
// boundary: a character that would cross the limit (a wide one with one column left) is left out
// whole, together with everything after it. Zero-width characters directly after the last
// character kept (combining marks on it) are kept with it. The result points into `text`.
std::string_view PrefixByWidth(std::string_view text, size_t max_width);

// The longest suffix of `text` whose DisplayWidth is at most `max_width`, starting at a character
// boundary but not at a zero-width character (a combining mark would lose the character it sits
// on). For clipping the front of ids and paths, which differ at their ends. The result points
// into `text`.
std::string_view SuffixByWidth(std::string_view text, size_t max_width);

// Whether a character starts at byte `pos`. True at 0 and at text.size(); false beyond it and
// inside a multi-byte sequence.
bool IsCharBoundary(std::string_view text, size_t pos);

// The largest character boundary <= `pos`; a `pos` beyond the end gives text.size().
size_t CharBoundaryAtOrBefore(std::string_view text, size_t pos);

// The smallest character boundary >= `pos`; at most text.size().
size_t CharBoundaryAtOrAfter(std::string_view text, size_t pos);

// The smallest character boundary > `pos` (the end of the character at a boundary `pos`), or
// text.size() when `pos` >= text.size(). Stepping from 0 visits every character once.
size_t NextCharBoundary(std::string_view text, size_t pos);

}  // namespace quiver

#endif  // QUIVER_DISPLAY_H_
