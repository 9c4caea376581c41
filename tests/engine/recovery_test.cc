// Crash recovery, modelled on LevelDB's recovery and fault-injection tests: a writer process
// is killed with SIGKILL in the middle of a long run of batches; the reopened database holds
// every acknowledged batch, no partial batch, and an index that agrees with the store. Each
// batch is a tagged write (WriteTag sequence = batch + 1), so the stored sequence names the
// last batch that committed, and replaying it is not applied again.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 32;
constexpr int kBatchSize = 200;
constexpr int kDeletedPerBatch = 10;
constexpr int kMaxBatches = 1000;
constexpr const char* kChildDbVar = "QUIVER_CRASH_CHILD_DB";
constexpr const char* kChildSpecVar = "QUIVER_CRASH_CHILD_SPEC";

std::string BatchPrefix(int batch) { return "b" + std::to_string(batch) + "-"; }

// The writer half, run in a child process by the tests below (skipped when run directly).
// After each acknowledged write it prints "put B" or "del B" and flushes.
TEST(CrashChild, WriteUntilKilled) {
  const char* path = std::getenv(kChildDbVar);
  if (path == nullptr) GTEST_SKIP() << "runs only as the child of a recovery test";
  Options options = test::CreateOptions(kDim, Metric::kCosine, std::getenv(kChildSpecVar));
  options.checkpoint_interval = 2500;  // checkpoints (and oplog trims) happen mid-run
  auto db = test::OpenOrDie(path, options);
  for (int b = 0; b < kMaxBatches; ++b) {
    auto records =
        test::MakeRecords(test::RandomVectors(kBatchSize, kDim, b), kDim, BatchPrefix(b));
    const WriteTag tag{"crash-writer", static_cast<uint64_t>(b) + 1};
    ASSERT_TRUE(db->Upsert(records, nullptr, &tag).ok());
    std::printf("put %d\n", b);
    std::fflush(stdout);
    if (b % 3 == 2) {
      std::vector<std::string> doomed;
      for (int i = 0; i < kDeletedPerBatch; ++i)
        doomed.push_back(BatchPrefix(b - 1) + std::to_string(i));
      ASSERT_TRUE(db->Delete(doomed).ok());
      std::printf("del %d\n", b - 1);
      std::fflush(stdout);
    }
  }
}

struct Acks {
  std::set<int> put;
  std::set<int> del;
};

// Runs the writer child on `path` and kills it once `kill_after` puts are acknowledged.
Acks RunChildAndKill(const std::string& path, const std::string& spec, int kill_after) {
  test::TestChild child("CrashChild.WriteUntilKilled", {std::string(kChildDbVar) + "=" + path,
                                                        std::string(kChildSpecVar) + "=" + spec});
  Acks acks;
  std::string line;
  while (acks.put.size() < static_cast<size_t>(kill_after) && child.ReadLine(&line)) {
    int batch;
    if (std::sscanf(line.c_str(), "put %d", &batch) == 1) acks.put.insert(batch);
    if (std::sscanf(line.c_str(), "del %d", &batch) == 1) acks.del.insert(batch);
  }
  EXPECT_TRUE(child.Kill()) << "the writer finished before it could be killed";
  return acks;
}

// Checks one batch: acknowledged writes are present; unacknowledged ones are all-or-nothing.
void CheckBatch(DB& db, int batch, const Acks& acks) {
  const std::string prefix = BatchPrefix(batch);
  size_t head = 0, tail = 0;  // the deletable first records, and the rest
  for (int i = 0; i < kBatchSize; ++i) {
    bool present = db.Get(prefix + std::to_string(i)).ok();
    (i < kDeletedPerBatch ? head : tail) += present;
  }
  const size_t tail_size = kBatchSize - kDeletedPerBatch;
  if (acks.put.contains(batch)) {
    EXPECT_EQ(tail, tail_size) << "acknowledged batch " << batch << " lost records";
  } else {
    EXPECT_TRUE(tail == 0 || tail == tail_size) << "batch " << batch << " is partial: " << tail;
  }
  if (acks.del.contains(batch)) {
    EXPECT_EQ(head, 0u) << "acknowledged delete of batch " << batch << " was undone";
  } else if (tail == 0) {
    EXPECT_EQ(head, 0u) << "batch " << batch << " is partial";
  } else {
    EXPECT_TRUE(head == 0 || head == kDeletedPerBatch)
        << "delete of batch " << batch << " is partial: " << head;
  }
}

class RecoveryTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RecoveryTest, SigkillMidAddLosesNothingAcknowledged) {
  for (int kill_after : {9, 40}) {
    test::TempDir dir;
    const std::string path = dir.Sub("db");
    Acks acks = RunChildAndKill(path, GetParam(), kill_after);
    ASSERT_GE(acks.put.size(), static_cast<size_t>(kill_after));
    auto db = test::OpenOrDie(path, Options());
    ASSERT_NE(db, nullptr);
    for (int b = 0; b <= *acks.put.rbegin() + 1; ++b) CheckBatch(*db, b, acks);
    // The write sequence committed with the last batch: that batch is whole, the next absent.
    auto sequence = db->LastWriteSequence("crash-writer");
    ASSERT_TRUE(sequence.ok());
    const int last = static_cast<int>(*sequence) - 1;
    EXPECT_GE(last, *acks.put.rbegin());
    EXPECT_TRUE(db->Get(BatchPrefix(last) + std::to_string(kBatchSize - 1)).ok());
    EXPECT_FALSE(db->Get(BatchPrefix(last + 1) + std::to_string(kBatchSize - 1)).ok());
    const WriteTag replay{"crash-writer", *sequence};
    WriteOutcome outcome;
    ASSERT_TRUE(db->Upsert(test::MakeRecords(test::RandomVectors(1, kDim, 0), kDim, "replayed-"),
                           &outcome, &replay)
                    .ok());
    EXPECT_TRUE(outcome.already_applied);
    Status verified = db->Verify();
    EXPECT_TRUE(verified.ok()) << verified.ToString();
    auto stats = db->GetStats();
    ASSERT_TRUE(stats.ok());
    // Searching works and finds an acknowledged record by its own vector.
    auto vectors = test::RandomVectors(kBatchSize, kDim, 0);
    std::vector<float> query(vectors.begin() + 50 * kDim, vectors.begin() + 51 * kDim);
    auto hits = db->Search(query, {.k = 1, .ef_search = 200, .nprobe = 64});
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].id, "b0-50");
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, RecoveryTest, ::testing::Values("Flat", "HNSW16", "IVF8,Flat"),
                         [](const auto& info) { return test::SpecTestName(info.param); });

TEST(ReopenTest, ReopenLoadsTheCheckpointInsteadOfRebuilding) {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = test::OpenOrDie(path, test::CreateOptions(kDim, Metric::kCosine, "HNSW32"));
    ASSERT_TRUE(db->Upsert(test::MakeRecords(test::RandomVectors(3000, kDim, 1), kDim)).ok());
    ASSERT_TRUE(db->Delete({"id-5", "id-6"}).ok());
  }
  testing::internal::CaptureStderr();
  auto db = test::OpenOrDie(path, Options());
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("rebuilding"), std::string::npos) << err;
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->checkpoint_sequence, stats->last_sequence);
  EXPECT_EQ(stats->count, 2998u);
  EXPECT_EQ(stats->deleted, 2u);
  EXPECT_TRUE(db->Verify().ok());
}

TEST(ReopenTest, OperationsAfterTheCheckpointAreReplayed) {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  const std::string child_spec = "HNSW16";
  // A killed writer leaves operations after its last checkpoint; reopening twice in a row
  // must give the same answers (the first reopen checkpoints the replayed state).
  Acks acks = RunChildAndKill(path, child_spec, 20);
  size_t first_count;
  {
    auto db = test::OpenOrDie(path, Options());
    first_count = db->GetStats()->count;
    EXPECT_TRUE(db->Verify().ok());
  }
  testing::internal::CaptureStderr();
  auto db = test::OpenOrDie(path, Options());
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("rebuilding"), std::string::npos) << err;
  EXPECT_EQ(db->GetStats()->count, first_count);
  EXPECT_TRUE(db->Verify().ok());
}

// Issue 14, defect 6: with index/ removed, every read-write open rebuilt the index and then
// failed with "cannot create .../index/checkpoint.qvi.tmp".
TEST(ReopenTest, RemovedIndexDirectoryIsRecreated) {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  const std::vector<float> vectors = test::RandomVectors(50, 8, 9);
  {
    auto db = test::OpenOrDie(path, test::CreateOptions(8));
    ASSERT_TRUE(db->Upsert(test::MakeRecords(vectors, 8)).ok());
  }
  std::filesystem::remove_all(path + "/index");
  testing::internal::CaptureStderr();
  auto db = DB::Open(Options(), path);
  testing::internal::GetCapturedStderr();
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE(std::filesystem::is_directory(path + "/index"));
  EXPECT_EQ(test::CountPresent(**db, "id-", 50), 50u);
  Status closed = (*db)->Close();
  EXPECT_TRUE(closed.ok()) << closed.ToString();
  EXPECT_TRUE(std::filesystem::exists(path + "/index/checkpoint.qvi"));
}

}  // namespace
}  // namespace quiver
