// `quiver import --model DIR` and what follows it on the command line: the import summary,
// `quiver model`, ingest and dense queries with the sentence encoder, and the one-line errors
// of bad flags and bad directories.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;

std::string HiddenOf(const std::string& name) {
  std::ifstream in(test::EncoderFixture(name) + "/config.json");
  return std::to_string(nlohmann::json::parse(in).at("hidden_size").get<int>());
}

class ImportModelCliTest : public ::testing::Test {
 protected:
  void Create(const std::string& model) {
    auto created = RunCli({"create", db_, "--dim", HiddenOf(model)});
    ASSERT_EQ(created.exit_code, 0) << created.err;
  }

  test::TempDir dir_;
  const std::string db_ = dir_.Sub("db");
};

TEST_F(ImportModelCliTest, ImportsDescribesIngestsAndQueries) {
  Create("e5-like");
  auto imported = RunCli({"import", db_, "--model", test::EncoderFixture("e5-like")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("imported BertModel(layers "), std::string::npos) << imported.out;

  auto model = RunCli({"model", db_});
  ASSERT_EQ(model.exit_code, 0) << model.err;
  EXPECT_NE(model.out.find("network"), std::string::npos) << model.out;
  EXPECT_NE(model.out.find("mean pooling"), std::string::npos) << model.out;
  EXPECT_NE(model.out.find("\"query: \""), std::string::npos) << model.out;
  EXPECT_NE(model.out.find("\"passage: \""), std::string::npos) << model.out;

  auto json = RunCli({"model", db_, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto described = nlohmann::json::parse(json.out);
  EXPECT_EQ(described.at("query_prompt"), "query: ");
  EXPECT_EQ(described.at("pooling"), "mean");

  std::filesystem::create_directories(dir_.Sub("docs"));
  test::WriteFile(dir_.Sub("docs/apt.txt"), "Acquire::http::Proxy sets the proxy of apt.\n");
  test::WriteFile(dir_.Sub("docs/ssh.txt"), "ssh connects to remote hosts securely.\n");
  auto ingested = RunCli({"ingest", db_, dir_.Sub("docs")});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  auto hits = RunCli({"query", db_, "proxy of apt", "--mode", "dense", "--json"});
  ASSERT_EQ(hits.exit_code, 0) << hits.err;
  EXPECT_NE(hits.out.find("apt.txt"), std::string::npos) << hits.out;
  EXPECT_NE(hits.out.find("ssh.txt"), std::string::npos) << hits.out;
}

TEST_F(ImportModelCliTest, IngestWithModelCreatesTheDatabaseAtTheModelsDimension) {
  std::filesystem::create_directories(dir_.Sub("docs"));
  test::WriteFile(dir_.Sub("docs/a.txt"), "Acquire::http::Proxy sets the proxy of apt.\n");
  auto clash = RunCli({"ingest", db_, dir_.Sub("docs"), "--model",
                       test::EncoderFixture("xlmr-like"), "--dim", "7"});
  EXPECT_EQ(clash.exit_code, 2) << clash.err;
  EXPECT_NE(clash.err.find("--dim 7 disagrees"), std::string::npos) << clash.err;
  EXPECT_FALSE(std::filesystem::exists(db_));

  auto ingested =
      RunCli({"ingest", db_, dir_.Sub("docs"), "--model", test::EncoderFixture("xlmr-like")});
  ASSERT_EQ(ingested.exit_code, 0) << ingested.err;
  EXPECT_NE(ingested.err.find("dimension " + HiddenOf("xlmr-like")), std::string::npos)
      << ingested.err;
  EXPECT_NE(ingested.err.find("imported XLMRobertaModel("), std::string::npos) << ingested.err;
  auto stats = RunCli({"model", db_, "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_EQ(nlohmann::json::parse(stats.out).at("source"),
            "model " + test::EncoderFixture("xlmr-like"));

  // A second run keeps the model and says nothing about it; another model is noted, not used.
  auto again =
      RunCli({"ingest", db_, dir_.Sub("docs"), "--model", test::EncoderFixture("xlmr-like")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("keeps its model"), std::string::npos) << again.err;
  auto other =
      RunCli({"ingest", db_, dir_.Sub("docs"), "--model", test::EncoderFixture("minilm-like")});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.err.find("keeps its model"), std::string::npos) << other.err;
}

TEST_F(ImportModelCliTest, ReducedPrecisionIsNamed) {
  Create("minilm-like");
  auto imported = RunCli(
      {"import", db_, "--model", test::EncoderFixture("minilm-like"), "--precision", "bf16"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("(bf16)"), std::string::npos) << imported.out;
}

TEST_F(ImportModelCliTest, BadInputIsOneLineAndExitTwo) {
  Create("minilm-like");
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const Case cases[] = {
      {{"import", db_, "--model", dir_.Sub("nowhere")}, "nowhere"},
      {{"import", db_, "--model", test::EncoderFixture("minilm-like"), "--word-vectors", "x.txt"},
       "exactly one of"},
      {{"import", db_, "--model", test::EncoderFixture("minilm-like"), "--precision", "fp8"},
       "fp8"},
  };
  for (const Case& c : cases) {
    auto result = RunCli(c.args);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find(c.says), std::string::npos) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  auto model = RunCli({"model", db_});
  EXPECT_NE(model.exit_code, 0);  // nothing was imported
}

}  // namespace
}  // namespace quiver
