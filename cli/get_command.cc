// quiver get DB ID [--json]
#include <cstdio>

#include "cli/common.h"
#include "cli/numbers.h"
#include "cli/snippet.h"

namespace quiver::cli {

int RunGet(const std::vector<std::string>& args) {
  constexpr const char* kName = "get";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("id", po::value<std::string>()->required(), "record id")
      ("json", po::bool_switch(), "print {\"id\",\"vector\",\"text\",\"meta\"} as one JSON line")
      ("read-only", po::bool_switch(), "open without the write lock");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("id", 1);
  auto parsed = ParseArgs(kName, "get DB ID [--json]", "Prints one stored record.", options,
                          positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kAsAsked);
  if (!db.ok()) return Fail(kName, db.status());
  auto record = (*db)->Get(values["id"].as<std::string>());
  if (!record.ok()) return Fail(kName, record.status());
  if (values["json"].as<bool>()) {
    nlohmann::json line = {{"id", record->id},
                           {"vector", JsonFloats(record->vector)},
                           {"text", record->text},
                           {"meta", MetadataJson(record->metadata)}};
    PrintJsonLine(line);
  } else {
    std::string vector;
    for (size_t i = 0; i < record->vector.size(); ++i) {
      if (i == 8 && record->vector.size() > 10) {
        vector += ", ... (" + std::to_string(record->vector.size()) + " dimensions)";
        break;
      }
      vector += (i ? ", " : "") + FormatFloat(record->vector[i]);
    }
    std::printf("id:     %s\nvector: [%s]\ntext:   %s\nmeta:   %s\n",
                TerminalText(record->id).c_str(), vector.c_str(),
                TerminalLines(record->text).c_str(), TerminalText(record->metadata).c_str());
  }
  Status s = (*db)->Close();
  return s.ok() ? kExitOk : Fail(kName, s);
}

}  // namespace quiver::cli
