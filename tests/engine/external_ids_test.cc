// Ids-only hits are named from the in-memory table of external ids (engine/external_ids.h):
// they must name exactly what a search reading the records names, through deletes,
// re-upserts of the same id, reopen, and searches racing the table's first build.
#include <gtest/gtest.h>

#include <thread>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 8;
constexpr size_t kRecords = 2000;

// (id, score) of every hit, for comparing two searches.
std::vector<std::pair<std::string, float>> Named(const std::vector<Hit>& hits) {
  std::vector<std::pair<std::string, float>> named;
  for (const Hit& h : hits) named.emplace_back(h.id, h.score);
  return named;
}

class ExternalIdsTest : public ::testing::Test {
 protected:
  void Open() {
    db_.reset();
    db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim, Metric::kL2, "Flat"));
  }

  // Every query's ids-only hits equal its hits with the record fields read from the store.
  void ExpectIdsOnlyMatchesFullHits(int k = 20) {
    for (size_t q = 0; q < queries_.size() / kDim; ++q) {
      const std::span<const float> query(queries_.data() + q * kDim, kDim);
      SearchOptions ids_only{.k = k};
      ids_only.fields = HitFields::IdsOnly();
      auto bare = db_->Search(query, ids_only);
      auto full = db_->Search(query, {.k = k});
      ASSERT_TRUE(bare.ok() && full.ok());
      ASSERT_EQ(bare->size(), static_cast<size_t>(k));
      EXPECT_EQ(Named(*bare), Named(*full)) << "query " << q;
    }
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
  std::vector<float> queries_ = test::RandomVectors(16, kDim, 9);
};

TEST_F(ExternalIdsTest, NamesFollowDeletesAndReupserts) {
  Open();
  ASSERT_TRUE(
      db_->Upsert(test::MakeRecords(test::RandomVectors(kRecords, kDim, 1), kDim, "r")).ok());
  ExpectIdsOnlyMatchesFullHits();  // builds the table
  // Deleting half and writing the same ids again gives them new internal ids and vectors.
  std::vector<std::string> gone;
  for (size_t i = 0; i < kRecords; i += 2) gone.push_back("r" + std::to_string(i));
  ASSERT_TRUE(db_->Delete(gone).ok());
  ExpectIdsOnlyMatchesFullHits();
  auto again = test::MakeRecords(test::RandomVectors(kRecords / 2, kDim, 2), kDim, "r");
  for (size_t i = 0; i < again.size(); ++i) again[i].id = "r" + std::to_string(4 * i);
  ASSERT_TRUE(db_->Upsert(again).ok());
  ExpectIdsOnlyMatchesFullHits();
}

TEST_F(ExternalIdsTest, NamesAfterReopenAndLaterWrites) {
  Open();
  ASSERT_TRUE(
      db_->Upsert(test::MakeRecords(test::RandomVectors(kRecords, kDim, 1), kDim, "a")).ok());
  Open();
  ExpectIdsOnlyMatchesFullHits();
  ASSERT_TRUE(
      db_->Upsert(test::MakeRecords(test::RandomVectors(kRecords, kDim, 3), kDim, "b")).ok());
  ExpectIdsOnlyMatchesFullHits();
}

TEST_F(ExternalIdsTest, SearchesRacingTheFirstBuildAgree) {
  Open();
  ASSERT_TRUE(
      db_->Upsert(test::MakeRecords(test::RandomVectors(kRecords, kDim, 1), kDim, "r")).ok());
  Open();  // the table is built again, by whichever search comes first
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (size_t q = 0; q < queries_.size() / kDim; ++q) {
        const std::span<const float> query(queries_.data() + q * kDim, kDim);
        SearchOptions ids_only{.k = 10};
        ids_only.fields = HitFields::IdsOnly();
        auto bare = db_->Search(query, ids_only);
        auto full = db_->Search(query, {.k = 10});
        if (!bare.ok() || !full.ok() || Named(*bare) != Named(*full)) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace quiver
