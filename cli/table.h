// An aligned text table for human-readable output, fitted to the terminal's width.
#ifndef QUIVER_CLI_TABLE_H_
#define QUIVER_CLI_TABLE_H_

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace quiver::cli {

// The width of the terminal stdout writes to: $COLUMNS when it is a positive number, else the
// terminal's own (TIOCGWINSZ), else 80. nullopt when stdout is not a terminal (a pipe or a
// file): output there is never cut to a width.
std::optional<size_t> TerminalWidth();

class Table {
 public:
  // Columns are separated by this many spaces.
  static constexpr size_t kGap = 2;

  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // Cells beyond the number of headers are ignored; missing ones print empty. Each cell is
  // made safe for one terminal line (TerminalText of cli/snippet.h): whatever a document
  // holds, a table cell cannot move the cursor or change colours.
  void AddRow(std::vector<std::string> cells);
  // Replaces cell `column` of row `row` (the row exists) with `cell` as given: text the
  // caller has made safe already (a Snippet, which may hold its own bold escapes).
  void SetSafeCell(size_t row, size_t column, std::string cell);
  size_t rows() const { return rows_.size(); }

  // What is left of `total` columns for column `flexible` once every other column (as wide as
  // its widest cell or header) and the gaps are laid out; at least `minimum`.
  size_t WidthLeft(size_t total, size_t flexible, size_t minimum) const;

  // Columns are padded to their widest cell, measured in terminal columns (quiver::DisplayWidth,
  // include/quiver/display.h), so wide (CJK) and combining characters stay aligned; the last
  // column is not padded.
  void Print(FILE* out) const;

 private:
  size_t ColumnWidth(size_t column) const;

  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace quiver::cli

#endif  // QUIVER_CLI_TABLE_H_
