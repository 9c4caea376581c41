// How the CLI writes numbers, for people and in --json alike: the shortest decimal text that
// reads back as the same value of the number's own type (std::to_chars), so a float prints as
// "-0.038194", never "-0.0381940007" or "-0.038193997740745544". Pure functions, no Boost.
#ifndef QUIVER_CLI_NUMBERS_H_
#define QUIVER_CLI_NUMBERS_H_

#include <span>
#include <string>
#include <vector>

namespace quiver::cli {

// Shortest round-trip text of `value` as a float ("1.2", "0.75", "1e-07"); "inf", "-inf",
// "nan" for non-finite values.
std::string FormatFloat(float value);

// Shortest round-trip text of `value` as a double ("0.9995").
std::string FormatDouble(double value);

// `values` as FormatFloat writes them, joined by `separator`.
std::string FormatFloats(std::span<const float> values, const std::string& separator = ",");

// The double nearest to FormatFloat(value): what to give a JSON writer (nlohmann writes the
// shortest text of a double) so that the number is written as FormatFloat writes it and reads
// back, as a float, bit for bit. Non-finite values are passed through (JSON writes null).
double JsonFloat(float value);
std::vector<double> JsonFloats(std::span<const float> values);

}  // namespace quiver::cli

#endif  // QUIVER_CLI_NUMBERS_H_
