// `quiver neighbors`: gensim-style vector arithmetic on the command line (king -man +woman),
// several words, --negative, --vector, and the one-line errors of bad queries.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;

class NeighborsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::WriteFile(dir_.Sub("vectors.txt"),
                    "king 1 1 0 0.1 0 0\n"
                    "queen 1 0 1 0 0.1 0\n"
                    "man 0 1 0 0 0 0.1\n"
                    "woman 0 0.1 1 0 0 0\n"
                    "prince 0.8 1 0 0.5 0 0\n"
                    "apple 0 0 0 1 1 1\n"
                    "pear 0 0 0.2 1 1 0.8\n"
                    "k -0.3 -0.3 -0.3 -0.3 -0.3 1\n");
    ASSERT_EQ(RunCli({"create", db_, "--dim", "6"}).exit_code, 0);
    auto imported = RunCli({"import", db_, "--word-vectors", dir_.Sub("vectors.txt")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
  }

  // The tokens of `--json` output, best first; fails the test on a non-zero exit.
  std::vector<std::string> Tokens(std::vector<std::string> args) {
    args.insert(args.begin(), {"neighbors", db_, "--json"});
    auto run = RunCli(args);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::vector<std::string> tokens;
    std::istringstream lines(run.out);
    for (std::string line; std::getline(lines, line);) {
      tokens.push_back(nlohmann::json::parse(line).at("token").get<std::string>());
    }
    return tokens;
  }

  // Runs `neighbors DB args...`, expecting failure with exit code `exit` and one stderr line
  // containing `message`.
  void ExpectError(std::vector<std::string> args, int exit, const std::string& message) {
    args.insert(args.begin(), {"neighbors", db_});
    auto run = RunCli(args);
    EXPECT_EQ(run.exit_code, exit) << run.err;
    EXPECT_NE(run.err.find(message), std::string::npos) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }

  test::TempDir dir_;
  const std::string db_ = dir_.Sub("db");
};

TEST_F(NeighborsCliTest, KingMinusManPlusWomanIsQueen) {
  const auto tokens = Tokens({"king", "-man", "+woman", "-k", "3"});
  ASSERT_EQ(tokens.size(), 3u);
  EXPECT_EQ(tokens[0], "queen");
  for (const std::string& input : {"king", "man", "woman"}) {
    EXPECT_EQ(std::find(tokens.begin(), tokens.end(), input), tokens.end()) << input;
  }
  // The same query spelt otherwise: --negative, "--" before signed terms, -k stuck to its value.
  EXPECT_EQ(Tokens({"king", "woman", "--negative", "man", "-k3"}), tokens);
  EXPECT_EQ(Tokens({"-k", "3", "--", "king", "-man", "+woman"}), tokens);

  auto table = RunCli({"neighbors", db_, "king", "-man", "+woman", "-k", "2"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("queen"), std::string::npos) << table.out;
}

TEST_F(NeighborsCliTest, OneWordAndSeveralWords) {
  EXPECT_EQ(Tokens({"king", "-k", "1"}), std::vector<std::string>{"prince"});
  // Several words without signs are all positive, and all left out of the answer.
  const auto tokens = Tokens({"apple", "queen", "-k", "8"});
  EXPECT_EQ(tokens.size(), 6u);  // the vocabulary of 8 less the two query words
  EXPECT_EQ(tokens[0], "pear");
  EXPECT_EQ(std::find(tokens.begin(), tokens.end(), "apple"), tokens.end());
  // --negative spells a word that -WORD cannot: -k is the option.
  const auto minus_k = Tokens({"apple", "--negative", "k", "-k", "2"});
  EXPECT_EQ(minus_k.size(), 2u);
  EXPECT_EQ(std::find(minus_k.begin(), minus_k.end(), "k"), minus_k.end());
}

TEST_F(NeighborsCliTest, RawVectorSpaceOrCommaSeparated) {
  auto spaced = RunCli({"neighbors", db_, "--vector", "0 0 0 1 1 1", "-k", "2", "--json"});
  ASSERT_EQ(spaced.exit_code, 0) << spaced.err;
  const auto first = nlohmann::json::parse(spaced.out.substr(0, spaced.out.find('\n')));
  EXPECT_EQ(first.at("token"), "apple");  // a raw vector excludes nothing
  EXPECT_NEAR(first.at("score").get<double>(), 1.0, 1e-5);
  EXPECT_EQ(Tokens({"--vector", "0,0,0,1,1,1", "-k", "2"}),
            (std::vector<std::string>{"apple", "pear"}));
  // A value starting with '-' is the vector, not a negative word.
  EXPECT_EQ(Tokens({"--vector", "-0.3 -0.3 -0.3 -0.3 -0.3 1", "-k", "1"}),
            std::vector<std::string>{"k"});
}

TEST_F(NeighborsCliTest, BadQueriesAreOneLineErrors) {
  ExpectError({"king", "-mann"}, 3, "\"mann\" is not one token of the model's 8-entry vocabulary");
  ExpectError({"kingg"}, 3, "(similar: \"king\"");
  ExpectError({"--vector", "1 2 3"}, 2,
              "the query vector has 3 components; the model's vectors have 6");
  ExpectError({"--vector", "1 x 3"}, 2, "--vector: expected a comma-separated list of numbers");
  ExpectError({"king", "-king"}, 2, "zero vector");
  ExpectError({}, 2, "expected at least one WORD or --vector; found neither");
  ExpectError({"king", "-k", "0"}, 2, "k must be > 0");
}

}  // namespace
}  // namespace quiver
