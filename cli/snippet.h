// How the CLI shows stored text and scores on a terminal: document text made safe for one
// line, a query hit's snippet built from its highlighted words, and scores printed with just
// enough digits to tell neighbouring hits apart. Pure functions over the installed API (no
// Boost, no DB), so tests/cli/snippet_test.cc can test them directly.
#ifndef QUIVER_CLI_SNIPPET_H_
#define QUIVER_CLI_SNIPPET_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/types.h"

namespace quiver::cli {

// `text` made safe to print on one terminal line: tab, newline, carriage return, vertical
// tab, form feed, NEL and the Unicode line and paragraph separators become one space each;
// other control characters (C0 including ESC, DEL, C1) and bytes that are not valid UTF-8
// become U+FFFD; bidirectional embedding, override and isolate controls are dropped. Nothing
// the document holds can then move the cursor, change colours or reorder the line.
std::string TerminalText(std::string_view text);

// `text` made safe to print as lines on a terminal: each line (up to a newline) as TerminalText
// shows it, the newlines kept; a carriage return before a newline is dropped.
std::string TerminalLines(std::string_view text);

// The part of `text` to show for a query hit, at most `width` terminal columns wide
// (quiver::DisplayWidth, escape sequences not counted):
//   * the text as TerminalText shows it, with every run of white space folded to one space
//     and none at either end;
//   * when that is wider than `width`, the window holding the most `highlights` (byte ranges
//     of `text`, as Hit::highlights gives them; ranges out of order or out of bounds are
//     ignored), earliest first on ties, with some context before its first highlight, and
//     the start of the text when there are no highlights;
//   * cut only between words, with "…" where text was left out; a word too wide to fit even
//     alone (a long URL, a run of CJK without spaces) is cut between characters instead, but
//     never inside a highlight or a UTF-8 sequence;
//   * highlighted words wrapped in ANSI bold (ESC[1m … ESC[0m) when `bold`.
std::string Snippet(std::string_view text, const std::vector<TextSpan>& highlights, size_t width,
                    bool bold);

// Scores of a ranked list as its table prints them: 4 significant digits ("%.4g" of the
// float), with more for a score whose text would equal a neighbour's while the values differ,
// up to its shortest round-trip text (FormatFloat of cli/numbers.h), which always differs.
std::vector<std::string> FormatScores(const std::vector<float>& scores);

}  // namespace quiver::cli

#endif  // QUIVER_CLI_SNIPPET_H_
