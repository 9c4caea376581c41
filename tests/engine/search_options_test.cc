// DB::Search with SearchOptions::where and ::fields: filtered results equal brute force over
// the matching records for Flat, HNSW and IVF at every selectivity, and hits carry exactly the
// fields asked for.
#include <gtest/gtest.h>

#include <algorithm>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 8;
constexpr size_t kRecords = 10000;  // a tenth is 1,000: 50% is searched inside the index
constexpr int kK = 10;

class FilteredSearchTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim, Metric::kL2, GetParam()));
    vectors_ = test::RandomVectors(kRecords, kDim, 3);
    queries_ = test::RandomVectors(8, kDim, 4);
    auto records = test::MakeRecords(vectors_, kDim, "r");
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].metadata = "{\"bucket\": " + std::to_string(i % 1000) + "}";
    }
    ASSERT_TRUE(db_->Upsert(records).ok());
  }

  // Ids of the k records nearest query q whose bucket is below `below`.
  std::vector<std::string> BruteForce(size_t q, int below) const {
    std::vector<std::pair<float, size_t>> scored;
    for (size_t i = 0; i < kRecords; ++i) {
      if (static_cast<int>(i % 1000) >= below) continue;
      float d = 0;
      for (int j = 0; j < kDim; ++j) {
        const float diff = vectors_[i * kDim + j] - queries_[q * kDim + j];
        d += diff * diff;
      }
      scored.push_back({d, i});
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::string> ids;
    for (size_t i = 0; i < scored.size() && i < kK; ++i) {
      ids.push_back("r" + std::to_string(scored[i].second));
    }
    return ids;
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
  std::vector<float> vectors_, queries_;
};

TEST_P(FilteredSearchTest, EqualsBruteForceOverMatchingRecords) {
  // Buckets below 1000, 500, 100, 10, 1, 0: 100%, 50%, 10%, 1%, 0.1%, no match.
  for (int below : {1000, 500, 100, 10, 1, 0}) {
    SearchOptions options;
    options.k = kK;
    options.ef_search = 300;  // HNSW exact on this small set
    options.nprobe = 64;      // IVF: every list
    options.where = "{\"bucket\": {\"$lt\": " + std::to_string(below) + "}}";
    options.fields = HitFields::IdsOnly();
    for (size_t q = 0; q < queries_.size() / kDim; ++q) {
      const std::span<const float> query(queries_.data() + q * kDim, kDim);
      auto hits = db_->Search(query, options);
      ASSERT_TRUE(hits.ok()) << hits.status().ToString();
      std::vector<std::string> ids;
      for (const Hit& hit : *hits) ids.push_back(hit.id);
      EXPECT_EQ(ids, BruteForce(q, below)) << GetParam() << " below " << below << " q " << q;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, FilteredSearchTest,
                         ::testing::Values("Flat", "HNSW32", "IVF64,Flat"), [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), ',', '_');
                           return name;
                         });

TEST(SearchFieldsTest, HitsCarryExactlyTheFieldsAskedFor) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(2, Metric::kL2));
  Record record{"a", {1, 2}, "some text", R"({"k":1})", {}};
  ASSERT_TRUE(db->Upsert({record, Record{"b", {5, 5}, "", "", {}}}).ok());
  const std::vector<float> query = {1, 2};

  SearchOptions options;
  options.k = 1;
  auto hits = db->Search(query, options);  // default: today's hit
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, "a");
  EXPECT_EQ((*hits)[0].text, "some text");
  EXPECT_EQ((*hits)[0].metadata, R"({"k":1})");
  EXPECT_TRUE((*hits)[0].vector.empty());

  options.fields = HitFields::IdsOnly();
  hits = db->Search(query, options);
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].id, "a");
  EXPECT_EQ((*hits)[0].score, 0.0f);
  EXPECT_TRUE((*hits)[0].text.empty());
  EXPECT_TRUE((*hits)[0].metadata.empty());

  options.fields = {false, true, false, true};
  hits = db->Search(query, options);
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE((*hits)[0].text.empty());
  EXPECT_EQ((*hits)[0].metadata, R"({"k":1})");
  EXPECT_EQ((*hits)[0].vector, (std::vector<float>{1, 2}));
}

TEST(SearchFieldsTest, BadFilterAndOptionsAreInvalidArgument) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(2, Metric::kL2));
  ASSERT_TRUE(db->Upsert({Record{"a", {1, 2}, "", "", {}}}).ok());
  const std::vector<float> query = {1, 2};
  SearchOptions options;
  options.where = "{\"x\": {\"$nope\": 1}}";
  EXPECT_TRUE(db->Search(query, options).status().IsInvalidArgument());
  options.where = "";
  options.ef_search = -1;
  EXPECT_TRUE(db->Search(query, options).status().IsInvalidArgument());
}

// A filter's matching set is cached per data version: a write between two searches must be
// seen by the second.
TEST(SearchFieldsTest, FilteredSearchSeesWritesBetweenCalls) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(2, Metric::kL2));
  ASSERT_TRUE(db->Upsert({Record{"a", {1, 2}, "", R"({"t":1})", {}}}).ok());
  const std::vector<float> query = {0, 0};
  SearchOptions options;
  options.where = R"({"t": 1})";
  ASSERT_EQ(db->Search(query, options)->size(), 1u);
  ASSERT_TRUE(db->Upsert({Record{"b", {0, 0}, "", R"({"t":1})", {}}}).ok());
  auto hits = db->Search(query, options);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].id, "b");
  ASSERT_TRUE(db->Delete({"b"}).ok());
  EXPECT_EQ(db->Search(query, options)->size(), 1u);
}

// QueryOptions::fields shapes text-query hits the same way; highlights still work when the
// text itself is not returned.
TEST(SearchFieldsTest, QueryHitsCarryTheFieldsAskedFor) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(2, Metric::kL2));
  ASSERT_TRUE(db->Upsert({Record{"a", {1, 2}, "red apples", R"({"k":1})", {}},
                          Record{"b", {2, 1}, "green pears", "", {}}})
                  .ok());
  QueryOptions options;
  options.mode = QueryMode::kBm25;
  options.highlight = true;
  options.fields = HitFields::IdsOnly();
  options.fields.vector = true;
  auto hits = db->Query("apples", options);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].id, "a");
  EXPECT_TRUE((*hits)[0].text.empty());
  EXPECT_TRUE((*hits)[0].metadata.empty());
  EXPECT_EQ((*hits)[0].vector, (std::vector<float>{1, 2}));
  ASSERT_EQ((*hits)[0].highlights.size(), 1u);
  EXPECT_EQ((*hits)[0].highlights[0], (TextSpan{4, 10}));
}

}  // namespace
}  // namespace quiver
