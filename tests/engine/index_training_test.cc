// Shared index training (DB::TrainIndex, IndexTraining, SetIndexTraining): databases that
// share one training and hold a split of a collection find, at the same nprobe, exactly the
// neighbours and scores of one database holding all of it (IVF,Flat and IVF,PQ); the stored
// training survives reopening, a rebuild without checkpoint and Compact; bad bytes and
// needless training give clear errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 16;
constexpr size_t kVectors = 1200;

std::vector<Hit> SearchOrDie(DB& db, const std::vector<float>& query, int nprobe, int k = 10) {
  SearchOptions options;
  options.k = k;
  options.nprobe = nprobe;
  options.fields.text = options.fields.metadata = options.fields.source = false;
  auto hits = db.Search(query, options);
  EXPECT_TRUE(hits.ok()) << hits.status().ToString();
  return hits.ok() ? *hits : std::vector<Hit>();
}

// Best k of the hits of several databases, by L2 distance (lower first), ties to the id.
std::vector<Hit> Merge(std::vector<Hit> hits, size_t k) {
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) {
    return a.score != b.score ? a.score < b.score : a.id < b.id;
  });
  if (hits.size() > k) hits.resize(k);
  return hits;
}

class IndexTrainingTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::unique_ptr<DB> Create(const std::string& name) {
    return test::OpenOrDie(dir_.Sub(name), test::CreateOptions(kDim, Metric::kL2, GetParam()));
  }
  std::vector<float> Row(size_t i) const {
    return std::vector<float>(vectors_.begin() + i * kDim, vectors_.begin() + (i + 1) * kDim);
  }

  test::TempDir dir_;
  const std::vector<float> vectors_ = test::RandomVectors(kVectors, kDim, 3);
  const std::vector<float> sample_ = test::RandomVectors(800, kDim, 4);
  const std::vector<Record> records_ = test::MakeRecords(vectors_, kDim);
};

TEST_P(IndexTrainingTest, ShardsSharingATrainingSearchAsOneDatabase) {
  auto whole = Create("whole");
  ASSERT_TRUE(whole->TrainIndex(sample_).ok());
  ASSERT_TRUE(whole->Upsert(records_).ok());
  auto training = whole->IndexTraining();
  ASSERT_TRUE(training.ok()) << training.status().ToString();

  std::vector<std::unique_ptr<DB>> shards;
  for (int s = 0; s < 2; ++s) {
    shards.push_back(Create("shard" + std::to_string(s)));
    ASSERT_TRUE(shards[s]->SetIndexTraining(*training).ok());
  }
  // Uneven halves; shard 1 gets its records before the training, which re-indexes them.
  std::vector<Record> first(records_.begin(), records_.begin() + 800);
  std::vector<Record> second(records_.begin() + 800, records_.end());
  ASSERT_TRUE(shards[0]->Upsert(first).ok());
  auto late = Create("late");
  ASSERT_TRUE(late->Upsert(second).ok());
  ASSERT_TRUE(late->SetIndexTraining(*training).ok());
  shards[1] = std::move(late);

  for (int nprobe : {1, 3}) {
    for (size_t q = 0; q < 20; ++q) {
      const std::vector<float> query = test::RandomVectors(1, kDim, 100 + q);
      std::vector<Hit> merged;
      for (auto& shard : shards) {
        std::vector<Hit> hits = SearchOrDie(*shard, query, nprobe);
        merged.insert(merged.end(), hits.begin(), hits.end());
      }
      merged = Merge(merged, 10);
      const std::vector<Hit> expected = SearchOrDie(*whole, query, nprobe);
      ASSERT_EQ(test::HitIds(merged), test::HitIds(expected)) << "nprobe " << nprobe;
      for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(merged[i].score, expected[i].score);
    }
  }
}

TEST_P(IndexTrainingTest, TheStoredTrainingSurvivesReopenRebuildAndCompact) {
  std::vector<float> query = test::RandomVectors(1, kDim, 9);
  std::string training;
  std::vector<Hit> before;
  {
    auto db = Create("db");
    ASSERT_TRUE(db->TrainIndex(sample_).ok());
    ASSERT_TRUE(db->Upsert(records_).ok());
    training = *db->IndexTraining();
    before = SearchOrDie(*db, query, 2);
    ASSERT_TRUE(db->Close().ok());
  }
  // Without its checkpoint the index is rebuilt from the stored vectors under the stored
  // training; training again on them would move the centroids and the results.
  std::filesystem::remove(dir_.Sub("db/index/checkpoint.qvi"));
  auto db = test::OpenOrDie(dir_.Sub("db"), Options{});
  EXPECT_EQ(*db->IndexTraining(), training);
  const std::vector<Hit> rebuilt = SearchOrDie(*db, query, 2);
  ASSERT_EQ(test::HitIds(rebuilt), test::HitIds(before));
  for (size_t i = 0; i < before.size(); ++i) EXPECT_EQ(rebuilt[i].score, before[i].score);
  ASSERT_TRUE(db->Delete({"id-3"}).ok());
  ASSERT_TRUE(db->Compact().ok());
  EXPECT_EQ(*db->IndexTraining(), training);
  std::vector<Hit> after = SearchOrDie(*db, query, 2);
  std::erase_if(before, [](const Hit& h) { return h.id == "id-3"; });
  after.resize(before.size());
  EXPECT_EQ(test::HitIds(after), test::HitIds(before));
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_TRUE(stats->index_trained);
  EXPECT_EQ(stats->count, kVectors - 1);
  EXPECT_TRUE(db->Verify().ok());
}

TEST_P(IndexTrainingTest, AnAutomaticTrainingCanBeShared) {
  auto db = Create("db");
  EXPECT_TRUE(db->IndexTraining().status().IsNotFound());
  std::vector<Record> many = test::MakeRecords(test::RandomVectors(10000, kDim, 5), kDim);
  ASSERT_TRUE(db->Upsert(many).ok());
  ASSERT_TRUE(db->GetStats()->index_trained);
  auto training = db->IndexTraining();
  ASSERT_TRUE(training.ok()) << training.status().ToString();
  auto other = Create("other");
  ASSERT_TRUE(other->SetIndexTraining(*training).ok());
  ASSERT_TRUE(other->Upsert(records_).ok());
  EXPECT_TRUE(other->GetStats()->index_trained);
}

TEST_P(IndexTrainingTest, BadBytesAndSmallSamplesAreClearErrors) {
  auto db = Create("db");
  Status s = db->SetIndexTraining("not a training");
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("expected an index training"), std::string::npos) << s.ToString();

  ASSERT_TRUE(db->TrainIndex(sample_).ok());
  std::string training = *db->IndexTraining();
  std::string flipped = training;
  flipped[flipped.size() / 2] ^= 0x20;
  s = db->SetIndexTraining(flipped);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("checksum"), std::string::npos) << s.ToString();

  auto other_spec =
      test::OpenOrDie(dir_.Sub("ivf4"), test::CreateOptions(kDim, Metric::kL2, "IVF4,Flat"));
  s = other_spec->SetIndexTraining(training);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("spec '" + GetParam() + "'"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("spec 'IVF4,Flat'"), std::string::npos) << s.ToString();

  s = db->TrainIndex(std::vector<float>(5 * kDim, 0.5f));
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("needs at least"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("found 5"), std::string::npos) << s.ToString();
  EXPECT_TRUE(db->TrainIndex(std::vector<float>(kDim + 1, 0.5f)).IsInvalidArgument());
}

INSTANTIATE_TEST_SUITE_P(Specs, IndexTrainingTest, ::testing::Values("IVF8,Flat", "IVF8,PQ4"),
                         [](const auto& info) { return test::SpecTestName(info.param); });

TEST(IndexTrainingFlatTest, IndexesWithoutTrainingRefuseOne) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim, Metric::kL2, "Flat"));
  Status s = db->TrainIndex(test::RandomVectors(100, kDim, 1));
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("needs no training"), std::string::npos) << s.ToString();
  EXPECT_TRUE(db->IndexTraining().status().IsInvalidArgument());
}

}  // namespace
}  // namespace quiver
