// DB::ScanRecords and DB::ScanSources: id order, filters, projections, stopping, sources.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ScanTest : public ::testing::Test {
 protected:
  void SetUp() override { db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(2)); }

  void Put(const std::string& id, std::vector<float> v, const std::string& text,
           const std::string& meta) {
    ASSERT_TRUE(db_->Upsert({{id, std::move(v), text, meta, {}}}).ok());
  }

  std::vector<std::string> Ids(const ScanOptions& options) {
    std::vector<std::string> ids;
    Status s = db_->ScanRecords(options, [&](const Record& r) {
      ids.push_back(r.id);
      return Status::OK();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return ids;
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(ScanTest, EmptyDatabaseVisitsNothingAndAcceptsAnyField) {
  ScanOptions options;
  EXPECT_TRUE(Ids(options).empty());
  options.where = R"({"anything": 1})";
  EXPECT_TRUE(Ids(options).empty());
}

TEST_F(ScanTest, RecordsInIdOrderWithTheFieldsAskedFor) {
  Put("b", {1, 0}, "bee", R"({"n": 2})");
  Put("a", {0, 1}, "ay", R"({"n": 1, "tag": "x"})");
  Put("c", {1, 1}, "sea", "");
  EXPECT_THAT(Ids({}), ElementsAre("a", "b", "c"));

  std::vector<Record> seen;
  ScanOptions all;
  all.with_vector = true;
  ASSERT_TRUE(db_->ScanRecords(all,
                               [&](const Record& r) {
                                 seen.push_back(r);
                                 return Status::OK();
                               })
                  .ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].text, "ay");
  EXPECT_EQ(nlohmann::json::parse(seen[0].metadata), nlohmann::json::parse(R"({"n":1,"tag":"x"})"));
  const float norm = 1.0f;  // cosine vectors are stored normalized
  EXPECT_NEAR(seen[0].vector[1], norm, 1e-6);
  auto got = db_->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(seen[0].vector, got->vector);

  ScanOptions ids_only;
  ids_only.with_text = ids_only.with_metadata = ids_only.with_source = false;
  seen.clear();
  ASSERT_TRUE(db_->ScanRecords(ids_only,
                               [&](const Record& r) {
                                 seen.push_back(r);
                                 return Status::OK();
                               })
                  .ok());
  ASSERT_EQ(seen.size(), 3u);
  for (const Record& r : seen) {
    EXPECT_TRUE(r.text.empty() && r.metadata.empty() && r.vector.empty()) << r.id;
  }
}

TEST_F(ScanTest, FilterAndItsErrors) {
  Put("a", {0, 1}, "ay", R"({"n": 1, "tag": "x"})");
  Put("b", {1, 0}, "bee", R"({"n": 2})");
  Put("c", {1, 1}, "sea", R"({"n": 3, "tag": "y"})");
  ScanOptions options;
  options.where = R"({"n": {"$gte": 2}})";
  EXPECT_THAT(Ids(options), ElementsAre("b", "c"));
  options.where = R"({"tag": {"$exists": false}})";
  EXPECT_THAT(Ids(options), ElementsAre("b"));
  options.where = R"({"tga": "x"})";
  Status s = db_->ScanRecords(options, [](const Record&) { return Status::OK(); });
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "filter: no record has field \"tga\" (similar fields: \"tag\")");
  options.where = R"({"n": {"$bogus": 1}})";
  s = db_->ScanRecords(options, [](const Record&) { return Status::OK(); });
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(s.message(), HasSubstr("$bogus"));
}

TEST_F(ScanTest, VisitorErrorStopsTheScan) {
  Put("a", {0, 1}, "", "");
  Put("b", {1, 0}, "", "");
  int visited = 0;
  Status s = db_->ScanRecords({}, [&](const Record&) {
    ++visited;
    return Status::NotFound("enough");
  });
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.message(), "enough");
  EXPECT_EQ(visited, 1);
}

TEST_F(ScanTest, SourcesOfAnIngest) {
  std::filesystem::create_directories(dir_.Sub("docs"));
  test::WriteFile(dir_.Sub("vectors.txt"), "cat 1 0\ndog 0 1\n");
  ASSERT_TRUE(db_->ImportWordVectors(dir_.Sub("vectors.txt")).ok());
  test::WriteFile(dir_.Sub("docs/b.txt"), "dog");
  test::WriteFile(dir_.Sub("docs/a.txt"), "cat\n\ncat dog");
  ASSERT_TRUE(db_->Ingest({dir_.Sub("docs")}, {}).ok());
  std::vector<SourceInfo> sources;
  ASSERT_TRUE(db_->ScanSources([&](const SourceInfo& s) {
                   sources.push_back(s);
                   return Status::OK();
                 })
                  .ok());
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].path,
            std::filesystem::absolute(dir_.Sub("docs/a.txt")).lexically_normal().string());
  EXPECT_EQ(sources[0].size, 12u);
  EXPECT_EQ(sources[0].chunks, 1u);
  EXPECT_EQ(sources[0].content_hash.size(), 16u);
  EXPECT_GT(sources[0].mtime, 0);
  EXPECT_EQ(sources[1].size, 3u);
}

}  // namespace
}  // namespace quiver
