// quiver reindex DB [--analyzer LANG]
#include <chrono>
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {
namespace {

constexpr const char* kName = "reindex";

constexpr const char* kDescription =
    "Rebuilds the full-text index (what bm25 and hybrid queries search) from the\n"
    "stored texts, with the analyzer of --analyzer, or the database's current one\n"
    "when it is not given, and keeps that choice for later ingests and queries.\n"
    "The analyzer splits texts into words by Unicode rules, folds case and stems\n"
    "each word with Snowball in its language (english, french, german, spanish,\n"
    "russian, porter, ... or none for exact words). Vectors and records are not\n"
    "touched. Queries keep working meanwhile: the old index answers until the new\n"
    "one replaces it, and other processes can run `quiver query --read-only`.\n\n"
    "examples:\n"
    "  quiver reindex docs.db --analyzer french   # the collection is in French\n"
    "  quiver reindex docs.db --analyzer none     # no stemming: match exact words\n"
    "  quiver reindex docs.db                     # same analyzer, e.g. after an ICU upgrade";

}  // namespace

int RunReindex(const std::vector<std::string>& args) {
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("analyzer", po::value<std::string>(),
       "stemming language of the new index (default: the current one, see `quiver stats`)");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed =
      ParseArgs(kName, "reindex DB [--analyzer LANG]", kDescription, options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  const auto start = std::chrono::steady_clock::now();
  auto db = OpenDatabase(values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  std::string language;
  if (values.count("analyzer")) {
    language = values["analyzer"].as<std::string>();
  } else {
    auto before = (*db)->GetStats();
    if (!before.ok()) return Fail(kName, before.status());
    language = before->analyzer;
  }
  Status s = (*db)->Reindex(language);
  if (!s.ok()) return Fail(kName, s);
  auto after = (*db)->GetStats();
  if (!after.ok()) return Fail(kName, after.status());
  s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("reindexed %s: analyzer %s (ICU %s), %llu documents, %llu terms, in %.2f s\n",
              values["db"].as<std::string>().c_str(), after->analyzer.c_str(),
              after->icu_version.c_str(), static_cast<unsigned long long>(after->lexical_documents),
              static_cast<unsigned long long>(after->lexical_terms), seconds);
  return kExitOk;
}

}  // namespace quiver::cli
