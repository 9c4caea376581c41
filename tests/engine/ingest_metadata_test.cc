// The metadata ingest gives each chunk: "path" as given, "relpath" relative to the ingested
// root, and CSV cells typed (numbers, booleans) unless kept as text; change detection still
// keys sources by absolute path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 4;

constexpr char kWordVectors[] =
    "cat 1 0.2 0 0\n"
    "dog 0.2 1 0 0\n"
    "car 0 0 1 0.2\n"
    "the 0.1 0.1 0.1 0.1\n";

// Runs the test in its temporary directory, so that relative paths can be given.
class IngestMetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_.path());
    test::WriteFile("vectors.txt", kWordVectors);
    std::filesystem::create_directories("docs/sub");
    db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim));
    ASSERT_TRUE(db_->ImportWordVectors("vectors.txt").ok());
  }
  void TearDown() override { std::filesystem::current_path(previous_); }

  nlohmann::json MetadataOf(const std::string& id) {
    auto record = db_->Get(id);
    EXPECT_TRUE(record.ok()) << id << ": " << record.status().ToString();
    return record.ok() ? nlohmann::json::parse(record->metadata) : nlohmann::json();
  }

  test::TempDir dir_;
  std::filesystem::path previous_;
  std::unique_ptr<DB> db_;
};

TEST_F(IngestMetadataTest, PathAsGivenAndRelpathBelowTheRoot) {
  test::WriteFile("docs/a.txt", "the cat");
  test::WriteFile("docs/sub/b.md", "the dog");
  test::WriteFile("single.txt", "the car");
  auto summary = db_->Ingest({"docs/", "single.txt"}, {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  nlohmann::json a = MetadataOf("docs/a.txt#0");
  EXPECT_EQ(a["path"], "docs/a.txt");
  EXPECT_EQ(a["relpath"], "a.txt");
  nlohmann::json b = MetadataOf("docs/sub/b.md#0");
  EXPECT_EQ(b["path"], "docs/sub/b.md");
  EXPECT_EQ(b["relpath"], "sub/b.md");
  nlohmann::json single = MetadataOf("single.txt#0");
  EXPECT_EQ(single["path"], "single.txt");
  EXPECT_EQ(single["relpath"], "single.txt");

  // Filters on the folder work with the relative path.
  QueryOptions options;
  options.mode = QueryMode::kBm25;
  options.where = R"({"relpath": {"$startswith": "sub/"}})";
  auto hits = db_->Query("the", options);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, "docs/sub/b.md#0");

  // The same files named by absolute path are the same sources: unchanged, not added again.
  const std::string absolute_docs = dir_.Sub("docs");
  auto again = db_->Ingest({absolute_docs}, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->files_unchanged, 2u);
  EXPECT_EQ(again->files_added, 0u);
  // Pruning with the absolute root sees the relative ingest's files.
  std::filesystem::remove("docs/a.txt");
  IngestOptions prune;
  prune.prune = true;
  auto pruned = db_->Ingest({absolute_docs}, prune);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->chunks_removed, 1u);
  EXPECT_TRUE(db_->Get("docs/a.txt#0").status().IsNotFound());
}

TEST_F(IngestMetadataTest, CsvCellsAreTypedUnlessKeptAsText) {
  test::WriteFile("docs/books.csv",
                  "id,text,year,price,ok,zip,code,note\n"
                  "b1,the cat,2001,9.5,true,02134,7,x\n"
                  "b2,the dog,1999,-1e2,False,10001,08,\n");
  IngestOptions options;
  options.text_columns = {"code"};
  auto summary = db_->Ingest({"docs/books.csv"}, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  nlohmann::json b1 = MetadataOf("b1#0");
  EXPECT_EQ(b1["year"], 2001);
  EXPECT_TRUE(b1["year"].is_number_integer());
  EXPECT_EQ(b1["price"], 9.5);
  EXPECT_EQ(b1["ok"], true);
  EXPECT_EQ(b1["zip"], "02134");  // a leading zero stays a string
  EXPECT_EQ(b1["code"], "7");     // kept as text
  EXPECT_EQ(b1["note"], "x");
  EXPECT_EQ(b1["relpath"], "books.csv");
  nlohmann::json b2 = MetadataOf("b2#0");
  EXPECT_EQ(b2["price"], -100.0);
  EXPECT_EQ(b2["ok"], false);
  EXPECT_EQ(b2["zip"], 10001);
  EXPECT_EQ(b2["note"], "");

  QueryOptions query;
  query.mode = QueryMode::kBm25;
  query.where = R"({"year": {"$gte": 2000}})";
  auto hits = db_->Query("the", query);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, "b1#0");
}

}  // namespace
}  // namespace quiver
