#include "quiver/db.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "storage/store.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::CreateOptions;
using test::OpenOrDie;

constexpr int kDim = 8;

class DBTest : public ::testing::Test {
 protected:
  std::string Path() const { return dir_.Sub("db"); }
  test::TempDir dir_;
};

TEST_F(DBTest, RecordsSurviveReopen) {
  {
    auto db = OpenOrDie(Path(), CreateOptions(kDim));
    auto records = test::MakeRecords(test::RandomVectors(50, kDim, 1), kDim);
    records[3].metadata = R"({"lang": "en", "year": 2001})";
    ASSERT_TRUE(db->Upsert(records).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  auto db = OpenOrDie(Path(), Options());
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->count, 50u);
  EXPECT_EQ(stats->dimension, kDim);
  EXPECT_EQ(stats->metric, Metric::kCosine);
  EXPECT_EQ(stats->index_spec, "Flat");
  EXPECT_GT(stats->disk_bytes, 0u);
  auto record = db->Get("id-3");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->text, "text 3");
  EXPECT_EQ(record->metadata, R"({"lang":"en","year":2001})");
  EXPECT_EQ(record->vector.size(), static_cast<size_t>(kDim));
  EXPECT_TRUE(db->Get("absent").status().IsNotFound());
  EXPECT_TRUE(db->Verify().ok());
}

TEST_F(DBTest, UpsertReplacesAndLastDuplicateInBatchWins) {
  auto db = OpenOrDie(Path(), CreateOptions(2, Metric::kL2));
  ASSERT_TRUE(db->Upsert({{"a", {1, 0}, "first", ""}, {"b", {0, 1}, "", ""}}).ok());
  ASSERT_TRUE(db->Upsert({{"a", {5, 5}, "second", ""}, {"a", {9, 9}, "third", ""}}).ok());
  auto a = db->Get("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->text, "third");
  EXPECT_EQ(a->vector, (std::vector<float>{9, 9}));
  EXPECT_EQ(db->GetStats()->count, 2u);
  // The replaced vectors are gone from the index too.
  auto hits = db->Search(std::vector<float>{1, 0}, {.k = 10});
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].id, "b");
  EXPECT_EQ((*hits)[1].id, "a");
  EXPECT_FLOAT_EQ((*hits)[1].score, 64 + 81);
  EXPECT_TRUE(db->Verify().ok());
}

TEST_F(DBTest, InvalidRecordsWriteNothing) {
  auto db = OpenOrDie(Path(), CreateOptions(3));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    Record bad;
    std::string expected_text;
  } cases[] = {
      {{"x", {1, 2}, "", ""}, "has 2 dimensions; this database stores 3"},
      {{"x", {1, nan, 2}, "", ""}, "non-finite component at position 1"},
      {{"x", {inf, 1, 2}, "", ""}, "non-finite component at position 0"},
      {{"", {1, 2, 3}, "", ""}, "id is empty"},
      {{"x", {0, 0, 0}, "", ""}, "all zeros"},
      {{"x", {1, 2, 3}, "", "[1,2]"}, "not a JSON object"},
      {{"x", {1, 2, 3}, "", "{broken"}, "not a JSON object"},
  };
  for (const auto& c : cases) {
    Status s = db->Upsert({{"good", {1, 1, 1}, "", ""}, c.bad});
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find(c.expected_text), std::string::npos) << s.message();
    EXPECT_TRUE(db->CheckRecord(c.bad).IsInvalidArgument());
  }
  EXPECT_EQ(db->GetStats()->count, 0u);
  EXPECT_TRUE(db->Get("good").status().IsNotFound());
}

TEST_F(DBTest, DeleteCountsOnlyExistingIds) {
  auto db = OpenOrDie(Path(), CreateOptions(kDim, Metric::kCosine, "HNSW16"));
  ASSERT_TRUE(db->Upsert(test::MakeRecords(test::RandomVectors(20, kDim, 2), kDim)).ok());
  size_t removed = 0;
  ASSERT_TRUE(db->Delete({"id-1", "id-2", "id-2", "nope"}, &removed).ok());
  EXPECT_EQ(removed, 2u);
  EXPECT_EQ(db->GetStats()->count, 18u);
  EXPECT_EQ(db->GetStats()->deleted, 2u);  // HNSW keeps tombstones until compact
  auto hits = db->Search(std::vector<float>(kDim, 0.5f), {.k = 20});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 18u);
  for (const auto& hit : *hits) EXPECT_TRUE(hit.id != "id-1" && hit.id != "id-2");
  ASSERT_TRUE(db->Compact().ok());
  EXPECT_EQ(db->GetStats()->deleted, 0u);
  EXPECT_TRUE(db->Verify().ok());
}

TEST_F(DBTest, EmptyDatabaseSearchGivesNoHitsAndBadQueriesFail) {
  auto db = OpenOrDie(Path(), CreateOptions(kDim, Metric::kCosine, "HNSW32"));
  auto hits = db->Search(std::vector<float>(kDim, 1.0f), {.k = 5});
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
  EXPECT_TRUE(db->Search(std::vector<float>(kDim, 1.0f), {.k = 0}).status().IsInvalidArgument());
  EXPECT_TRUE(db->Search(std::vector<float>(kDim, 1.0f), {.k = -3}).status().IsInvalidArgument());
  EXPECT_TRUE(
      db->Search(std::vector<float>(kDim + 1, 1.0f), {.k = 1}).status().IsInvalidArgument());
}

class DBBruteForceTest : public ::testing::TestWithParam<std::tuple<std::string, Metric>> {};

TEST_P(DBBruteForceTest, SearchEqualsBruteForce) {
  const auto& [spec, metric] = GetParam();
  test::TempDir dir;
  auto db = OpenOrDie(dir.Sub("db"), CreateOptions(kDim, metric, spec));
  auto vectors = test::RandomVectors(400, kDim, 9);
  ASSERT_TRUE(db->Upsert(test::MakeRecords(vectors, kDim)).ok());
  auto queries = test::RandomVectors(10, kDim, 10);
  for (int q = 0; q < 10; ++q) {
    std::vector<float> query(queries.begin() + q * kDim, queries.begin() + (q + 1) * kDim);
    auto expected = test::BruteForce(vectors, kDim, query, metric, 7);
    auto hits = db->Search(query, {.k = 7, .ef_search = 400});
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_EQ(hits->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ((*hits)[i].id, "id-" + std::to_string(expected[i].row));
      EXPECT_NEAR((*hits)[i].score, expected[i].score, 1e-4);
      EXPECT_EQ((*hits)[i].text, "text " + std::to_string(expected[i].row));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    ExactModes, DBBruteForceTest,
    ::testing::Combine(::testing::Values("Flat", "HNSW32", "IVF256,Flat", "IVF64,PQ4"),
                       ::testing::Values(Metric::kCosine, Metric::kInnerProduct, Metric::kL2)),
    [](const auto& info) {
      return test::SpecTestName(std::get<0>(info.param), std::get<1>(info.param));
    });

TEST_F(DBTest, TrainableIndexTrainsAndStaysTrainedAcrossReopen) {
  {
    auto db = OpenOrDie(Path(), CreateOptions(kDim, Metric::kL2, "IVF4,Flat"));
    ASSERT_TRUE(db->Upsert(test::MakeRecords(test::RandomVectors(100, kDim, 4), kDim)).ok());
    EXPECT_FALSE(db->GetStats()->index_trained);
    ASSERT_TRUE(db->Upsert(test::MakeRecords(test::RandomVectors(100, kDim, 5), kDim, "b-")).ok());
    EXPECT_TRUE(db->GetStats()->index_trained);
  }
  auto db = OpenOrDie(Path(), Options());
  EXPECT_TRUE(db->GetStats()->index_trained);
  EXPECT_EQ(db->GetStats()->count, 200u);
  EXPECT_TRUE(db->Verify().ok());
}

TEST_F(DBTest, OpenErrorsAreClear) {
  auto missing = DB::Open(Options(), Path());
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();

  test::WriteFile(dir_.Sub("file"), "x");
  EXPECT_TRUE(DB::Open(CreateOptions(kDim), dir_.Sub("file")).status().IsInvalidArgument());
  std::filesystem::create_directories(dir_.Sub("other"));
  test::WriteFile(dir_.Sub("other/readme"), "x");
  auto other = DB::Open(CreateOptions(kDim), dir_.Sub("other"));
  EXPECT_TRUE(other.status().IsInvalidArgument());
  EXPECT_NE(other.status().message().find("not a quiver database"), std::string::npos);

  auto bad_spec = DB::Open(CreateOptions(kDim, Metric::kL2, "Bogus"), Path());
  EXPECT_TRUE(bad_spec.status().IsInvalidArgument());
  EXPECT_FALSE(std::filesystem::exists(Path())) << "nothing may be left behind";
  EXPECT_TRUE(DB::Open(CreateOptions(0), Path()).status().IsInvalidArgument());

  OpenOrDie(Path(), CreateOptions(kDim)).reset();
  Options exclusive = CreateOptions(kDim);
  exclusive.error_if_exists = true;
  EXPECT_TRUE(DB::Open(exclusive, Path()).status().IsInvalidArgument());
}

TEST_F(DBTest, NewerFormatVersionIsNotSupported) {
  OpenOrDie(Path(), CreateOptions(kDim)).reset();
  {
    auto store = storage::Store::Open(Path() + "/store", storage::Store::Mode::kReadWrite, false);
    ASSERT_TRUE(store.ok());
    storage::WriteBatch batch;
    batch.PutMetaU64(storage::meta_key::kFormatVersion, 3);
    ASSERT_TRUE(store.value()->Write(batch).ok());
  }
  auto db = DB::Open(Options(), Path());
  EXPECT_TRUE(db.status().IsNotSupported()) << db.status().ToString();
  EXPECT_NE(db.status().message().find("format version 3"), std::string::npos);
}

TEST_F(DBTest, ReadOnlyRefusesMutations) {
  ASSERT_TRUE(OpenOrDie(Path(), CreateOptions(2))->Upsert({{"a", {1, 2}, "", ""}}).ok());
  Options read_only;
  read_only.read_only = true;
  auto db = OpenOrDie(Path(), read_only);
  EXPECT_TRUE(db->Get("a").ok());
  EXPECT_TRUE(db->Upsert({{"b", {1, 2}, "", ""}}).IsNotSupported());
  EXPECT_TRUE(db->Delete({"a"}).IsNotSupported());
  EXPECT_TRUE(db->Compact().IsNotSupported());
}

TEST_F(DBTest, ClosedDatabaseRefusesCalls) {
  auto db = OpenOrDie(Path(), CreateOptions(2));
  ASSERT_TRUE(db->Close().ok());
  EXPECT_TRUE(db->Close().ok());
  EXPECT_FALSE(db->Get("a").ok());
  EXPECT_FALSE(db->Upsert({{"b", {1, 2}, "", ""}}).ok());
  EXPECT_FALSE(db->Search(std::vector<float>{1, 2}, {}).ok());
}

}  // namespace
}  // namespace quiver
