// quiver embed DB "text" [--per-token] [--json]
#include <cstdio>

#include "cli/common.h"
#include "cli/numbers.h"
#include "cli/table.h"

namespace quiver::cli {
namespace {

void PrintPerToken(const EmbeddedText& embedded, bool json) {
  if (json) {
    for (size_t i = 0; i < embedded.tokens.size(); ++i) {
      PrintJsonLine({{"token", embedded.tokens[i].piece},
                     {"id", embedded.tokens[i].id},
                     {"vector", JsonFloats(embedded.token_vectors[i])}});
    }
    return;
  }
  Table table({"token", "id", "vector"});
  for (size_t i = 0; i < embedded.tokens.size(); ++i) {
    table.AddRow({embedded.tokens[i].piece, std::to_string(embedded.tokens[i].id),
                  Clip(FormatFloats(embedded.token_vectors[i]), 60)});
  }
  table.Print(stdout);
}

}  // namespace

int RunEmbed(const std::vector<std::string>& args) {
  constexpr const char* kName = "embed";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("text", po::value<std::string>()->required(), "the text to embed")
      ("per-token", po::bool_switch(), "one row per token (token, id, vector) instead")
      ("json", po::bool_switch(), "JSON: {\"text\",\"vector\"}, or per token {\"token\",\"id\","
                                  "\"vector\"}");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("text", 1);
  auto parsed = ParseArgs(kName, "embed DB TEXT [--per-token] [--json]",
                          "Embeds TEXT with the database's model: tokenizes it and pools the\n"
                          "token vectors into one unit-length vector, printed comma-separated\n"
                          "(the form `quiver search --vector` reads).",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  const std::string text = values["text"].as<std::string>();
  auto db = OpenDatabase(values, DbAccess::kReadOnly);
  if (!db.ok()) return Fail(kName, db.status());
  auto embedded = (*db)->Embed(text);
  if (!embedded.ok()) return Fail(kName, embedded.status());
  if (embedded->known_tokens == 0) {
    std::fprintf(stderr,
                 "quiver embed: note: no token of the text is in the model's vocabulary; "
                 "the vector is all zeros\n");
  }
  const bool json = values["json"].as<bool>();
  if (values["per-token"].as<bool>()) {
    PrintPerToken(*embedded, json);
  } else if (json) {
    PrintJsonLine({{"text", text}, {"vector", JsonFloats(embedded->vector)}});
  } else {
    std::printf("%s\n", FormatFloats(embedded->vector).c_str());
  }
  return kExitOk;
}

}  // namespace quiver::cli
