// An aligned text table for human-readable output.
#ifndef QUIVER_CLI_TABLE_H_
#define QUIVER_CLI_TABLE_H_

#include <cstdio>
#include <string>
#include <vector>

namespace quiver::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  // Cells beyond the number of headers are ignored; missing ones print empty.
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // Columns are padded to their widest cell, measured in terminal columns (quiver::DisplayWidth,
  // include/quiver/display.h), so wide (CJK) and combining characters stay aligned. Cells are
  // printed as given, unescaped: the caller must make a cell of document text one line and
  // free of control characters.
  void Print(FILE* out) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace quiver::cli

#endif  // QUIVER_CLI_TABLE_H_
