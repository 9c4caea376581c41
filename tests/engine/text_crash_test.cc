// Text writes survive SIGKILL:
// - re-embedding is atomic: a process killed at any moment of DB::Reembed leaves a database
//   that verifies and holds either every old vector (and still refuses text queries with the
//   new model) or every new one, never a mixture;
// - ingestion is atomic per file: a process killed mid-ingest leaves every file it reported
//   done, no file half-ingested, and running the same ingest again completes the job.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 4;
constexpr int kRecords = 30000;
constexpr const char* kChildDbVar = "QUIVER_REEMBED_CHILD_DB";
constexpr const char* kIngestDbVar = "QUIVER_INGEST_CHILD_DB";
constexpr const char* kIngestDocsVar = "QUIVER_INGEST_CHILD_DOCS";
constexpr int kFiles = 40;
constexpr int kChunkTokens = 16;
constexpr char kOldVectors[] = "cat 1 0 0 0\ndog 0 1 0 0\ncar 0 0 1 0\ntruck 0 0 0 1\n";
constexpr char kNewVectors[] = "cat 0 0 0 1\ndog 0 0 1 1\ncar 1 0 0 0\ntruck 1 1 0 0\n";

std::string RecordId(int i) { return "r" + std::to_string(i); }

// The reembed half, run in a child process by the test below (skipped when run directly).
TEST(ReembedChild, ReembedUntilKilled) {
  const char* path = std::getenv(kChildDbVar);
  if (path == nullptr) GTEST_SKIP() << "runs only as the child of the reembed crash test";
  auto db = test::OpenOrDie(path, Options{});
  std::printf("start\n");
  std::fflush(stdout);
  ASSERT_TRUE(db->Reembed().ok());
  std::printf("done\n");
  std::fflush(stdout);
}

// The ingest half: ingests the directory, printing "file N" after each file is stored.
TEST(IngestChild, IngestUntilKilled) {
  const char* path = std::getenv(kIngestDbVar);
  const char* docs = std::getenv(kIngestDocsVar);
  if (path == nullptr || docs == nullptr) GTEST_SKIP() << "runs only as a crash test's child";
  auto db = test::OpenOrDie(path, Options{});
  IngestOptions options;
  options.chunk_tokens = kChunkTokens;
  options.chunk_overlap = 4;
  uint64_t reported = 0;
  options.on_progress = [&reported](const IngestProgress& p) {
    if (p.files_done > reported) {  // a file was stored (reports come at every step)
      reported = p.files_done;
      std::printf("file %llu\n", static_cast<unsigned long long>(p.files_done));
      std::fflush(stdout);
    }
    return true;
  };
  ASSERT_TRUE(db->Ingest({docs}, options).ok());
  std::printf("done\n");
  std::fflush(stdout);
}

// Starts the test `child` of this binary with `env_vars`, reads its stdout until `until`
// returns true for a line, kills it. Returns whether it printed "done".
bool RunChildUntil(const std::string& child_test, const std::vector<std::string>& env_vars,
                   const std::function<bool(const std::string&)>& until) {
  test::TestChild child(child_test, env_vars);
  bool finished = false;
  std::string line;
  while (child.ReadLine(&line)) {
    finished |= line == "done\n";
    if (until(line)) break;
  }
  child.Kill();
  while (child.ReadLine(&line)) finished |= line == "done\n";
  return finished;
}

// Starts the reembed child on `path`, lets it run `delay` after it starts re-embedding, kills
// it. Returns whether it had finished.
bool RunReembedAndKill(const std::string& path, std::chrono::milliseconds delay) {
  return RunChildUntil("ReembedChild.ReembedUntilKilled", {std::string(kChildDbVar) + "=" + path},
                       [&](const std::string& line) {
                         if (line != "start\n") return false;
                         std::this_thread::sleep_for(delay);
                         return true;
                       });
}

class ReembedCrashTest : public ::testing::TestWithParam<int> {
 protected:
  // A database of kRecords one-word texts embedded with the old model, whose model has then
  // been replaced by the new one.
  void SetUp() override {
    test::WriteFile(dir_.Sub("old.txt"), kOldVectors);
    test::WriteFile(dir_.Sub("new.txt"), kNewVectors);
    const char* words[] = {"cat", "dog", "car", "truck"};
    std::string lines;
    for (int i = 0; i < kRecords; ++i) {
      lines += nlohmann::json{{"id", RecordId(i)}, {"text", words[i % 4]}}.dump() + "\n";
    }
    test::WriteFile(dir_.Sub("docs.jsonl"), lines);
    auto db = test::OpenOrDie(path_, test::CreateOptions(kDim));
    ASSERT_TRUE(db->ImportWordVectors(dir_.Sub("old.txt")).ok());
    auto summary = db->Ingest({dir_.Sub("docs.jsonl")}, {});
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    ASSERT_TRUE(db->ImportWordVectors(dir_.Sub("new.txt"), "auto", ExistingModel::kReplace).ok());
    ASSERT_TRUE(db->Close().ok());
  }

  // Every record's vector is its word's row in `vectors` (the mean of one row, normalized:
  // the rows here are of unit length or are scaled by it).
  void ExpectAllVectorsFrom(DB& db, bool new_model) {
    const std::vector<std::vector<float>> old_rows = {
        {1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    const float h = 1 / std::sqrt(2.0f);
    const std::vector<std::vector<float>> new_rows = {
        {0, 0, 0, 1}, {0, 0, h, h}, {1, 0, 0, 0}, {h, h, 0, 0}};
    for (int i = 0; i < kRecords; i += 997) {
      auto record = db.Get(RecordId(i) + "#0");
      ASSERT_TRUE(record.ok()) << record.status().ToString();
      const auto& expected = (new_model ? new_rows : old_rows)[i % 4];
      for (int d = 0; d < kDim; ++d) {
        EXPECT_NEAR(record->vector[d], expected[d], 1e-5) << i << " " << d;
      }
    }
  }

  test::TempDir dir_;
  std::string path_ = dir_.Sub("db");
};

TEST_P(ReembedCrashTest, SigkillLeavesOldOrNewStateNeverAMixture) {
  const bool finished = RunReembedAndKill(path_, std::chrono::milliseconds(GetParam()));
  auto db = test::OpenOrDie(path_, Options{});
  ASSERT_TRUE(db->Verify().ok());
  auto query = db->Query("cat", {});
  std::printf("killed after %d ms: %s\n", GetParam(),
              finished ? "reembed had finished"
                       : (query.ok() ? "new state (committed)" : "old state (not committed)"));
  if (query.ok()) {
    ExpectAllVectorsFrom(*db, /*new_model=*/true);
  } else {
    EXPECT_FALSE(finished);
    EXPECT_TRUE(query.status().IsInvalidArgument()) << query.status().ToString();
    ExpectAllVectorsFrom(*db, /*new_model=*/false);
    // The old state is fully usable: reembed now completes.
    ASSERT_TRUE(db->Reembed().ok());
    ExpectAllVectorsFrom(*db, /*new_model=*/true);
    EXPECT_TRUE(db->Verify().ok());
  }
  EXPECT_EQ(db->GetStats()->count, static_cast<uint64_t>(kRecords));
}

// Kill times spread over the reembed: while embedding, around the commit, while rebuilding
// the index. (A kill after it finished is covered too: the child may finish first.)
INSTANTIATE_TEST_SUITE_P(Delays, ReembedCrashTest, ::testing::Values(0, 150, 400, 900));

class IngestCrashTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    test::WriteFile(dir_.Sub("vectors.txt"), kOldVectors);
    std::filesystem::create_directories(docs_);
    const char* words[] = {"cat", "dog", "car", "truck"};
    for (int f = 0; f < kFiles; ++f) {
      std::string text;
      for (int s = 0; s < 30 + f; ++s) text += std::string(words[(f + s) % 4]) + " sat. ";
      test::WriteFile(FilePath(f), text);
    }
    auto db = test::OpenOrDie(path_, test::CreateOptions(kDim));
    ASSERT_TRUE(db->ImportWordVectors(dir_.Sub("vectors.txt")).ok());
    ASSERT_TRUE(db->Close().ok());
  }
  std::string FilePath(int f) const {
    char name[32];
    std::snprintf(name, sizeof(name), "/f%03d.txt", f);
    return docs_ + name;
  }
  // How many chunks of file f the database holds (chunks are numbered from 0 without gaps).
  size_t ChunksOf(DB& db, int f) {
    size_t n = 0;
    while (db.Get(FilePath(f) + "#" + std::to_string(n)).ok()) ++n;
    return n;
  }
  test::TempDir dir_;
  std::string path_ = dir_.Sub("db");
  std::string docs_ = dir_.Sub("docs");
};

TEST_P(IngestCrashTest, SigkillKeepsReportedFilesWholeAndRerunCompletes) {
  const int kill_after = GetParam();
  int reported = 0;
  RunChildUntil(
      "IngestChild.IngestUntilKilled",
      {std::string(kIngestDbVar) + "=" + path_, std::string(kIngestDocsVar) + "=" + docs_},
      [&](const std::string& line) {
        int n = 0;
        if (std::sscanf(line.c_str(), "file %d", &n) == 1) reported = n;
        return reported >= kill_after;
      });
  std::vector<size_t> before(kFiles);
  {
    auto db = test::OpenOrDie(path_, Options{});
    ASSERT_TRUE(db->Verify().ok());
    for (int f = 0; f < kFiles; ++f) before[f] = ChunksOf(*db, f);
  }
  // Run the same ingest again in this process: it completes the job.
  auto db = test::OpenOrDie(path_, Options{});
  IngestOptions options;
  options.chunk_tokens = kChunkTokens;
  options.chunk_overlap = 4;
  auto summary = db->Ingest({docs_}, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->files_added + summary->files_unchanged, static_cast<uint64_t>(kFiles));
  EXPECT_GE(summary->files_unchanged, static_cast<uint64_t>(std::min(reported, kFiles)));
  EXPECT_EQ(summary->files_replaced, 0u);
  uint64_t total = 0;
  for (int f = 0; f < kFiles; ++f) {
    const size_t after = ChunksOf(*db, f);
    ASSERT_GT(after, 1u) << f;
    if (f < reported) EXPECT_EQ(before[f], after) << "file " << f << " was reported stored";
    EXPECT_TRUE(before[f] == 0 || before[f] == after) << "file " << f << " is half there";
    total += after;
  }
  EXPECT_EQ(db->GetStats()->count, total);
  EXPECT_TRUE(db->Verify().ok());
}

INSTANTIATE_TEST_SUITE_P(KillAfterFiles, IngestCrashTest, ::testing::Values(1, 7, 23));

}  // namespace
}  // namespace quiver
