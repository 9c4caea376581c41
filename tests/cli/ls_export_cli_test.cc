// quiver ls and quiver export end to end: listing, filters, terminal safety, and an export
// that `quiver add` reads back into an identical database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// Records with unicode text, control characters and metadata of every JSON type.
constexpr char kRecords[] =
    R"({"id": "ünï-1", "vector": [0.1, -2.5, 3.25], "text": "naïve café 日本語 🚀", )"
    R"("meta": {"n": 3, "f": 0.5, "neg": -7, "big": 12345678901234, "ok": true, "no": false, )"
    R"("nil": null, "tags": ["a", 1, false], "nested": {"x": {"y": "z"}}, "s": "été"}})"
    "\n"
    R"({"id": "b", "vector": [1e-8, 0.333333343, 1], "text": "bell\u0007 and \u001b[31mred\u001b[0m"})"
    "\n"
    R"({"id": "c", "vector": [0, 0, 1], "meta": {"n": 4, "path": "docs/c.md"}})"
    "\n";

class LsExportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunCli({"create", db_, "--dim", "3", "--metric", "l2"}).exit_code, 0);
    test::WriteFile(dir_.Sub("in.jsonl"), kRecords);
    auto add = RunCli({"add", db_, dir_.Sub("in.jsonl")});
    ASSERT_EQ(add.exit_code, 0) << add.err;
  }
  test::TempDir dir_;
  std::string db_ = dir_.Sub("db");
};

TEST_F(LsExportCliTest, LsListsRecordsInIdOrder) {
  auto ls = RunCli({"ls", db_, "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto lines = JsonLines(ls.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["id"], "b");
  EXPECT_EQ(lines[1]["id"], "c");
  EXPECT_EQ(lines[2]["id"], "ünï-1");
  EXPECT_EQ(lines[2]["meta"]["tags"], nlohmann::json::parse(R"(["a", 1, false])"));
  EXPECT_EQ(lines[0]["text"], "bell\a and \x1b[31mred\x1b[0m");
  EXPECT_THAT(ls.out, Not(HasSubstr("\x1b"))) << "JSON escapes control characters";
}

TEST_F(LsExportCliTest, LsTableIsTerminalSafe) {
  auto ls = RunCli({"ls", db_});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, HasSubstr("ünï-1"));
  EXPECT_THAT(ls.out, HasSubstr("bell"));
  for (char c : ls.out) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 || c == '\n') << "control byte " << int(u) << " in the table";
  }
}

TEST_F(LsExportCliTest, LsWhereFiltersAndNamesItsFlagInErrors) {
  auto ls = RunCli({"ls", db_, "--json", "--where", R"({"n": {"$gte": 4}})"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto lines = JsonLines(ls.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["id"], "c");
  auto misspelled = RunCli({"ls", db_, "--where", R"({"tagz": "a"})"});
  EXPECT_EQ(misspelled.exit_code, 2);
  EXPECT_EQ(misspelled.err,
            "quiver ls: error: --where: filter: no record has field \"tagz\" (similar fields: "
            "\"tags\")\n");
  auto empty = RunCli({"ls", db_, "--where", R"({"n": 99})"});
  EXPECT_EQ(empty.exit_code, 0);
  EXPECT_EQ(empty.out, "no records\n");
}

TEST_F(LsExportCliTest, LsSourcesOfAnIngest) {
  std::filesystem::create_directories(dir_.Sub("docs"));
  test::WriteFile(dir_.Sub("docs/a.txt"), "hello there");
  test::WriteFile(dir_.Sub("vectors.txt"), "hello 1 0\nthere 0 1\n");
  const std::string idb = dir_.Sub("idb");
  ASSERT_EQ(RunCli({"create", idb, "--dim", "2"}).exit_code, 0);
  ASSERT_EQ(RunCli({"import", idb, "--word-vectors", dir_.Sub("vectors.txt")}).exit_code, 0);
  auto ingest = RunCli({"ingest", idb, dir_.Sub("docs")});
  ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  auto ls = RunCli({"ls", idb, "--sources", "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  auto lines = JsonLines(ls.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0]["path"].get<std::string>(), HasSubstr("docs/a.txt"));
  EXPECT_EQ(lines[0]["size"], 11);
  EXPECT_EQ(lines[0]["chunks"], 1);
  auto table = RunCli({"ls", idb, "--sources"});
  EXPECT_THAT(table.out, HasSubstr("a.txt"));
  EXPECT_EQ(RunCli({"ls", idb, "--sources", "--where", "{}"}).exit_code, 2);
}

TEST_F(LsExportCliTest, ExportThenAddGivesIdenticalRecords) {
  const std::string file = dir_.Sub("out.jsonl");
  auto exported = RunCli({"export", db_, "-o", file});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_THAT(exported.err, HasSubstr("exported 3 record(s)"));
  const std::string copy = dir_.Sub("copy");
  ASSERT_EQ(RunCli({"create", copy, "--dim", "3", "--metric", "l2"}).exit_code, 0);
  auto add = RunCli({"add", copy, file});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  for (const char* id : {"ünï-1", "b", "c"}) {
    auto original = RunCli({"get", db_, id, "--json"});
    auto copied = RunCli({"get", copy, id, "--json"});
    ASSERT_EQ(original.exit_code, 0) << original.err;
    ASSERT_EQ(copied.exit_code, 0) << copied.err;
    EXPECT_EQ(copied.out, original.out) << id;  // byte for byte: vectors, text, metadata types
  }
  auto meta = nlohmann::json::parse(RunCli({"get", copy, "ünï-1", "--json"}).out)["meta"];
  EXPECT_TRUE(meta["n"].is_number_integer());
  EXPECT_TRUE(meta["f"].is_number_float());
  EXPECT_EQ(meta["big"], 12345678901234);
  EXPECT_TRUE(meta["nil"].is_null());
  EXPECT_EQ(meta["nested"]["x"]["y"], "z");
  // Exporting the copy gives the same file.
  const std::string again = dir_.Sub("again.jsonl");
  ASSERT_EQ(RunCli({"export", copy, "-o", again}).exit_code, 0);
  EXPECT_EQ(test::ReadFile(again), test::ReadFile(file));
}

TEST_F(LsExportCliTest, ExportErrorsAreOneLine) {
  auto unwritable = RunCli({"export", db_, "-o", dir_.Sub("no/such/dir/out.jsonl")});
  EXPECT_NE(unwritable.exit_code, 0);
  EXPECT_THAT(unwritable.err, HasSubstr("cannot write"));
  EXPECT_EQ(std::count(unwritable.err.begin(), unwritable.err.end(), '\n'), 1);
}

}  // namespace
}  // namespace quiver
