// quiver backup DB DEST
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {

int RunBackup(const std::vector<std::string>& args) {
  constexpr const char* kName = "backup";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("dest", po::value<std::string>()->required(), "directory to create for the copy");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("dest", 1);
  auto parsed = ParseArgs(kName, "backup DB DEST",
                          "Writes a consistent copy of the database to the new directory DEST:\n"
                          "the store as of one moment and the index checkpoints that go with it,\n"
                          "hard-linked where the file system allows (so a copy on the same disk\n"
                          "is quick and small) and copied where not. DEST appears only once the\n"
                          "copy is whole. A program holding the database open can back it up\n"
                          "while it writes with DB::Backup.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  const std::string dest = values["dest"].as<std::string>();
  auto summary = (*db)->Backup(dest);
  Status s = summary.status();
  if (s.ok()) s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  std::printf("backed up %llu records (through operation %llu) to %s in %.2f s\n",
              static_cast<unsigned long long>(summary->records),
              static_cast<unsigned long long>(summary->sequence), dest.c_str(), summary->seconds);
  return kExitOk;
}

}  // namespace quiver::cli
