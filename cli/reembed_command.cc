// quiver reembed DB
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {

int RunReembed(const std::vector<std::string>& args) {
  constexpr const char* kName = "reembed";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName, "reembed DB",
                          "Recomputes every stored record's vector and BM25 postings from its\n"
                          "text with the database's current model (after `import --replace`\n"
                          "or `train --replace`), then rebuilds the index. All at once: a\n"
                          "crash midway leaves the old vectors and index fully usable.\n"
                          "Records without text keep their vectors.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  auto db = OpenDatabase(parsed->values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  auto summary = (*db)->Reembed();
  if (!summary.ok()) return Fail(kName, summary.status());
  Status s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  std::printf("re-embedded %llu records in %.1f s",
              static_cast<unsigned long long>(summary->records), summary->seconds);
  if (summary->records_kept > 0) {
    std::printf("; %llu kept their vectors (no text the model knows)",
                static_cast<unsigned long long>(summary->records_kept));
  }
  std::printf("\n");
  return kExitOk;
}

}  // namespace quiver::cli
