#include "cli/numbers.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace quiver::cli {

std::string FormatFloat(float value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, result.ptr);
}

std::string FormatDouble(double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, result.ptr);
}

std::string FormatFloats(std::span<const float> values, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += separator;
    out += FormatFloat(values[i]);
  }
  return out;
}

double JsonFloat(float value) {
  if (!std::isfinite(value)) return value;
  return std::strtod(FormatFloat(value).c_str(), nullptr);
}

std::vector<double> JsonFloats(std::span<const float> values) {
  std::vector<double> out;
  out.reserve(values.size());
  for (float value : values) out.push_back(JsonFloat(value));
  return out;
}

}  // namespace quiver::cli
