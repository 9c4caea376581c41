// quiver verify DB
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {

int RunVerify(const std::vector<std::string>& args) {
  constexpr const char* kName = "verify";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("read-only", po::bool_switch(), "open without the write lock");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName, "verify DB",
                          "Checks the store's checksums, that documents, ids and vectors agree,\n"
                          "that every stored vector is finite (naming the records that are not),\n"
                          "that the index holds exactly the stored records and that the index\n"
                          "checkpoint's checksum holds. Exits 0 only then (5 otherwise).",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kAsAsked);
  if (!db.ok()) return Fail(kName, db.status());
  Status s = (*db)->Verify();
  if (!s.ok()) return Fail(kName, s);
  auto stats = (*db)->GetStats();
  if (!stats.ok()) return Fail(kName, stats.status());
  s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  std::printf("ok: %llu records; store and index agree; checksums hold\n",
              static_cast<unsigned long long>(stats->count));
  return kExitOk;
}

}  // namespace quiver::cli
