// quiver delete DB ID...
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {

int RunDelete(const std::vector<std::string>& args) {
  constexpr const char* kName = "delete";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("ids", po::value<std::vector<std::string>>()->required()->multitoken(), "record ids");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("ids", -1);
  auto parsed = ParseArgs(kName, "delete DB ID...",
                          "Removes the records with these ids in one atomic write. Ids that\n"
                          "do not exist are not an error; the count removed is printed.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  const auto& ids = values["ids"].as<std::vector<std::string>>();
  auto db = OpenDatabase(values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  size_t removed = 0;
  Status s = (*db)->Delete(ids, &removed);
  if (s.ok()) s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  std::printf("deleted %zu of %zu ids\n", removed, ids.size());
  return kExitOk;
}

}  // namespace quiver::cli
