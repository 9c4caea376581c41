// The CLI contract: commands, output formats, exit codes and bad-input handling.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::JsonLine;
using test::RunCli;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override { Create("--dim", "3"); }
  void Create(const std::string& flag, const std::string& value,
              const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"create", db_, flag, value};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunCli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  test::CliResult Add(const std::string& input, std::vector<std::string> extra = {}) {
    const std::string file = dir_.Sub("input.jsonl");
    test::WriteFile(file, input);
    std::vector<std::string> args = {"add", db_, file};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCli(args);
  }
  uint64_t Count() {
    auto r = RunCli({"stats", db_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out)["count"].get<uint64_t>();
  }
  std::vector<nlohmann::json> JsonLines(const std::string& out) {
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }

  test::TempDir dir_;
  std::string db_ = dir_.Sub("db");
};

TEST_F(CliTest, HelpTeachesEveryCommand) {
  auto top = RunCli({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* command : {"create", "add", "search", "get", "delete", "stats", "verify",
                              "compact", "ingest", "query", "reembed", "reindex"}) {
    EXPECT_NE(top.out.find(command), std::string::npos) << command;
    auto help = RunCli({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command;
    EXPECT_NE(help.out.find("usage: quiver " + std::string(command)), std::string::npos);
  }
  auto unknown = RunCli({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
}

TEST_F(CliTest, AddSearchGetDeleteRoundTrip) {
  auto add = Add(R"({"id": "a", "vector": [1, 0, 0], "text": "alpha", "meta": {"lang": "en"}})"
                 "\n\n" +
                 JsonLine("b", {0, 1, 0}, "beta") + JsonLine("c", {0.9f, 0.1f, 0}));
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find("added 3 records"), std::string::npos) << add.out;
  EXPECT_EQ(add.err, "") << "no progress bar when stderr is not a terminal";

  auto search = RunCli({"search", db_, "--vector", "1,0,0", "-k", "2", "--json"});
  ASSERT_EQ(search.exit_code, 0) << search.err;
  auto hits = JsonLines(search.out);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]["id"], "a");
  EXPECT_NEAR(hits[0]["score"].get<double>(), 1.0, 1e-6);
  EXPECT_EQ(hits[0]["text"], "alpha");
  EXPECT_EQ(hits[0]["meta"]["lang"], "en");
  EXPECT_EQ(hits[1]["id"], "c");
  EXPECT_TRUE(hits[1]["meta"].is_null());

  auto table = RunCli({"search", db_, "--vector", "1, 0, 0"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_EQ(table.out.rfind("rank  score", 0), 0u) << table.out;
  EXPECT_NE(table.out.find("alpha"), std::string::npos);

  // --where keeps matching records only; --fields chooses what hits carry.
  auto filtered = RunCli({"search", db_, "--vector", "1,0,0", "--where", R"({"lang": "en"})",
                          "--fields", "none", "--json"});
  ASSERT_EQ(filtered.exit_code, 0) << filtered.err;
  hits = JsonLines(filtered.out);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]["id"], "a");
  EXPECT_FALSE(hits[0].contains("text"));
  EXPECT_FALSE(hits[0].contains("meta"));
  auto with_vector =
      RunCli({"search", db_, "--vector", "0,1,0", "-k", "1", "--fields", "vector", "--json"});
  ASSERT_EQ(with_vector.exit_code, 0) << with_vector.err;
  hits = JsonLines(with_vector.out);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]["vector"], nlohmann::json({0.0, 1.0, 0.0}));
  EXPECT_EQ(RunCli({"search", db_, "--vector", "1,0,0", "--fields", "txt"}).exit_code, 2);
  EXPECT_EQ(RunCli({"search", db_, "--vector", "1,0,0", "--where", "{"}).exit_code, 2);

  auto get = RunCli({"get", db_, "b", "--json"});
  ASSERT_EQ(get.exit_code, 0);
  auto record = nlohmann::json::parse(get.out);
  EXPECT_EQ(record["vector"], nlohmann::json({0.0, 1.0, 0.0}));
  EXPECT_EQ(RunCli({"get", db_, "zzz"}).exit_code, 3);

  auto del = RunCli({"delete", db_, "a", "nope"});
  ASSERT_EQ(del.exit_code, 0);
  EXPECT_NE(del.out.find("deleted 1 of 2"), std::string::npos);
  EXPECT_EQ(Count(), 2u);
  EXPECT_EQ(RunCli({"verify", db_}).exit_code, 0);
  EXPECT_EQ(RunCli({"compact", db_}).exit_code, 0);
}

TEST_F(CliTest, MalformedLineNamesLineAndWritesNothing) {
  auto r = Add(JsonLine("a", {1, 0, 0}) + JsonLine("b", {0, 1, 0}) + "{\"id\": \"c\", \"vec\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":3: malformed JSON"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
  EXPECT_EQ(Count(), 0u);
}

TEST_F(CliTest, SkipBadAddsGoodLinesAndReportsBadOnes) {
  auto r = Add(
      JsonLine("a", {1, 0, 0}) + "not json\n" + JsonLine("b", {1, 2}) + JsonLine("c", {0, 0, 1}),
      {"--skip-bad"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find(":2: malformed JSON"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":3: vector of id 'b' has 2 dimensions; this database stores 3"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("skipped 2 bad lines"), std::string::npos) << r.out;
  EXPECT_EQ(Count(), 2u);
}

TEST_F(CliTest, BadRecordsAreRefusedWithClearMessages) {
  struct Case {
    std::string line;
    std::string expected;
  } cases[] = {
      {JsonLine("a", {1, 2, 3, 4}), "has 4 dimensions; this database stores 3"},
      {R"({"id": "a", "vector": [1, 1e39, 0]})", "non-finite component at position 1"},
      {R"({"id": "a", "vector": [1, 1e999, 0]})", "malformed JSON"},
      {R"({"id": "a", "vector": [1, NaN, 0]})", "malformed JSON"},
      {R"({"id": "", "vector": [1, 0, 0]})", "id is empty"},
      {R"({"id": 7, "vector": [1, 0, 0]})", "\"id\" must be a string; found number 7"},
      {R"({"id": "a"})", "\"vector\" is missing"},
      {R"({"id": "a", "vector": [1, "x", 0]})", "\"vector\"[1] must be a number"},
      {R"({"id": "a", "vector": [1, 0, 0], "meta": [1]})", "\"meta\" must be an object"},
      {R"([1, 2])", "expected a JSON object; found array"},
  };
  for (const auto& c : cases) {
    auto r = Add(c.line + "\n");
    EXPECT_EQ(r.exit_code, 2) << c.line;
    EXPECT_NE(r.err.find(":1: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
  EXPECT_EQ(Count(), 0u);
}

TEST_F(CliTest, DuplicateIdsUpsert) {
  ASSERT_EQ(Add(JsonLine("a", {1, 0, 0}, "old") + JsonLine("a", {0, 1, 0}, "new")).exit_code, 0);
  ASSERT_EQ(Add(JsonLine("b", {0, 0, 1})).exit_code, 0);
  ASSERT_EQ(Add(JsonLine("b", {0, 0, 1}, "newer")).exit_code, 0);
  EXPECT_EQ(Count(), 2u);
  auto get = RunCli({"get", db_, "a", "--json"});
  EXPECT_EQ(nlohmann::json::parse(get.out)["text"], "new");
}

TEST_F(CliTest, StdinInputWorks) {
  auto r = RunCli({"add", db_, "-"}, JsonLine("s", {1, 1, 1}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(), 1u);
}

TEST_F(CliTest, SearchErrorsAndEmptyDatabase) {
  auto empty = RunCli({"search", db_, "--vector", "1,0,0"});
  EXPECT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_EQ(empty.out, "no hits\n");
  EXPECT_EQ(RunCli({"search", db_, "--vector", "1,0,0", "--json"}).out, "");
  auto zero_k = RunCli({"search", db_, "--vector", "1,0,0", "-k", "0"});
  EXPECT_EQ(zero_k.exit_code, 2);
  EXPECT_NE(zero_k.err.find("-k must be > 0"), std::string::npos);
  auto dims = RunCli({"search", db_, "--vector", "1,0"});
  EXPECT_EQ(dims.exit_code, 2);
  EXPECT_NE(dims.err.find("query has 2 dimensions; this database stores 3"), std::string::npos);
  auto junk = RunCli({"search", db_, "--vector", "1,x,0"});
  EXPECT_EQ(junk.exit_code, 2);
  auto missing = RunCli({"search", db_});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("vector"), std::string::npos) << missing.err;
}

TEST_F(CliTest, CreateAndOpenErrors) {
  auto exists = RunCli({"create", db_, "--dim", "3"});
  EXPECT_EQ(exists.exit_code, 2);
  EXPECT_NE(exists.err.find("already exists"), std::string::npos);
  auto spec = RunCli({"create", dir_.Sub("x"), "--dim", "3", "--index", "Nonsense"});
  EXPECT_EQ(spec.exit_code, 2);
  EXPECT_NE(spec.err.find("invalid index spec 'Nonsense'"), std::string::npos) << spec.err;
  auto metric = RunCli({"create", dir_.Sub("y"), "--dim", "3", "--metric", "hamming"});
  EXPECT_EQ(metric.exit_code, 2);
  EXPECT_NE(metric.err.find("--metric must be cosine, ip or l2"), std::string::npos);
  auto not_db = RunCli({"stats", dir_.path()});
  EXPECT_EQ(not_db.exit_code, 2);
  EXPECT_NE(not_db.err.find("not a quiver database"), std::string::npos) << not_db.err;
  auto missing = RunCli({"stats", dir_.Sub("nothing")});
  EXPECT_EQ(missing.exit_code, 3);
  auto no_file = RunCli({"add", db_, dir_.Sub("absent.jsonl")});
  EXPECT_EQ(no_file.exit_code, 3);
}

TEST_F(CliTest, StatsReportsTheContract) {
  auto r = RunCli({"stats", db_, "--json"});
  ASSERT_EQ(r.exit_code, 0);
  auto stats = nlohmann::json::parse(r.out);
  EXPECT_EQ(stats["count"], 0);
  EXPECT_EQ(stats["dimension"], 3);
  EXPECT_EQ(stats["metric"], "cosine");
  EXPECT_EQ(stats["index"], "Flat");
  EXPECT_EQ(stats["deleted"], 0);
  EXPECT_GT(stats["disk_bytes"].get<uint64_t>(), 0u);
}

}  // namespace
}  // namespace quiver
