// quiver vector DB WORD [--json]
#include <cstdio>

#include "cli/common.h"
#include "cli/numbers.h"

namespace quiver::cli {

int RunVector(const std::vector<std::string>& args) {
  constexpr const char* kName = "vector";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("word", po::value<std::string>()->required(), "a token of the model's vocabulary")
      ("json", po::bool_switch(), "print {\"token\",\"vector\"} as one JSON line");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("word", 1);
  auto parsed = ParseArgs(kName, "vector DB WORD [--json]",
                          "Prints the model's vector of one token, comma-separated (the form\n"
                          "`quiver search --vector` reads).",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  const std::string word = values["word"].as<std::string>();
  auto db = OpenDatabase(values, DbAccess::kReadOnly);
  if (!db.ok()) return Fail(kName, db.status());
  auto vector = (*db)->TokenVector(word);
  if (!vector.ok()) return Fail(kName, vector.status());
  if (values["json"].as<bool>()) {
    nlohmann::json line = {{"token", word}, {"vector", JsonFloats(*vector)}};
    PrintJsonLine(line);
    return kExitOk;
  }
  std::printf("%s\n", FormatFloats(*vector).c_str());
  return kExitOk;
}

}  // namespace quiver::cli
