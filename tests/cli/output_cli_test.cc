// The human-readable output of `quiver query` and friends: tables fitted to the terminal
// (under a pseudo-terminal 80 and 250 columns wide) and never cut in a pipe, short sources,
// document text neutralised for the terminal while --json stays exact, one hit per distinct
// text, queries the model knows no word of, and numbers in their shortest form.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "quiver/display.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;
using test::RunCliInTerminal;

constexpr char kWordVectors[] =
    "cat 1 0.2 0 0\nkitten 0.95 0.25 0 0\ndog 0.2 1 0 0\npuppy 0.25 0.95 0 0\n"
    "car 0 0 1 0.2\ntruck 0 0 0.2 1\nthe 0.1 0.1 0.1 0.1\nsat 0.3 0.3 0.3 0.3\n"
    "licence -0.038194 0.5 0.25 0.125\n";

// `s` without the bold escape sequences of the table's snippets.
std::string WithoutBold(std::string s) {
  for (const std::string seq : {std::string("\033[1m"), std::string("\033[0m")}) {
    for (size_t at; (at = s.find(seq)) != std::string::npos;) s.erase(at, seq.size());
  }
  return s;
}

std::vector<std::string> Lines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class OutputCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(docs_ + "/sub");
    test::WriteFile(dir_.Sub("vectors.txt"), kWordVectors);
    std::string long_text = "the cat sat.\n\n";
    for (int i = 0; i < 40; ++i)
      long_text += "the kitten sat on mat number " + std::to_string(i) + ".\n";
    long_text += "the end of the cat story.\n";
    test::WriteFile(docs_ + "/sub/cats.txt", long_text);
    test::WriteFile(docs_ + "/colours.txt",
                    "the truck sat \033[31mred\033[0m here\x07 \033]0;title\x07 \x1b[2J done.");
    const std::string licence = "the licence: copy the truck and the car and share it.";
    test::WriteFile(docs_ + "/GPL.txt", licence);
    test::WriteFile(docs_ + "/GPL-3.txt", licence);
    ASSERT_EQ(RunCli({"create", db_, "--dim", "4"}).exit_code, 0);
    auto imported = RunCli({"import", db_, "--word-vectors", dir_.Sub("vectors.txt")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    auto ingested = RunCli({"ingest", db_, docs_});
    ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  }

  test::TempDir dir_;
  std::string db_ = dir_.Sub("db");
  std::string docs_ = dir_.Sub("docs");
};

TEST_F(OutputCliTest, TablesFitTheTerminalAndShowAShortSource) {
  for (int columns : {80, 250}) {
    auto r = RunCliInTerminal({"query", db_, "kitten cat", "--mode", "bm25"}, columns);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = Lines(r.out);
    ASSERT_GE(lines.size(), 2u) << r.out;
    EXPECT_EQ(lines[0].rfind("rank  score", 0), 0u) << lines[0];
    size_t widest = 0;
    for (const std::string& line : lines) {
      const size_t width = DisplayWidth(WithoutBold(line));
      EXPECT_LE(width, static_cast<size_t>(columns)) << line;
      widest = std::max(widest, width);
    }
    // The snippet takes what the other columns leave: the table is about as wide as allowed.
    EXPECT_GE(widest + 10, static_cast<size_t>(columns)) << r.out;
    // The chunk is named by its path under the ingested folder and its lines, once.
    EXPECT_NE(r.out.find("sub/cats.txt:1-"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(docs_), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\033[1m"), std::string::npos);  // bold matches on a terminal
  }
}

TEST_F(OutputCliTest, PipedTablesAreNotCut) {
  auto r = RunCli({"query", db_, "kitten", "--mode", "bm25"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The whole chunk on one line (white space folded), no "…", no escape sequences.
  EXPECT_NE(r.out.find("the kitten sat on mat number 0. the kitten sat on mat number 1."),
            std::string::npos);
  EXPECT_NE(r.out.find("the end of the cat story."), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\u2026"), std::string::npos);
  EXPECT_EQ(r.out.find('\033'), std::string::npos);
  EXPECT_GT(Lines(r.out)[1].size(), 250u);
}

TEST_F(OutputCliTest, DocumentTextCannotDriveTheTerminal) {
  const std::string raw =
      "the truck sat \033[31mred\033[0m here\x07 \033]0;title\x07 \x1b[2J done.";
  const std::vector<std::vector<std::string>> commands = {
      {"query", db_, "red here done", "--mode", "bm25"},
      {"get", db_, docs_ + "/colours.txt#0"},
      {"ls", db_},
  };
  for (const auto& args : commands) {
    for (bool terminal : {false, true}) {
      auto r = terminal ? RunCliInTerminal(args, 120) : RunCli(args);
      ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
      const std::string out = WithoutBold(r.out);
      // (ls on a terminal cuts the text before it; the long scratch paths take the width)
      if (args[0] != "ls" || !terminal) {
        EXPECT_NE(out.find("red"), std::string::npos) << args[0] << ": " << out;
      }
      EXPECT_EQ(out.find('\033'), std::string::npos) << args[0] << ": " << out;
      EXPECT_EQ(out.find('\x07'), std::string::npos) << args[0] << ": " << out;
    }
  }
  // --json keeps the text exactly.
  auto json = RunCli({"query", db_, "red here done", "--mode", "bm25", "--json", "-k", "1"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(Lines(json.out)[0])["text"], raw);
}

TEST_F(OutputCliTest, IdenticalTextsAreShownOnceUnlessAsked) {
  const auto ids = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"query", db_, "licence share", "--mode", "bm25", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunCli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    for (const std::string& line : Lines(r.out)) {
      out.push_back(nlohmann::json::parse(line)["id"].get<std::string>());
    }
    return out;
  };
  const std::vector<std::string> deduped = ids({});
  ASSERT_EQ(deduped.size(), 1u);
  EXPECT_NE(deduped[0].find("GPL"), std::string::npos);
  EXPECT_EQ(ids({"--dedupe"}), deduped);
  EXPECT_EQ(ids({"--no-dedupe"}).size(), 2u);
}

TEST_F(OutputCliTest, AQueryOfUnknownWordsSaysSoAndHasNoDenseHits) {
  auto dense = RunCli({"query", db_, "qqqzzzxx", "--mode", "dense"});
  ASSERT_EQ(dense.exit_code, 0) << dense.err;
  EXPECT_NE(dense.err.find("the model knows no word of \"qqqzzzxx\": no dense hits"),
            std::string::npos)
      << dense.err;
  EXPECT_EQ(dense.out, "no hits\n");
  auto hybrid = RunCli({"query", db_, "qqqzzzxx", "--json"});
  ASSERT_EQ(hybrid.exit_code, 0);
  EXPECT_NE(hybrid.err.find("ranked by full text (bm25) alone"), std::string::npos) << hybrid.err;
  auto known = RunCli({"query", db_, "kitten", "--mode", "dense"});
  ASSERT_EQ(known.exit_code, 0);
  EXPECT_EQ(known.err, "");
  EXPECT_NE(known.out.find("cats.txt"), std::string::npos);
}

TEST_F(OutputCliTest, NumbersAreWrittenInTheirShortestForm) {
  auto vector = RunCli({"vector", db_, "licence"});
  ASSERT_EQ(vector.exit_code, 0) << vector.err;
  EXPECT_EQ(vector.out, "-0.038194,0.5,0.25,0.125\n");
  auto vector_json = RunCli({"vector", db_, "licence", "--json"});
  EXPECT_NE(vector_json.out.find("[-0.038194,0.5,0.25,0.125]"), std::string::npos)
      << vector_json.out;
  // Scores: at most 9 significant digits (a float's shortest text), in JSON too.
  auto json = RunCli({"query", db_, "kitten", "--json", "--mode", "dense"});
  ASSERT_EQ(json.exit_code, 0);
  const std::regex score(R"("score":(-?[0-9.]+(e-?[0-9]+)?))");
  size_t scores = 0;
  for (std::sregex_iterator it(json.out.begin(), json.out.end(), score), end; it != end; ++it) {
    std::string digits = (*it)[1].str();
    digits.erase(
        std::remove_if(digits.begin(), digits.end(), [](char c) { return c == '-' || c == '.'; }),
        digits.end());
    EXPECT_LE(digits.find_first_not_of('0') == std::string::npos
                  ? 0
                  : digits.size() - digits.find_first_not_of('0'),
              9u)
        << (*it)[0];
    ++scores;
  }
  EXPECT_GT(scores, 0u);
  auto help = RunCli({"query", "--help"});
  EXPECT_NE(help.out.find("--k1 arg (=1.2)"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--dense-weight arg (=0.1)"), std::string::npos);
  auto tokenizer_help = RunCli({"train-tokenizer", "--help"});
  EXPECT_NE(tokenizer_help.out.find("(=0.9995)"), std::string::npos) << tokenizer_help.out;
}

}  // namespace
}  // namespace quiver
