// Damaged files, modelled on LevelDB's corruption tests: a bad index checkpoint is never a
// failure to open (the index is rebuilt from the store, announced on stderr), and damage to
// the store itself is reported as Corruption, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "quiver/db.h"
#include "storage/store.h"
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

// Issue 14, defect 7: a store without CURRENT was "not a quiver database" (bad input), one
// without its MANIFEST an I/O error; both are damage.
TEST(StoreCorruptionTest, MissingCurrentOrManifestIsCorruption) {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = test::OpenOrDie(path, test::CreateOptions(kDim, Metric::kL2, "Flat"));
    ASSERT_TRUE(db->Upsert(test::MakeRecords(test::RandomVectors(10, kDim, 4), kDim)).ok());
  }
  const std::string copy = dir.Sub("copy");
  fs::copy(path, copy, fs::copy_options::recursive);
  // Both a read-write and a read-only open report Corruption, with `words` in the message.
  auto expect_corruption = [](const std::string& db_path, const std::string& words) {
    for (bool read_only : {false, true}) {
      Options options;
      options.read_only = read_only;
      auto db = DB::Open(options, db_path);
      ASSERT_FALSE(db.ok());
      EXPECT_TRUE(db.status().IsCorruption()) << db.status().ToString();
      EXPECT_NE(db.status().message().find(words), std::string::npos) << db.status().ToString();
    }
  };
  fs::remove(path + "/store/CURRENT");
  expect_corruption(path, "no CURRENT");
  for (const auto& entry : fs::directory_iterator(copy + "/store")) {
    if (entry.path().filename().string().starts_with("MANIFEST-")) fs::remove(entry.path());
  }
  expect_corruption(copy, "MANIFEST");
}

// Issue 14, defect 5: NaN vectors stored (through a model with NaN weights) were "ok" to
// verify; now every stored vector is checked and the bad ones are named.
TEST(StoreCorruptionTest, VerifyReportsNonFiniteVectors) {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = test::OpenOrDie(path, test::CreateOptions(kDim, Metric::kL2, "Flat"));
    ASSERT_TRUE(db->Upsert(test::MakeRecords(test::RandomVectors(10, kDim, 4), kDim)).ok());
  }
  {
    auto store = storage::Store::Open(path + "/store", storage::Store::Mode::kReadWrite, false);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    storage::WriteBatch batch;
    for (const char* id : {"id-3", "id-7"}) {
      auto internal = (*store)->FindInternalId(id);
      ASSERT_TRUE(internal.ok() && internal->has_value());
      std::vector<float> bad(kDim, 0.5f);
      bad[2] = id[3] == '3' ? std::numeric_limits<float>::quiet_NaN()
                            : std::numeric_limits<float>::infinity();
      batch.PutVector(**internal, bad);
    }
    ASSERT_TRUE((*store)->Write(batch).ok());
  }
  testing::internal::CaptureStderr();
  auto db = DB::Open(Options(), path);
  testing::internal::GetCapturedStderr();
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Status s = (*db)->Verify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find("2 stored vectors are not finite"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'id-3'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'id-7'"), std::string::npos) << s.message();
}

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
