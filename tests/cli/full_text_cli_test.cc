// The CLI of the full-text index: `--analyzer` on create and ingest, `quiver reindex`, the
// analyzer rows of `quiver stats`, bm25 query syntax and `query --json --highlights`.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;

constexpr char kWordVectors[] =
    "the 0.1 0.1 0.1 0.1\ncat 1 0.2 0 0\ndog 0.2 1 0 0\nproxy 0 0 1 0.2\nserver 0 0 0.2 1\n"
    "open 0.3 0 0.3 0\nfiles 0 0.3 0 0.3\n";

class FullTextCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(docs_);
    test::WriteFile(dir_.Sub("vectors.txt"), kWordVectors);
  }

  // Creates the database (with `extra` arguments), gives it the word vectors and ingests the
  // documents written so far.
  void CreateAndIngest(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"create", db_, "--dim", "4"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto created = RunCli(args);
    ASSERT_EQ(created.exit_code, 0) << created.err;
    auto imported = RunCli({"import", db_, "--word-vectors", dir_.Sub("vectors.txt")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    auto ingested = RunCli({"ingest", db_, docs_});
    ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  }

  nlohmann::json Stats() {
    auto r = RunCli({"stats", db_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out);
  }

  // The hits of a --json query, in rank order.
  std::vector<nlohmann::json> Query(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"query", db_};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--json");
    auto r = RunCli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<nlohmann::json> lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    return lines;
  }

  std::vector<std::string> Ids(const std::vector<nlohmann::json>& hits) {
    std::vector<std::string> ids;
    for (const auto& hit : hits) ids.push_back(hit["id"].get<std::string>());
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  test::TempDir dir_;
  std::string db_ = dir_.Sub("db");
  std::string docs_ = dir_.Sub("docs");
};

TEST_F(FullTextCliTest, CreateWithAnAnalyzerShowsItInStats) {
  auto created = RunCli({"create", db_, "--dim", "4", "--analyzer", "french"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("analyzer french"), std::string::npos) << created.out;
  auto stats = Stats();
  EXPECT_EQ(stats["analyzer"], "french");
  EXPECT_FALSE(stats["icu_version"].get<std::string>().empty());
  EXPECT_EQ(stats["lexical_documents"], 0);
  EXPECT_EQ(stats["lexical_terms"], 0);
  EXPECT_EQ(stats["lexical_deleted"], 0);
  auto table = RunCli({"stats", db_});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("french (ICU " + stats["icu_version"].get<std::string>() + ")"),
            std::string::npos)
      << table.out;
  for (const char* row : {"full-text documents", "full-text terms", "full-text deleted"}) {
    EXPECT_NE(table.out.find(row), std::string::npos) << row;
  }
}

TEST_F(FullTextCliTest, AnUnknownAnalyzerIsAOneLineUsageErrorAndCreatesNothing) {
  auto created = RunCli({"create", db_, "--dim", "4", "--analyzer", "klingon"});
  EXPECT_EQ(created.exit_code, 2);
  EXPECT_NE(created.err.find("klingon"), std::string::npos) << created.err;
  EXPECT_EQ(std::count(created.err.begin(), created.err.end(), '\n'), 1) << created.err;
  EXPECT_FALSE(std::filesystem::exists(db_));

  test::WriteFile(docs_ + "/a.txt", "the cat");
  auto ingested = RunCli({"ingest", db_, docs_, "--dim", "4", "--analyzer", "klingon"});
  EXPECT_EQ(ingested.exit_code, 2);
  EXPECT_EQ(std::count(ingested.err.begin(), ingested.err.end(), '\n'), 1) << ingested.err;
  EXPECT_FALSE(std::filesystem::exists(db_));
}

TEST_F(FullTextCliTest, IngestCreatesTheDatabaseWithItsAnalyzer) {
  test::WriteFile(docs_ + "/a.txt", "the cat");
  const std::string model = dir_.Sub("model");
  ASSERT_EQ(RunCli({"create", model, "--dim", "4"}).exit_code, 0);
  ASSERT_EQ(RunCli({"import", model, "--word-vectors", dir_.Sub("vectors.txt")}).exit_code, 0);
  auto ingested =
      RunCli({"ingest", db_, docs_, "--dim", "4", "--analyzer", "german", "--model-from", model});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_EQ(Stats()["analyzer"], "german");
}

TEST_F(FullTextCliTest, ReindexChangesTheAnalyzerAndQueriesStillAnswer) {
  test::WriteFile(docs_ + "/proxy.txt", "Configure the Proxy server.");
  test::WriteFile(docs_ + "/cat.txt", "the cat");
  CreateAndIngest();
  EXPECT_EQ(Stats()["analyzer"], "english");

  auto french = RunCli({"reindex", db_, "--analyzer", "french"});
  ASSERT_EQ(french.exit_code, 0) << french.err;
  EXPECT_NE(french.out.find("analyzer french"), std::string::npos) << french.out;
  EXPECT_NE(french.out.find("2 documents"), std::string::npos) << french.out;
  auto stats = Stats();
  EXPECT_EQ(stats["analyzer"], "french");
  EXPECT_EQ(stats["lexical_documents"], 2);
  EXPECT_GT(stats["lexical_terms"].get<uint64_t>(), 0u);
  EXPECT_EQ(Ids(Query({"proxy", "--mode", "bm25"})),
            std::vector<std::string>{docs_ + "/proxy.txt#0"});

  auto same = RunCli({"reindex", db_});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_NE(same.out.find("analyzer french"), std::string::npos) << same.out;

  auto bad = RunCli({"reindex", db_, "--analyzer", "klingon"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_EQ(Stats()["analyzer"], "french");
  EXPECT_EQ(RunCli({"verify", db_}).exit_code, 0);
}

TEST_F(FullTextCliTest, Bm25StemsAndHighlightsWholeWords) {
  test::WriteFile(docs_ + "/proxy.txt", "Configure the Proxy server.\n\nThe proxy listens.");
  test::WriteFile(docs_ + "/cat.txt", "the cat");
  CreateAndIngest();
  auto hits = Query({"proxies", "--mode", "bm25", "--highlights"});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]["id"], docs_ + "/proxy.txt#0");
  const std::string text = hits[0]["text"];
  ASSERT_TRUE(hits[0]["highlights"].is_array());
  ASSERT_EQ(hits[0]["highlights"].size(), 2u) << hits[0].dump();
  std::vector<std::string> words;
  for (const auto& span : hits[0]["highlights"]) {
    const size_t begin = span[0], end = span[1];
    ASSERT_LT(begin, end);
    ASSERT_LE(end, text.size());
    words.push_back(text.substr(begin, end - begin));
  }
  EXPECT_EQ(words, (std::vector<std::string>{"Proxy", "proxy"}));
  // Without --highlights the JSON is unchanged.
  auto plain = Query({"proxies", "--mode", "bm25"});
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_FALSE(plain[0].contains("highlights"));
}

TEST_F(FullTextCliTest, PhrasesAndExcludedWords) {
  test::WriteFile(docs_ + "/a.txt", "the open files are listed");
  test::WriteFile(docs_ + "/b.txt", "files open the door");
  test::WriteFile(docs_ + "/c.txt", "the cat and the dog");
  test::WriteFile(docs_ + "/d.txt", "the cat alone");
  CreateAndIngest();
  EXPECT_EQ(Ids(Query({"open files", "--mode", "bm25"})),
            (std::vector<std::string>{docs_ + "/a.txt#0", docs_ + "/b.txt#0"}));
  EXPECT_EQ(Ids(Query({"\"open files\"", "--mode", "bm25"})),
            std::vector<std::string>{docs_ + "/a.txt#0"});
  EXPECT_EQ(Ids(Query({"cat", "--mode", "bm25"})),
            (std::vector<std::string>{docs_ + "/c.txt#0", docs_ + "/d.txt#0"}));
  EXPECT_EQ(Ids(Query({"cat -dog", "--mode", "bm25"})),
            std::vector<std::string>{docs_ + "/d.txt#0"});
  for (const auto& hit : Query({"cat -dog"})) {  // hybrid obeys the exclusion too
    EXPECT_NE(hit["id"], docs_ + "/c.txt#0");
  }
}

TEST_F(FullTextCliTest, TableSnippetsAreSafeAndBuiltAroundTheMatches) {
  std::string text = "\033[2J\033]0;owned\a the ";
  for (int i = 0; i < 40; ++i) text += "filler" + std::to_string(i) + " ";
  text += "the proxy server";
  test::WriteFile(docs_ + "/long.txt", text);
  CreateAndIngest();
  // On a terminal the snippet is the window around the match, the match in bold and
  // nothing else of the terminal's language.
  auto r = test::RunCliInTerminal({"query", db_, "proxy", "--mode", "bm25"}, 80);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string plain = r.out;
  for (const std::string bold : {"\033[1m", "\033[0m"}) {
    for (size_t at; (at = plain.find(bold)) != std::string::npos;) plain.erase(at, bold.size());
  }
  EXPECT_NE(r.out.find("\033[1mproxy\033[0m"), std::string::npos) << r.out;
  EXPECT_EQ(plain.find('\033'), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\a'), std::string::npos);
  EXPECT_NE(r.out.find("\u2026"), std::string::npos) << r.out;
  EXPECT_NE(plain.find("proxy server"), std::string::npos) << r.out;
  // Into a pipe: the whole text, made safe, no bold.
  auto piped = RunCli({"query", db_, "proxy", "--mode", "bm25"});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.out.find('\033'), std::string::npos) << piped.out;
  EXPECT_EQ(piped.out.find('\a'), std::string::npos);
  EXPECT_NE(piped.out.find("filler0 filler1"), std::string::npos) << piped.out;
  EXPECT_NE(piped.out.find("the proxy server"), std::string::npos) << piped.out;
  EXPECT_EQ(plain.find("filler0 "), std::string::npos) << "the window is around the match";
}

TEST_F(FullTextCliTest, ReindexHelpTeaches) {
  auto top = RunCli({"--help"});
  EXPECT_NE(top.out.find("reindex"), std::string::npos);
  auto help = RunCli({"reindex", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: quiver reindex DB [--analyzer LANG]"), std::string::npos);
  EXPECT_NE(help.out.find("examples:"), std::string::npos);
  auto query = RunCli({"query", "--help"});
  EXPECT_EQ(query.out.find("model's tokens"), std::string::npos);
  EXPECT_NE(query.out.find("--highlights"), std::string::npos);
}

}  // namespace
}  // namespace quiver
