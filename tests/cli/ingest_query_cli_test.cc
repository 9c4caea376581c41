// The CLI contract of `quiver ingest`, `quiver query` and `quiver reembed`: output formats,
// exit codes and bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;

constexpr char kWordVectors[] =
    "cat 1 0.2 0 0\nkitten 0.95 0.25 0 0\ndog 0.2 1 0 0\npuppy 0.25 0.95 0 0\n"
    "car 0 0 1 0.2\ntruck 0 0 0.2 1\nthe 0.1 0.1 0.1 0.1\nsat 0.3 0.3 0.3 0.3\n";

class IngestQueryCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(docs_);
    test::WriteFile(dir_.Sub("vectors.txt"), kWordVectors);
    test::WriteFile(docs_ + "/cats.txt", "the cat sat. the kitten sat.");
    test::WriteFile(docs_ + "/cars.md", "the car sat. the truck sat.");
    ASSERT_EQ(RunCli({"create", db_, "--dim", "4"}).exit_code, 0);
    auto imported = RunCli({"import", db_, "--word-vectors", dir_.Sub("vectors.txt")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  std::vector<nlohmann::json> JsonLines(const std::string& out) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }

  test::TempDir dir_;
  std::string db_ = dir_.Sub("db");
  std::string docs_ = dir_.Sub("docs");
};

TEST_F(IngestQueryCliTest, IngestThenQueryPrintsTableAndJson) {
  auto ingested = RunCli({"ingest", db_, docs_});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_NE(ingested.out.find("ingested 2 file(s): 2 new"), std::string::npos) << ingested.out;

  auto table = RunCli({"query", db_, "kitten", "--mode", "dense"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("rank"), std::string::npos);
  EXPECT_NE(table.out.find("cats.txt:1"), std::string::npos) << table.out;  // file and line

  auto json = RunCli({"query", db_, "truck", "--mode", "bm25", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto lines = JsonLines(json.out);
  ASSERT_EQ(lines.size(), 1u);
  for (const char* key : {"id", "score", "text", "meta", "source"}) {
    EXPECT_TRUE(lines[0].contains(key)) << key;
  }
  EXPECT_EQ(lines[0]["source"]["path"], docs_ + "/cars.md");
  EXPECT_EQ(lines[0]["meta"]["path"], docs_ + "/cars.md");

  auto again = RunCli({"ingest", db_, docs_});
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_NE(again.out.find("2 unchanged"), std::string::npos) << again.out;
}

TEST_F(IngestQueryCliTest, QueriesFileTagsEachHitWithItsLine) {
  ASSERT_EQ(RunCli({"ingest", db_, docs_}).exit_code, 0);
  test::WriteFile(dir_.Sub("queries.txt"),
                  "kitten\n\n{\"query\": \"truck\", \"where\": {\"path\": {\"$ne\": \"x\"}}}\n");
  auto r = RunCli({"query", db_, "--queries", dir_.Sub("queries.txt"), "--json", "-k", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["query"], 1);
  EXPECT_EQ(lines[1]["query"], 3);
  EXPECT_NE(lines[1]["id"].get<std::string>().find("cars.md"), std::string::npos);
}

TEST_F(IngestQueryCliTest, BadQueriesExitWithUsageErrors) {
  ASSERT_EQ(RunCli({"ingest", db_, docs_}).exit_code, 0);
  auto op = RunCli({"query", db_, "cat", "--where", R"({"path": {"$like": "a"}})"});
  EXPECT_EQ(op.exit_code, 2);
  EXPECT_EQ(op.err.rfind("quiver query: error: --where: filter: unknown operator \"$like\"", 0), 0u)
      << op.err;
  auto field = RunCli({"query", db_, "cat", "--where", R"({"pth": {"$regex": "a"}})"});
  EXPECT_EQ(field.exit_code, 2);
  EXPECT_EQ(field.err,
            "quiver query: error: --where: filter: no record has field \"pth\" (similar "
            "fields: \"path\")\n");
  auto regex = RunCli({"query", db_, "cat", "--where", R"({"path": {"$regex": "(a"}})"});
  EXPECT_EQ(regex.exit_code, 2);
  EXPECT_NE(regex.err.find("regex /(a/ does not compile at 2"), std::string::npos) << regex.err;
  EXPECT_EQ(RunCli({"query", db_, "cat", "--where", "{not json"}).exit_code, 2);
  EXPECT_EQ(RunCli({"query", db_, "cat", "--mode", "fuzzy"}).exit_code, 2);
  EXPECT_EQ(RunCli({"query", db_}).exit_code, 2);  // no text, --like or --queries
  EXPECT_EQ(RunCli({"query", db_, "--like", "nope"}).exit_code, 3);
  EXPECT_EQ(RunCli({"query", dir_.Sub("missing"), "cat"}).exit_code, 3);
}

TEST_F(IngestQueryCliTest, IngestCreatesAMissingDatabaseAndReportsBadInput) {
  // A 20 MB single line, invalid UTF-8 and a gzip-named file that is not gzip.
  std::string huge(20 << 20, 'a');
  for (size_t i = 0; i < huge.size(); i += 7) huge[i] = ' ';
  test::WriteFile(docs_ + "/huge.txt", huge);
  test::WriteFile(docs_ + "/latin1.txt", "the caf\xe9 cat sat.");
  test::WriteFile(docs_ + "/broken.txt.gz", "not gzip at all");
  auto r = RunCli({"ingest", db_, docs_, "--verbose"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("skipped " + docs_ + "/broken.txt.gz: not gzip data"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 skipped"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("repaired 1 invalid UTF-8 byte"), std::string::npos) << r.out;
  auto verify = RunCli({"verify", db_});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST_F(IngestQueryCliTest, ReembedAfterReplacingTheModel) {
  ASSERT_EQ(RunCli({"ingest", db_, docs_}).exit_code, 0);
  test::WriteFile(dir_.Sub("other.txt"), "cat 0 0 0 1\ncar 1 0 0 0\n");
  auto refused = RunCli({"import", db_, "--word-vectors", dir_.Sub("other.txt")});
  EXPECT_EQ(refused.exit_code, 2);
  auto replaced = RunCli({"import", db_, "--word-vectors", dir_.Sub("other.txt"), "--replace"});
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  auto stale = RunCli({"query", db_, "cat"});
  EXPECT_EQ(stale.exit_code, 2);
  EXPECT_NE(stale.err.find("quiver reembed"), std::string::npos) << stale.err;
  auto reembedded = RunCli({"reembed", db_});
  ASSERT_EQ(reembedded.exit_code, 0) << reembedded.err;
  EXPECT_NE(reembedded.out.find("re-embedded 2 records"), std::string::npos) << reembedded.out;
  EXPECT_EQ(RunCli({"query", db_, "cat"}).exit_code, 0);
}

}  // namespace
}  // namespace quiver
