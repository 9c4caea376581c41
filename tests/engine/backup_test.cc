// DB::Backup: the copy opens, verifies and answers like the source at the sequence it was
// taken, also while a writer keeps writing, and a SIGKILL during a backup leaves no half
// copy under the destination's name.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;

constexpr int kDim = 8;
constexpr int kBatch = 50;
constexpr const char* kChildDbVar = "QUIVER_BACKUP_CHILD_DB";

std::string BatchPrefix(int b) { return "w" + std::to_string(b) + "-"; }

std::vector<Record> Batch(int b) {
  return test::MakeRecords(test::RandomVectors(kBatch, kDim, 1000 + b), kDim, BatchPrefix(b));
}

// The copy at `path` opens, verifies and holds whole batches 0..m-1 and nothing after;
// returns m.
int ExpectWholeBatches(const std::string& path, int batches) {
  auto db = test::OpenOrDie(path, Options{});
  Status verified = db->Verify();
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  int whole = 0;
  for (int b = 0; b < batches; ++b) {
    const size_t n = test::CountPresent(*db, BatchPrefix(b), kBatch);
    EXPECT_TRUE(n == 0 || n == kBatch) << "batch " << b << " is half there";
    if (n == kBatch) {
      EXPECT_EQ(whole, b) << "batch " << b << " is there but an earlier one is not";
      ++whole;
    }
  }
  EXPECT_EQ(db->GetStats()->count, static_cast<uint64_t>(whole) * kBatch);
  return whole;
}

// Each record's own vector finds it first.
void ExpectSelfHits(DB& db, int batches) {
  for (int b = 0; b < batches; b += 3) {
    const std::vector<Record> records = Batch(b);
    auto hits = db.Search(records[7].vector, SearchOptions{});
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_FALSE(hits->empty());
    EXPECT_EQ((*hits)[0].id, records[7].id);
  }
}

TEST(BackupTest, CopyOpensVerifiesAndAnswersLikeTheSource) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim));
  for (int b = 0; b < 6; ++b) ASSERT_TRUE(db->Upsert(Batch(b)).ok());
  auto summary = db->Backup(dir.Sub("copy"));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->records, 6u * kBatch);
  EXPECT_FALSE(fs::exists(dir.Sub("copy.partial")));
  // The source goes on independently of its copy.
  ASSERT_TRUE(db->Upsert(Batch(6)).ok());
  EXPECT_EQ(ExpectWholeBatches(dir.Sub("copy"), 7), 6);
  auto copy = test::OpenOrDie(dir.Sub("copy"), Options{});
  EXPECT_EQ(copy->GetStats()->last_sequence, summary->sequence);
  ExpectSelfHits(*copy, 6);
  const std::vector<float> query = test::RandomVectors(1, kDim, 5);
  auto from_source = db->Search(query, SearchOptions{});
  auto from_copy = copy->Search(query, SearchOptions{});
  ASSERT_TRUE(from_source.ok() && from_copy.ok());
  // Batch 6 came after the copy; among the rest both rank alike.
  std::vector<std::string> source_ids, copy_ids;
  for (const Hit& hit : *from_source) {
    if (!hit.id.starts_with(BatchPrefix(6))) source_ids.push_back(hit.id);
  }
  for (const Hit& hit : *from_copy) copy_ids.push_back(hit.id);
  copy_ids.resize(source_ids.size());
  EXPECT_EQ(copy_ids, source_ids);
}

TEST(BackupTest, RefusesAnExistingDestination) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim));
  ASSERT_TRUE(db->Upsert(Batch(0)).ok());
  fs::create_directories(dir.Sub("taken"));
  auto summary = db->Backup(dir.Sub("taken"));
  EXPECT_TRUE(summary.status().IsInvalidArgument()) << summary.status().ToString();
  EXPECT_TRUE(fs::is_empty(dir.Sub("taken")));
}

TEST(BackupTest, ConsistentWhileAWriterKeepsWriting) {
  constexpr int kBatches = 60;
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim));
  std::atomic<int> written{0};
  std::atomic<bool> stopped{false};
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      Status s = db->Upsert(Batch(b));
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok()) break;
      written = b + 1;
    }
    stopped = true;
  });
  std::vector<BackupSummary> summaries;
  for (int i = 0; i < 3; ++i) {
    while (written < 10 * (i + 1) && !stopped) std::this_thread::yield();
    auto summary = db->Backup(dir.Sub("copy" + std::to_string(i)));
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    summaries.push_back(*summary);
  }
  writer.join();
  for (int i = 0; i < 3; ++i) {
    const int whole = ExpectWholeBatches(dir.Sub("copy" + std::to_string(i)), kBatches);
    EXPECT_GE(whole, 10 * (i + 1));
    EXPECT_EQ(static_cast<uint64_t>(whole) * kBatch, summaries[i].records);
    auto copy = test::OpenOrDie(dir.Sub("copy" + std::to_string(i)), Options{});
    EXPECT_EQ(copy->GetStats()->last_sequence, summaries[i].sequence);
    ExpectSelfHits(*copy, whole);
  }
}

// The child half of the SIGKILL test: backs its database up again and again, printing
// "backup N" after each copy N is whole.
TEST(BackupChild, BackUpUntilKilled) {
  const char* path = std::getenv(kChildDbVar);
  if (path == nullptr) GTEST_SKIP() << "runs only as the child of the backup kill test";
  auto db = test::OpenOrDie(path, Options{});
  auto copy = [&](int i) { return std::string(path) + "-copy" + std::to_string(i); };
  int first = 0;
  while (fs::exists(copy(first))) ++first;  // copies of earlier children stay
  for (int i = first;; ++i) {
    ASSERT_TRUE(db->Upsert(Batch(100 + i)).ok());
    auto summary = db->Backup(copy(i));
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    std::printf("backup %d\n", i);
    std::fflush(stdout);
  }
}

TEST(BackupTest, SigkillDuringABackupLeavesNoHalfCopy) {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = test::OpenOrDie(path, test::CreateOptions(kDim));
    for (int b = 0; b < 40; ++b) ASSERT_TRUE(db->Upsert(Batch(b)).ok());
  }
  for (int round = 0; round < 3; ++round) {
    test::TestChild child("BackupChild.BackUpUntilKilled", {std::string(kChildDbVar) + "=" + path});
    std::string line;
    for (int backups = 0; backups < 2 + round && child.ReadLine(&line);) {
      backups += line.starts_with("backup ");  // gtest prints its own lines first
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(3 * round));
    child.Kill();
  }
  int copies = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    const std::string name = entry.path().string();
    if (name.find("-copy") == std::string::npos || name.ends_with(".partial")) continue;
    ++copies;
    auto copy = test::OpenOrDie(name, Options{});
    Status verified = copy->Verify();
    EXPECT_TRUE(verified.ok()) << name << ": " << verified.ToString();
    EXPECT_GE(copy->GetStats()->count, 40u * kBatch);
  }
  EXPECT_GT(copies, 0);
  // The source opens, verifies, and backs up again over what an interrupted one left.
  auto db = test::OpenOrDie(path, Options{});
  EXPECT_TRUE(db->Verify().ok());
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    const std::string name = entry.path().string();
    if (!name.ends_with(".partial")) continue;
    const std::string dest = name.substr(0, name.size() - std::string(".partial").size());
    auto summary = db->Backup(dest);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    EXPECT_FALSE(fs::exists(name));
  }
}

}  // namespace
}  // namespace quiver
