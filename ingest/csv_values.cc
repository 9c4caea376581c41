#include "ingest/csv_values.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace quiver::ingest {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Skips digits from `i`; returns how many.
size_t Digits(std::string_view s, size_t* i) {
  const size_t start = *i;
  while (*i < s.size() && IsDigit(s[*i])) ++*i;
  return *i - start;
}

// Whether `s` is a number in the grammar above; `integer` says whether it has neither a
// fraction nor an exponent.
bool IsNumber(std::string_view s, bool* integer) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const size_t first = i;
  const size_t whole = Digits(s, &i);
  if (whole == 0 || (whole > 1 && s[first] == '0')) return false;
  *integer = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (Digits(s, &i) == 0) return false;
    *integer = false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (Digits(s, &i) == 0) return false;
    *integer = false;
  }
  return i == s.size();
}

}  // namespace

nlohmann::json TypedCsvValue(std::string_view cell) {
  if (cell == "true" || cell == "True" || cell == "TRUE") return true;
  if (cell == "false" || cell == "False" || cell == "FALSE") return false;
  bool integer = false;
  if (!IsNumber(cell, &integer)) return std::string(cell);
  const char* end = cell.data() + cell.size();
  if (integer) {
    int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(cell.data(), end, value);
    if (ec == std::errc() && ptr == end) return value;
    return std::string(cell);  // beyond 64 bits
  }
  double value = 0;
  const auto [ptr, ec] = std::from_chars(cell.data(), end, value);
  if (ec == std::errc() && ptr == end && std::isfinite(value)) return value;
  return std::string(cell);
}

}  // namespace quiver::ingest
