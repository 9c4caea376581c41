// Damaged files, modelled on LevelDB's corruption tests: a bad index checkpoint is never a
// failure to open (the index is rebuilt from the store, announced on stderr), and damage to
// the store itself is reported as Corruption, never a crash.
#include <gtest/gtest.h>

#include <filesystem>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;
constexpr int kDim = 16;
constexpr size_t kCount = 2000;

class CorruptionTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    vectors_ = test::RandomVectors(kCount, kDim, 3);
    auto db = test::OpenOrDie(Path(), test::CreateOptions(kDim, Metric::kL2, GetParam()));
    ASSERT_TRUE(db->Upsert(test::MakeRecords(vectors_, kDim)).ok());
    ASSERT_TRUE(db->Delete({"id-1", "id-2"}).ok());
    expected_ = TopIds(*db);
  }

  std::string Path() const { return dir_.Sub("db"); }
  std::string Checkpoint() const { return Path() + "/index/checkpoint.qvi"; }

  std::vector<std::string> TopIds(DB& db) {
    std::vector<float> query(vectors_.begin(), vectors_.begin() + kDim);
    // Every IVF list is probed, so retraining during a rebuild cannot change the answer.
    auto hits = db.Search(query, {.k = 5, .ef_search = 500, .nprobe = 8});
    EXPECT_TRUE(hits.ok());
    std::vector<std::string> ids;
    for (const auto& hit : *hits) ids.push_back(hit.id);
    return ids;
  }

  // Opens the database, expecting a rebuild notice (or none) and a healthy result.
  void ExpectOpensHealthy(bool expect_rebuild) {
    testing::internal::CaptureStderr();
    auto db = DB::Open(Options(), Path());
    const std::string err = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ(err.find("rebuilding the index") != std::string::npos, expect_rebuild) << err;
    EXPECT_EQ((*db)->GetStats()->count, kCount - 2);
    EXPECT_EQ(TopIds(**db), expected_);
    Status verified = (*db)->Verify();
    EXPECT_TRUE(verified.ok()) << verified.ToString();
  }

  test::TempDir dir_;
  std::vector<float> vectors_;
  std::vector<std::string> expected_;
};

TEST_P(CorruptionTest, FlippedCheckpointBytesRebuild) {
  std::string bytes = test::ReadFile(Checkpoint());
  bytes[bytes.size() / 2] ^= 0x40;
  test::WriteFile(Checkpoint(), bytes);
  ExpectOpensHealthy(/*expect_rebuild=*/true);
  ExpectOpensHealthy(/*expect_rebuild=*/false);  // the rebuild wrote a good checkpoint
}

TEST_P(CorruptionTest, TruncatedCheckpointRebuilds) {
  std::string bytes = test::ReadFile(Checkpoint());
  test::WriteFile(Checkpoint(), bytes.substr(0, bytes.size() / 3));
  ExpectOpensHealthy(true);
}

TEST_P(CorruptionTest, GarbageCheckpointRebuilds) {
  test::WriteFile(Checkpoint(), std::string(1000, 'z'));
  ExpectOpensHealthy(true);
}

TEST_P(CorruptionTest, MissingCheckpointRebuilds) {
  fs::remove(Checkpoint());
  ExpectOpensHealthy(true);
}

TEST_P(CorruptionTest, StaleCheckpointRebuilds) {
  const std::string old_checkpoint = test::ReadFile(Checkpoint());
  {
    auto db = test::OpenOrDie(Path(), Options());
    ASSERT_TRUE(db->Delete({"id-3"}).ok());
    ASSERT_TRUE(
        db->Upsert({{"id-3",
                     std::vector<float>(vectors_.begin() + 3 * kDim, vectors_.begin() + 4 * kDim),
                     "text 3", ""}})
            .ok());
  }
  test::WriteFile(Checkpoint(), old_checkpoint);  // older than the trimmed operation log
  ExpectOpensHealthy(true);
}

TEST_P(CorruptionTest, VerifyReportsDamagedCheckpoint) {
  auto db = test::OpenOrDie(Path(), Options());
  std::string bytes = test::ReadFile(Checkpoint());
  bytes[bytes.size() - 5] ^= 0x01;
  test::WriteFile(Checkpoint(), bytes);
  Status s = db->Verify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(Specs, CorruptionTest, ::testing::Values("Flat", "HNSW16", "IVF8,Flat"),
                         [](const auto& info) { return test::SpecTestName(info.param); });

TEST(StoreCorruptionTest, DamagedTableFileIsReportedNotCrashed) {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = test::OpenOrDie(path, test::CreateOptions(kDim, Metric::kL2, "Flat"));
    ASSERT_TRUE(db->Upsert(test::MakeRecords(test::RandomVectors(kCount, kDim, 4), kDim)).ok());
    ASSERT_TRUE(db->Compact().ok());  // moves everything into table files
  }
  // Damage the largest table file in its data blocks.
  fs::path largest;
  for (const auto& entry : fs::directory_iterator(path + "/store")) {
    if (entry.path().extension() == ".sst" &&
        (largest.empty() || entry.file_size() > fs::file_size(largest))) {
      largest = entry.path();
    }
  }
  ASSERT_FALSE(largest.empty());
  std::string bytes = test::ReadFile(largest.string());
  for (size_t at = 100; at < bytes.size() / 2; at += 997) bytes[at] ^= 0x55;
  test::WriteFile(largest.string(), bytes);

  auto db = DB::Open(Options(), path);
  if (!db.ok()) {
    EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
    return;
  }
  Status s = (*db)->Verify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

}  // namespace
}  // namespace quiver
