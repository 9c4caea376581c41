// quiver search --vectors FILE: one batch of queries, printed per query, equal to --vector.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;
using ::testing::HasSubstr;

class SearchVectorsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(RunCli({"create", db_, "--dim", "3", "--metric", "l2", "--index", "HNSW8"}).exit_code,
              0);
    std::string input;
    for (int i = 0; i < 50; ++i) {
      input += test::JsonLine("r" + std::to_string(i),
                              {float(i % 7), float(i % 5) * 0.5f, float(i) * 0.1f});
    }
    test::WriteFile(dir_.Sub("in.jsonl"), input);
    ASSERT_EQ(RunCli({"add", db_, dir_.Sub("in.jsonl")}).exit_code, 0);
  }
  test::TempDir dir_;
  std::string db_ = dir_.Sub("db");
};

TEST_F(SearchVectorsCliTest, JsonlAndFvecsAnswerLikeOneByOne) {
  const std::vector<std::vector<float>> queries = {{1, 1, 1}, {6, 0, 4.9f}, {0, 2, 0.3f}};
  std::string jsonl, fvecs;
  for (const auto& q : queries) {
    jsonl += nlohmann::json{{"vector", q}}.dump() + "\n";
    const int32_t d = 3;
    fvecs.append(reinterpret_cast<const char*>(&d), 4);
    fvecs.append(reinterpret_cast<const char*>(q.data()), 12);
  }
  test::WriteFile(dir_.Sub("q.jsonl"), jsonl);
  test::WriteFile(dir_.Sub("q.fvecs"), fvecs);
  std::string expected;
  for (size_t i = 0; i < queries.size(); ++i) {
    std::ostringstream list;
    list << queries[i][0] << "," << queries[i][1] << "," << queries[i][2];
    auto one = RunCli({"search", db_, "--vector", list.str(), "-k", "4", "--json"});
    ASSERT_EQ(one.exit_code, 0) << one.err;
    std::istringstream lines(one.out);
    for (std::string line; std::getline(lines, line);) {
      auto hit = nlohmann::json::parse(line);
      hit["query"] = i + 1;
      expected += hit.dump() + "\n";
    }
  }
  for (const char* file : {"q.jsonl", "q.fvecs"}) {
    auto batch = RunCli({"search", db_, "--vectors", dir_.Sub(file), "-k", "4", "--json"});
    ASSERT_EQ(batch.exit_code, 0) << batch.err;
    std::string normalized;
    std::istringstream lines(batch.out);
    for (std::string line; std::getline(lines, line);) {
      normalized += nlohmann::json::parse(line).dump() + "\n";
    }
    EXPECT_EQ(normalized, expected) << file;
  }
  auto table = RunCli({"search", db_, "--vectors", dir_.Sub("q.jsonl"), "-k", "2"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("query 1:\n"));
  EXPECT_THAT(table.out, HasSubstr("query 3:\n"));
}

TEST_F(SearchVectorsCliTest, BadFilesAreOneLineErrorsNamingTheFile) {
  test::WriteFile(dir_.Sub("two.jsonl"), "[1, 2]\n");
  auto wrong_dim = RunCli({"search", db_, "--vectors", dir_.Sub("two.jsonl")});
  EXPECT_EQ(wrong_dim.exit_code, 2);
  EXPECT_EQ(wrong_dim.err, "quiver search: error: " + dir_.Sub("two.jsonl") +
                               ": expected vectors of the database's dimension 3; found 2\n");
  test::WriteFile(dir_.Sub("bad.npy"), "garbage");
  auto bad_npy = RunCli({"search", db_, "--vectors", dir_.Sub("bad.npy")});
  EXPECT_EQ(bad_npy.exit_code, 2);
  EXPECT_THAT(bad_npy.err, HasSubstr(dir_.Sub("bad.npy") + ": expected a .npy file of float32"));
  EXPECT_EQ(std::count(bad_npy.err.begin(), bad_npy.err.end(), '\n'), 1);
  auto missing = RunCli({"search", db_, "--vectors", dir_.Sub("none.fvecs")});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_THAT(missing.err, HasSubstr("none.fvecs"));
  auto both = RunCli({"search", db_, "--vectors", dir_.Sub("two.jsonl"), "--vector", "1,2,3"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("exactly one of --vector or --vectors"));
}

}  // namespace
}  // namespace quiver
