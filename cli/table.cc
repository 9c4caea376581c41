#include "cli/table.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "cli/snippet.h"
#include "quiver/display.h"

namespace quiver::cli {
namespace {

void PrintRow(FILE* out, const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < widths.size(); ++i) {
    const std::string cell = i < cells.size() ? cells[i] : "";
    line += cell;
    if (i + 1 < widths.size()) line.append(widths[i] - DisplayWidth(cell) + Table::kGap, ' ');
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  std::fprintf(out, "%s\n", line.c_str());
}

}  // namespace

std::optional<size_t> TerminalWidth() {
  if (::isatty(STDOUT_FILENO) != 1) return std::nullopt;
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long value = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && value > 0) return static_cast<size_t>(value);
  }
  struct winsize size {};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

void Table::AddRow(std::vector<std::string> cells) {
  for (std::string& cell : cells) cell = TerminalText(cell);
  rows_.push_back(std::move(cells));
}

void Table::SetSafeCell(size_t row, size_t column, std::string cell) {
  if (rows_[row].size() <= column) rows_[row].resize(column + 1);
  rows_[row][column] = std::move(cell);
}

size_t Table::ColumnWidth(size_t column) const {
  size_t width = DisplayWidth(headers_[column]);
  for (const auto& row : rows_) {
    if (column < row.size()) width = std::max(width, DisplayWidth(row[column]));
  }
  return width;
}

size_t Table::WidthLeft(size_t total, size_t flexible, size_t minimum) const {
  size_t used = 0;
  for (size_t i = 0; i < headers_.size(); ++i) {
    if (i != flexible) used += ColumnWidth(i);
    if (i + 1 < headers_.size()) used += kGap;
  }
  return used + minimum >= total ? minimum : total - used;
}

void Table::Print(FILE* out) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) widths[i] = ColumnWidth(i);
  PrintRow(out, headers_, widths);
  for (const auto& row : rows_) PrintRow(out, row, widths);
}

}  // namespace quiver::cli
