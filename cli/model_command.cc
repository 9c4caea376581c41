// quiver model DB
#include <cstdio>

#include "cli/common.h"
#include "cli/table.h"

namespace quiver::cli {

int RunModel(const std::vector<std::string>& args) {
  constexpr const char* kName = "model";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("json", po::bool_switch(), "print one JSON object");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName, "model DB [--json]",
                          "Describes the database's embedding model: where it came from, its\n"
                          "tokenizer, vocabulary × dimension (or a sentence encoder's network\n"
                          "and prompts), pooling and identity.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kReadOnly);
  if (!db.ok()) return Fail(kName, db.status());
  auto info = (*db)->GetModelInfo();
  if (!info.ok()) return Fail(kName, info.status());
  const std::string shape = "Embedding(" + std::to_string(info->vocab_size) + ", " +
                            std::to_string(info->dimension) + ")";
  if (values["json"].as<bool>()) {
    nlohmann::json out = {{"source", info->source},         {"tokenizer", info->tokenizer_kind},
                          {"vocab_size", info->vocab_size}, {"dimension", info->dimension},
                          {"identity", info->identity},     {"pooling", info->pooling}};
    if (!info->architecture.empty()) {
      out["architecture"] = info->architecture;
      out["max_tokens"] = info->max_tokens;
      out["query_prompt"] = info->query_prompt;
      out["document_prompt"] = info->document_prompt;
    }
    PrintJsonLine(out);
    return kExitOk;
  }
  Table table({"property", "value"});
  table.AddRow({"source", info->source});
  table.AddRow({"tokenizer", info->tokenizer_kind});
  if (info->architecture.empty()) {
    table.AddRow({"embedding", shape});
  } else {
    table.AddRow({"network", info->architecture});
    table.AddRow({"input", "up to " + std::to_string(info->max_tokens) +
                               " tokens (longer texts are cut; ingest chunks fit)"});
    table.AddRow({"query prompt", "\"" + info->query_prompt + "\""});
    table.AddRow({"document prompt", "\"" + info->document_prompt + "\""});
  }
  table.AddRow({"pooling", info->pooling});
  table.AddRow({"identity", info->identity});
  table.Print(stdout);
  return kExitOk;
}

}  // namespace quiver::cli
