// Fault injection, as LevelDB's fault_injection_test and RocksDB's FaultInjectionTestFS test
// it: each write operation (add, ingest, delete, reembed, compact, checkpointing) runs again
// and again with a file operation failing at a later point each time (ENOSPC, and failing on
// from there like a full disk, through the close that follows). After each failure the
// database is reopened with the fault cleared and must hold every acknowledged write, show
// no write half, verify clean, and the error must have been one IOError saying what failed.
//
// The injector (util/fault_injection.h) sits under RocksDB (storage/fault_file_system.h) and
// under the checkpoint writer, so one counter walks through WAL, memtable flush, SST,
// MANIFEST, checkpoint and rename steps alike.
#include "util/fault_injection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/open_hooks.h"
#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;
using util::FaultInjector;

constexpr int kDim = 4;
constexpr int kBaseRecords = 40;  // ingested from one JSON Lines file: ids "r<i>#0"
constexpr char kOldVectors[] = "cat 1 0 0 0\ndog 0 1 0 0\ncar 0 0 1 0\ntruck 0 0 0 1\n";
constexpr char kNewVectors[] = "cat 0 0 0 1\ndog 0 0 1 1\ncar 1 0 0 0\ntruck 1 1 0 0\n";
constexpr const char* kWords[] = {"cat", "dog", "car", "truck"};
// At most this many failure points per sweep: the first few operations one by one, the
// rest spread evenly over the operation.
constexpr uint64_t kFirstPoints = 6;
constexpr uint64_t kSpreadPoints = 8;

std::string BaseId(int i) { return "r" + std::to_string(i) + "#0"; }

// What an operation under test got acknowledged, for its check afterwards.
struct Acks {
  int batches_acked = 0;  // batches that returned OK or were reported stored
  int batches_tried = 0;  // batches attempted (the last may have failed)
};

struct Sweep {
  // Run on the freshly copied database before the fault is armed.
  std::function<void(DB&)> prepare = [](DB&) {};
  std::function<Status(DB&, Acks*)> operation;
  // Checks the reopened database (fault cleared) against what was acknowledged.
  std::function<void(DB&, const Acks&, const Status&)> check;
  unsigned ops = util::kAnyFileOp;
  std::string path_contains;  // "" = every file
  int error = ENOSPC;         // what the failing operations report
  Options options;
};

// The batch of Upsert number b: ids "new-<b>-<i>".
std::vector<Record> NewBatch(int b, int size) {
  return test::MakeRecords(test::RandomVectors(size, kDim, 100 + b), kDim,
                           "new-" + std::to_string(b) + "-");
}

size_t PresentInBatch(DB& db, int b, int size) {
  return test::CountPresent(db, "new-" + std::to_string(b) + "-", size);
}

// Acknowledged batches all present; the one that failed whole or absent; later ones absent.
void ExpectBatches(DB& db, const Acks& acks, int batches, int size,
                   const std::function<size_t(DB&, int, int)>& present) {
  for (int b = 0; b < batches; ++b) {
    const size_t n = present(db, b, size);
    if (b < acks.batches_acked) {
      EXPECT_EQ(n, static_cast<size_t>(size)) << "acknowledged batch " << b;
    } else if (b < acks.batches_tried) {
      EXPECT_TRUE(n == 0 || n == static_cast<size_t>(size)) << "batch " << b << " is half there";
    } else {
      EXPECT_EQ(n, 0u) << "batch " << b << " was never written";
    }
  }
}

// Every base record's vector is its word's row of the old model, or every one the new's.
void ExpectAllVectorsFrom(DB& db, bool new_model) {
  const float h = 1 / std::sqrt(2.0f);
  const std::vector<std::vector<float>> rows[2] = {
      {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}},
      {{0, 0, 0, 1}, {0, 0, h, h}, {1, 0, 0, 0}, {h, h, 0, 0}}};
  for (int i = 0; i < kBaseRecords; ++i) {
    auto record = db.Get(BaseId(i));
    ASSERT_TRUE(record.ok()) << record.status().ToString();
    for (int d = 0; d < kDim; ++d) {
      ASSERT_NEAR(record->vector[d], rows[new_model][i % 4][d], 1e-5) << BaseId(i);
    }
  }
}

class FaultInjectionTest : public ::testing::Test {
 protected:
  // The base database: the old word model and kBaseRecords one-word texts.
  void SetUp() override {
    test::WriteFile(dir_.Sub("old.txt"), kOldVectors);
    test::WriteFile(dir_.Sub("new.txt"), kNewVectors);
    std::string lines;
    for (int i = 0; i < kBaseRecords; ++i) {
      lines += nlohmann::json{{"id", "r" + std::to_string(i)}, {"text", kWords[i % 4]}}.dump();
      lines += "\n";
    }
    test::WriteFile(dir_.Sub("base.jsonl"), lines);
    auto db = test::OpenOrDie(base_, test::CreateOptions(kDim));
    ASSERT_TRUE(db->ImportWordVectors(dir_.Sub("old.txt")).ok());
    auto summary = db->Ingest({dir_.Sub("base.jsonl")}, {});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    ASSERT_TRUE(db->Close().ok());
  }

  // One run of `sweep` failing after `fail_after` covered operations (kNever: no failure);
  // returns how many covered operations the run made.
  uint64_t RunOnce(const Sweep& sweep, uint64_t fail_after) {
    const std::string path = dir_.Sub("run");
    fs::remove_all(path);
    fs::copy(base_, path, fs::copy_options::recursive);
    FaultInjector faults;
    Status s;
    Acks acks;
    std::fprintf(stderr, "[ sweep    ] failing after %llu operations\n",
                 static_cast<unsigned long long>(fail_after));
    {
      auto opened = engine::OpenWithHooks(sweep.options, path, {&faults});
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      if (!opened.ok()) return 0;
      std::unique_ptr<DB> db = std::move(*opened);
      sweep.prepare(*db);
      faults.Arm({sweep.ops, fail_after, FaultInjector::kNever, sweep.error, sweep.path_contains});
      s = sweep.operation(*db, &acks);
      // The disk is still full while the database closes (its checkpoints fail too).
      Status closed = db->Close();
      if (fail_after == FaultInjector::kNever) EXPECT_TRUE(closed.ok()) << closed.ToString();
    }
    faults.Disarm();
    const std::string where = "failing after " + std::to_string(fail_after) + " operations";
    if (fail_after == FaultInjector::kNever) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else if (!s.ok()) {
      EXPECT_TRUE(s.IsIOError()) << where << ": " << s.ToString();
      EXPECT_NE(s.message().find(std::strerror(sweep.error)), std::string::npos)
          << where << ": " << s.ToString();
    }
    auto reopened = DB::Open(Options{}, path);
    EXPECT_TRUE(reopened.ok()) << where << ": " << reopened.status().ToString();
    if (!reopened.ok()) return faults.calls();
    Status verified = (*reopened)->Verify();
    EXPECT_TRUE(verified.ok()) << where << ": " << verified.ToString();
    SCOPED_TRACE(where + (s.ok() ? " (operation succeeded)" : ": " + s.ToString()));
    sweep.check(**reopened, acks, s);
    return faults.calls();
  }

  // Runs `sweep` once without a failure to count its operations, then failing at points
  // spread over them. Returns the number of failing runs.
  int RunSweep(const Sweep& sweep) {
    const uint64_t total = RunOnce(sweep, FaultInjector::kNever);
    EXPECT_GT(total, 0u) << "the operation made no file operation the sweep covers";
    std::vector<uint64_t> points;
    for (uint64_t k = 0; k < std::min(total, kFirstPoints); ++k) points.push_back(k);
    for (uint64_t i = 1; total > kFirstPoints && i <= kSpreadPoints; ++i) {
      points.push_back(kFirstPoints + (total - kFirstPoints) * i / (kSpreadPoints + 1));
    }
    points.erase(std::unique(points.begin(), points.end()), points.end());
    for (uint64_t k : points) {
      RunOnce(sweep, k);
      if (HasFatalFailure()) break;
    }
    return static_cast<int>(points.size());
  }

  test::TempDir dir_;
  std::string base_ = dir_.Sub("base");
};

constexpr int kBatches = 4;
constexpr int kBatchSize = 25;

Status UpsertBatches(DB& db, Acks* acks) {
  for (int b = 0; b < kBatches; ++b) {
    ++acks->batches_tried;
    WriteOutcome outcome;
    Status s = db.Upsert(NewBatch(b, kBatchSize), &outcome);
    if (s.ok() || outcome.stored) ++acks->batches_acked;
    if (!s.ok()) return s;
  }
  return Status::OK();
}

TEST_F(FaultInjectionTest, AddKeepsEveryAcknowledgedBatchAndNoHalfBatch) {
  Sweep sweep;
  sweep.operation = UpsertBatches;
  sweep.check = [](DB& db, const Acks& acks, const Status&) {
    ExpectBatches(db, acks, kBatches, kBatchSize, PresentInBatch);
    for (int i = 0; i < kBaseRecords; ++i) EXPECT_TRUE(db.Get(BaseId(i)).ok()) << BaseId(i);
  };
  RunSweep(sweep);
}

// Checkpoints after every batch, failing in the checkpoint files only: each batch is stored
// all the same, and the error says so and names the checkpoint.
TEST_F(FaultInjectionTest, CheckpointFailureReportsTheStoredWrite) {
  Sweep sweep;
  sweep.options.checkpoint_interval = 1;
  sweep.path_contains = "/index/";
  sweep.operation = UpsertBatches;
  sweep.check = [](DB& db, const Acks& acks, const Status& s) {
    if (!s.ok()) {
      EXPECT_NE(s.message().find("the write is stored"), std::string::npos) << s.ToString();
      EXPECT_NE(s.message().find("checkpoint"), std::string::npos) << s.ToString();
      EXPECT_EQ(acks.batches_acked, acks.batches_tried);
    }
    ExpectBatches(db, acks, kBatches, kBatchSize, PresentInBatch);
  };
  EXPECT_GE(RunSweep(sweep), 6);
}

TEST_F(FaultInjectionTest, DeleteRemovesAcknowledgedBatchesWhole) {
  constexpr int kDeleteBatches = 4, kPerBatch = 10;
  Sweep sweep;
  sweep.operation = [](DB& db, Acks* acks) {
    for (int b = 0; b < kDeleteBatches; ++b) {
      std::vector<std::string> ids;
      for (int i = 0; i < kPerBatch; ++i) ids.push_back(BaseId(b * kPerBatch + i));
      ++acks->batches_tried;
      WriteOutcome outcome;
      Status s = db.Delete(ids, nullptr, &outcome);
      if (s.ok() || outcome.stored) ++acks->batches_acked;
      if (!s.ok()) return s;
    }
    return Status::OK();
  };
  // A delete batch is "present" when its ids are gone.
  auto deleted = [](DB& db, int b, int size) {
    size_t gone = 0;
    for (int i = 0; i < size; ++i) gone += db.Get(BaseId(b * size + i)).status().IsNotFound();
    return gone;
  };
  sweep.check = [&](DB& db, const Acks& acks, const Status&) {
    ExpectBatches(db, acks, kDeleteBatches, kPerBatch, deleted);
  };
  RunSweep(sweep);
}

TEST_F(FaultInjectionTest, IngestKeepsFilesWholeOrAbsent) {
  constexpr int kFiles = 5;
  const std::string docs = dir_.Sub("docs");
  fs::create_directories(docs);
  for (int f = 0; f < kFiles; ++f) {
    std::string text;
    for (int s = 0; s < 12 + 4 * f; ++s) text += std::string(kWords[(f + s) % 4]) + " sat. ";
    test::WriteFile(docs + "/f" + std::to_string(f) + ".txt", text);
  }
  Sweep sweep;
  sweep.operation = [&](DB& db, Acks*) {
    IngestOptions options;
    options.chunk_tokens = 8;
    options.chunk_overlap = 2;
    return db.Ingest({docs}, options).status();
  };
  sweep.check = [&](DB& db, const Acks&, const Status& s) {
    size_t sources = 0;
    uint64_t chunks_total = 0;
    ASSERT_TRUE(db.ScanSources([&](const SourceInfo& source) {
                    if (source.path.find("/docs/") == std::string::npos) return Status::OK();
                    ++sources;
                    size_t chunks = 0;
                    while (db.Get(source.path + "#" + std::to_string(chunks)).ok()) ++chunks;
                    EXPECT_EQ(chunks, source.chunks) << source.path << " is half there";
                    chunks_total += chunks;
                    return Status::OK();
                  }).ok());
    if (s.ok()) EXPECT_EQ(sources, static_cast<size_t>(kFiles));
    // No chunk without its source entry: the records are the base's and the sources' chunks.
    EXPECT_EQ(db.GetStats()->count, kBaseRecords + chunks_total);
  };
  RunSweep(sweep);
}

TEST_F(FaultInjectionTest, ReembedLeavesOldOrNewVectorsNeverAMixture) {
  Sweep sweep;
  sweep.prepare = [&](DB& db) {
    ASSERT_TRUE(db.ImportWordVectors(dir_.Sub("new.txt"), "auto", ExistingModel::kReplace).ok());
  };
  sweep.operation = [](DB& db, Acks*) { return db.Reembed().status(); };
  sweep.check = [](DB& db, const Acks&, const Status& s) {
    // Dense queries work exactly when the stored vectors are the new model's.
    const bool new_vectors = db.Query("cat", {}).ok();
    if (s.ok()) EXPECT_TRUE(new_vectors);
    ExpectAllVectorsFrom(db, new_vectors);
    EXPECT_EQ(db.GetStats()->count, static_cast<uint64_t>(kBaseRecords));
  };
  RunSweep(sweep);
}

TEST_F(FaultInjectionTest, CompactLosesNothing) {
  constexpr int kDeleted = 12;
  Sweep sweep;
  sweep.prepare = [](DB& db) {
    std::vector<std::string> ids;
    for (int i = 0; i < kDeleted; ++i) ids.push_back(BaseId(i));
    ASSERT_TRUE(db.Delete(ids).ok());
  };
  sweep.operation = [](DB& db, Acks*) { return db.Compact(); };
  sweep.check = [](DB& db, const Acks&, const Status&) {
    for (int i = 0; i < kBaseRecords; ++i) {
      EXPECT_EQ(db.Get(BaseId(i)).ok(), i >= kDeleted) << BaseId(i);
    }
    EXPECT_EQ(db.GetStats()->count, static_cast<uint64_t>(kBaseRecords - kDeleted));
  };
  RunSweep(sweep);
}

// Syncs and renames fail too, not only writes (a broken disk, EIO): the same guarantees.
TEST_F(FaultInjectionTest, FailedSyncsAndRenamesKeepAcknowledgedBatches) {
  Sweep sweep;
  sweep.ops = util::kFileSync | util::kFileRename;
  sweep.error = EIO;
  sweep.operation = UpsertBatches;
  sweep.check = [](DB& db, const Acks& acks, const Status&) {
    ExpectBatches(db, acks, kBatches, kBatchSize, PresentInBatch);
  };
  RunSweep(sweep);
}

}  // namespace
}  // namespace quiver
