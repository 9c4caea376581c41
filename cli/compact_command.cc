// quiver compact DB
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {

int RunCompact(const std::vector<std::string>& args) {
  constexpr const char* kName = "compact";
  po::options_description options("options");
  options.add_options()("db", po::value<std::string>()->required(), "database directory");
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName, "compact DB",
                          "Rebuilds the vector index from the stored vectors (dropping deleted\n"
                          "ones that HNSW keeps as tombstones) and the full-text index without\n"
                          "its deleted documents, writes their checkpoints and compacts the\n"
                          "store.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  auto db = OpenDatabase(parsed->values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  auto before = (*db)->GetStats();
  Status s = before.status();
  if (s.ok()) s = (*db)->Compact();
  auto after = (*db)->GetStats();
  if (s.ok()) s = after.status();
  if (s.ok()) s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  std::printf("compacted: %llu records, %llu deleted vectors dropped, %llu -> %llu bytes\n",
              static_cast<unsigned long long>(after->count),
              static_cast<unsigned long long>(before->deleted),
              static_cast<unsigned long long>(before->disk_bytes),
              static_cast<unsigned long long>(after->disk_bytes));
  return kExitOk;
}

}  // namespace quiver::cli
