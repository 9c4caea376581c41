// quiver neighbors DB WORD [-k 10] [--json]
#include <cstdio>

#include "cli/common.h"
#include "cli/numbers.h"
#include "cli/table.h"

namespace quiver::cli {

int RunNeighbors(const std::vector<std::string>& args) {
  constexpr const char* kName = "neighbors";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("word", po::value<std::string>()->required(), "a token of the model's vocabulary")
      ("k,k", po::value<int>()->default_value(10), "number of neighbours")
      ("json", po::bool_switch(), "one JSON object per neighbour: {\"token\",\"score\"}");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("word", 1);
  auto parsed = ParseArgs(kName, "neighbors DB WORD [-k 10] [--json]",
                          "Prints the vocabulary entries whose vectors are most similar to\n"
                          "WORD's, by cosine (as gensim's most_similar), WORD itself excluded.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kReadOnly);
  if (!db.ok()) return Fail(kName, db.status());
  auto neighbors = (*db)->Neighbors(values["word"].as<std::string>(), values["k"].as<int>());
  if (!neighbors.ok()) return Fail(kName, neighbors.status());
  if (values["json"].as<bool>()) {
    for (const TokenScore& n : *neighbors) {
      nlohmann::json line = {{"token", n.token}, {"score", JsonFloat(n.score)}};
      PrintJsonLine(line);
    }
  } else {
    Table table({"rank", "score", "token"});
    for (size_t i = 0; i < neighbors->size(); ++i) {
      table.AddRow(
          {std::to_string(i + 1), FormatScore((*neighbors)[i].score), (*neighbors)[i].token});
    }
    table.Print(stdout);
  }
  return kExitOk;
}

}  // namespace quiver::cli
