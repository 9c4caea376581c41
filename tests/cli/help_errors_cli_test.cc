// Help and errors in the user's words: positional arguments named as usage lines write them,
// `quiver help CMD`, "did you mean" for commands and options, I/O errors with their reason,
// and bad lines of a --queries file reported and skipped.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;

TEST(HelpCliTest, PositionalArgumentsAreNamedAsTheUsageWritesThem) {
  auto missing = RunCli({"ingest", "docs.db"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing the PATH... argument"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("usage: quiver ingest DB PATH..."), std::string::npos);
  EXPECT_EQ(missing.err.find("--paths"), std::string::npos) << missing.err;
  auto no_db = RunCli({"stats"});
  EXPECT_EQ(no_db.exit_code, 2);
  EXPECT_NE(no_db.err.find("missing the DB argument"), std::string::npos) << no_db.err;
  auto extra = RunCli({"stats", "a.db", "b.db"});
  EXPECT_EQ(extra.exit_code, 2);
  EXPECT_NE(extra.err.find("too many arguments: expected DB"), std::string::npos) << extra.err;

  auto help = RunCli({"get", "--help"});
  ASSERT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("arguments:\n  DB "), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("\n  ID "), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("--db arg"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("--id arg"), std::string::npos) << help.out;
}

TEST(HelpCliTest, HelpCommandIsTheCommandsOwnHelp) {
  for (const char* command : {"query", "ingest", "train-tokenizer"}) {
    auto help = RunCli({"help", command});
    auto own = RunCli({command, "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_EQ(help.out, own.out) << command;
    EXPECT_NE(help.out.find(std::string("usage: quiver ") + command), std::string::npos);
  }
  EXPECT_EQ(RunCli({"help"}).out, RunCli({"--help"}).out);
  EXPECT_EQ(RunCli({"help", "nosuch"}).exit_code, 2);
}

TEST(HelpCliTest, MistypedCommandsAndOptionsGetASuggestion) {
  auto command = RunCli({"qurey", "docs.db", "x"});
  EXPECT_EQ(command.exit_code, 2);
  EXPECT_NE(command.err.find("unknown command 'qurey' (did you mean query?"), std::string::npos)
      << command.err;
  auto option = RunCli({"query", "docs.db", "x", "--hilights"});
  EXPECT_EQ(option.exit_code, 2);
  EXPECT_NE(option.err.find("unknown option '--hilights' (did you mean --highlights?)"),
            std::string::npos)
      << option.err;
  auto nothing_close = RunCli({"stats", "docs.db", "--zzzzzzzz"});
  EXPECT_EQ(nothing_close.exit_code, 2);
  EXPECT_EQ(nothing_close.err.find("did you mean"), std::string::npos) << nothing_close.err;
}

TEST(HelpCliTest, FileErrorsSayWhy) {
  test::TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_EQ(RunCli({"create", db, "--dim", "2"}).exit_code, 0);
  auto out = RunCli({"export", db, "-o", "/nonexistent/dir/x.jsonl"});
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.err.find("cannot write /nonexistent/dir/x.jsonl: No such file or directory"),
            std::string::npos)
      << out.err;
  auto in = RunCli({"query", db, "--queries", dir.Sub("none.txt"), "--mode", "bm25"});
  EXPECT_EQ(in.exit_code, 3);
  EXPECT_NE(in.err.find("none.txt: No such file or directory"), std::string::npos) << in.err;
}

TEST(HelpCliTest, BadQueryLinesAreReportedAndSkipped) {
  test::TempDir dir;
  const std::string db = dir.Sub("db");
  std::filesystem::create_directories(dir.Sub("docs"));
  test::WriteFile(dir.Sub("docs/a.txt"), "apples and pears");
  test::WriteFile(dir.Sub("docs/b.txt"), "trucks and cars");
  ASSERT_EQ(RunCli({"create", db, "--dim", "2"}).exit_code, 0);
  test::WriteFile(dir.Sub("vectors.txt"), "apples 1 0\ntrucks 0 1\n");
  ASSERT_EQ(RunCli({"import", db, "--word-vectors", dir.Sub("vectors.txt")}).exit_code, 0);
  auto ingested = RunCli({"ingest", db, dir.Sub("docs")});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  test::WriteFile(dir.Sub("q.txt"),
                  "apples\n{\"query\": 3}\n{\"query\": \"cars\", \"where\": {\"nope\": 1}}\n"
                  "trucks\n");
  auto r = RunCli({"query", db, "--queries", dir.Sub("q.txt"), "--mode", "bm25", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  const std::string at = dir.Sub("q.txt") + ":";
  EXPECT_NE(r.err.find(at + "2: expected plain text or {\"query\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(at + "3: --where: filter: no record has field"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 of 4 queries failed and were skipped"), std::string::npos) << r.err;
  std::vector<nlohmann::json> lines;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0]["query"], 1);
  EXPECT_EQ(lines[0]["query_text"], "apples");
  EXPECT_EQ(lines[1]["query"], 4);
  EXPECT_EQ(lines[1]["query_text"], "trucks");
  EXPECT_NE(lines[1]["id"].get<std::string>().find("b.txt"), std::string::npos);
}

}  // namespace
}  // namespace quiver
