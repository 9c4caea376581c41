// DB::SearchBatch and DB::QueryBatch give exactly what one-by-one calls give.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using ::testing::HasSubstr;

constexpr int kDim = 8;

void ExpectSameHits(const std::vector<Hit>& batch, const std::vector<Hit>& single, size_t q) {
  ASSERT_EQ(batch.size(), single.size()) << "query " << q;
  for (size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(batch[i].id, single[i].id) << "query " << q << " hit " << i;
    EXPECT_EQ(batch[i].score, single[i].score) << "query " << q << " hit " << i;
    EXPECT_EQ(batch[i].text, single[i].text);
    EXPECT_EQ(batch[i].metadata, single[i].metadata);
  }
}

class SearchBatchTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SearchBatchTest, EqualsOneByOne) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim, Metric::kL2, GetParam()));
  std::mt19937 rng(7);
  std::normal_distribution<float> gauss;
  std::vector<Record> records;
  for (int i = 0; i < 2000; ++i) {
    Record r{"r" + std::to_string(i),
             std::vector<float>(kDim),
             "t" + std::to_string(i),
             R"({"i": )" + std::to_string(i) + "}",
             {}};
    for (float& x : r.vector) x = gauss(rng);
    records.push_back(std::move(r));
  }
  ASSERT_TRUE(db->Upsert(records).ok());
  const size_t n = 64;
  std::vector<float> queries(n * kDim);
  for (float& x : queries) x = gauss(rng);
  SearchOptions options;
  options.k = 7;
  auto batch = db->SearchBatch(queries, options);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->size(), n);
  for (size_t q = 0; q < n; ++q) {
    auto single = db->Search(std::span<const float>(queries).subspan(q * kDim, kDim), options);
    ASSERT_TRUE(single.ok());
    ExpectSameHits((*batch)[q], *single, q);
  }
  auto empty = db->SearchBatch({}, options);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

INSTANTIATE_TEST_SUITE_P(Indexes, SearchBatchTest, ::testing::Values("Flat", "HNSW16"));

TEST(SearchBatchErrorTest, WholeVectorsAndFailingQueryNamed) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(2, Metric::kCosine));
  ASSERT_TRUE(db->Upsert({{"a", {1, 0}, "", "", {}}}).ok());
  std::vector<float> three = {1, 0, 1};
  auto bad = db->SearchBatch(three, {});
  ASSERT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_THAT(bad.status().message(), HasSubstr("multiple of the dimension 2"));
  std::vector<float> zero_second = {1, 0, 0, 0};  // a zero vector has no cosine
  auto failing = db->SearchBatch(zero_second, {});
  ASSERT_TRUE(failing.status().IsInvalidArgument());
  EXPECT_THAT(failing.status().message(), HasSubstr("query 1: "));
}

TEST(QueryBatchTest, EqualsOneByOne) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(4));
  test::WriteFile(dir.Sub("v.txt"), "cat 1 0 0 0\ndog 0 1 0 0\ncar 0 0 1 0\ntruck 0 0 0 1\n");
  ASSERT_TRUE(db->ImportWordVectors(dir.Sub("v.txt")).ok());
  std::vector<Record> records;
  const char* words[] = {"cat", "dog", "car", "truck"};
  for (int i = 0; i < 200; ++i) {
    records.push_back(
        {"r" + std::to_string(i),
         {float(i % 4 == 0), float(i % 4 == 1), float(i % 4 == 2), float(i % 4 == 3) + 0.01f},
         std::string(words[i % 4]) + " " + words[(i / 4) % 4],
         R"({"i": )" + std::to_string(i) + "}",
         {}});
  }
  ASSERT_TRUE(db->Upsert(records).ok());
  ASSERT_TRUE(db->Reembed().ok());  // the vectors of the model, so dense queries may run
  const std::vector<std::string> texts = {"cat", "dog truck", "car", "nothing known", "truck cat"};
  for (QueryMode mode : {QueryMode::kDense, QueryMode::kBm25, QueryMode::kHybrid}) {
    QueryOptions options;
    options.mode = mode;
    options.k = 5;
    options.where = R"({"i": {"$lt": 150}})";
    auto batch = db->QueryBatch(texts, options);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    ASSERT_EQ(batch->size(), texts.size());
    for (size_t q = 0; q < texts.size(); ++q) {
      auto single = db->Query(texts[q], options);
      ASSERT_TRUE(single.ok());
      ExpectSameHits((*batch)[q], *single, q);
    }
  }
  QueryOptions bad;
  bad.where = R"({"j": 1})";
  auto failing = db->QueryBatch(texts, bad);
  ASSERT_TRUE(failing.status().IsInvalidArgument());
  EXPECT_THAT(failing.status().message(), HasSubstr("query 0: filter: no record has field"));
}

}  // namespace
}  // namespace quiver
