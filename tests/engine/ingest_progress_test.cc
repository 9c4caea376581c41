// DB::Ingest's progress callback: every phase reported with truthful units, and a callback
// that returns false stops the ingest (during training, reading or embedding) leaving a
// consistent database that a second ingest completes to exactly what an uninterrupted one
// gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 8;
constexpr int kFiles = 6;

// File `f` of the collection: lines of words from two topics, different for every file.
std::string DocText(int f) {
  const std::vector<std::vector<std::string>> topics = {
      {"cat", "dog", "horse", "cow", "sheep", "goat", "pig", "duck"},
      {"red", "blue", "green", "yellow", "purple", "orange", "pink", "brown"}};
  std::string text;
  uint64_t state = 11 + f;
  for (int line = 0; line < 120; ++line) {
    const auto& words = topics[(line + f) % 2];
    for (int w = 0; w < 8; ++w) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      text += words[(state >> 33) % words.size()] + (w < 7 ? " " : ".\n");
    }
    if (line % 10 == 9) text += "\n";  // paragraphs
  }
  return text;
}

class IngestProgressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int f = 0; f < kFiles; ++f) {
      test::WriteFile(docs() + "/doc" + std::to_string(f) + ".txt", DocText(f));
    }
  }

  std::string docs() const { return dir_.Sub("docs"); }

  IngestOptions Options(std::function<bool(const IngestProgress&)> on_progress = nullptr) const {
    IngestOptions options;
    options.train.vocab_size = 300;
    options.chunk_tokens = 64;
    options.chunk_overlap = 8;
    options.on_progress = std::move(on_progress);
    return options;
  }

  // Every record of the database at `path`: id -> text and vector.
  std::map<std::string, std::pair<std::string, std::vector<float>>> Contents(
      const std::string& path) {
    auto db = test::OpenOrDie(path, quiver::Options());
    EXPECT_TRUE(db->Verify().ok());
    std::map<std::string, std::pair<std::string, std::vector<float>>> contents;
    ScanOptions scan;
    scan.with_vector = true;
    EXPECT_TRUE(db->ScanRecords(scan, [&](const Record& r) {
                    contents[r.id] = {r.text, r.vector};
                    return Status::OK();
                  }).ok());
    return contents;
  }

  // What an uninterrupted ingest of the collection stores.
  std::map<std::string, std::pair<std::string, std::vector<float>>> Reference() {
    {
      auto db = test::OpenOrDie(dir_.Sub("reference"), test::CreateOptions(kDim));
      auto summary = db->Ingest({docs()}, Options());
      EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    }
    return Contents(dir_.Sub("reference"));
  }

  // Ingests into a new database with `stop` deciding when the callback says false; expects
  // Cancelled, checks the database is consistent, then ingests again to the end and checks it
  // equals the reference. Returns the sources stored after the cancelled run.
  size_t CancelThenFinish(const std::function<bool(const IngestProgress&)>& stop) {
    const std::string path = dir_.Sub("cancelled");
    size_t stored_sources = 0;
    {
      auto db = test::OpenOrDie(path, test::CreateOptions(kDim));
      auto cancelled =
          db->Ingest({docs()}, Options([&](const IngestProgress& p) { return !stop(p); }));
      EXPECT_TRUE(cancelled.status().IsCancelled()) << cancelled.status().ToString();
      EXPECT_TRUE(db->Verify().ok());
      EXPECT_TRUE(db->ScanSources([&](const SourceInfo&) {
                      ++stored_sources;
                      return Status::OK();
                    }).ok());
      auto again = db->Ingest({docs()}, Options());
      EXPECT_TRUE(again.ok()) << again.status().ToString();
      if (again.ok()) {
        EXPECT_EQ(again->files_added, kFiles - stored_sources);
        EXPECT_EQ(again->files_unchanged, stored_sources);
      }
    }
    EXPECT_EQ(Contents(path), Reference()) << "the finished ingest equals an uninterrupted one";
    return stored_sources;
  }

  test::TempDir dir_;
};

TEST_F(IngestProgressTest, ReportsEveryPhaseWithTruthfulUnits) {
  auto db = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim));
  std::vector<IngestProgress> reports;
  std::vector<std::string> units;  // string_views do not outlive the call
  auto summary = db->Ingest({docs()}, Options([&](const IngestProgress& p) {
                              reports.push_back(p);
                              units.emplace_back(p.unit);
                              return true;
                            }));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_FALSE(reports.empty());
  uint64_t bytes = 0;
  for (int f = 0; f < kFiles; ++f) bytes += DocText(f).size();
  EXPECT_EQ(summary->source_bytes, bytes);
  // Phases come in order: tokenizer, model, then per file reading, embedding, committing.
  std::vector<IngestPhase> order;
  for (const IngestProgress& p : reports) {
    if (order.empty() || order.back() != p.phase) order.push_back(p.phase);
    EXPECT_LE(p.done, p.total == 0 ? p.done : p.total);
    EXPECT_EQ(p.files_total, static_cast<uint64_t>(kFiles));
    EXPECT_EQ(p.bytes_total, bytes);
  }
  ASSERT_GE(order.size(), 2 + 3u * kFiles);
  EXPECT_EQ(order[0], IngestPhase::kTrainingTokenizer);
  EXPECT_EQ(order[1], IngestPhase::kTrainingModel);
  for (int f = 0; f < kFiles; ++f) {
    EXPECT_EQ(order[2 + 3 * f], IngestPhase::kReading);
    EXPECT_EQ(order[3 + 3 * f], IngestPhase::kEmbedding);
    EXPECT_EQ(order[4 + 3 * f], IngestPhase::kCommitting);
  }
  // Each training phase ends complete in its last unit; the tokenizer read all the bytes.
  std::map<std::pair<IngestPhase, std::string>, IngestProgress> last;
  for (size_t i = 0; i < reports.size(); ++i) last[{reports[i].phase, units[i]}] = reports[i];
  const IngestProgress& sampled = last.at({IngestPhase::kTrainingTokenizer, "bytes"});
  EXPECT_EQ(sampled.done, bytes);
  EXPECT_EQ(sampled.total, bytes);
  const IngestProgress& learned = last.at({IngestPhase::kTrainingTokenizer, "lines"});
  EXPECT_GT(learned.total, 0u);
  EXPECT_EQ(learned.done, learned.total);
  EXPECT_EQ(last.at({IngestPhase::kTrainingModel, "bytes"}).done, bytes);
  const IngestProgress& steps = last.at({IngestPhase::kTrainingModel, "steps"});
  EXPECT_GT(steps.total, 1u);
  EXPECT_EQ(steps.done, steps.total);
  // The run ends with every file done and the chunks the summary counts.
  const IngestProgress& end = reports.back();
  EXPECT_EQ(end.phase, IngestPhase::kCommitting);
  EXPECT_EQ(end.files_done, static_cast<uint64_t>(kFiles));
  EXPECT_EQ(end.bytes_done, bytes);
  EXPECT_EQ(end.chunks, summary->chunks_added);
  EXPECT_GT(summary->chunks_added, 0u);
}

TEST_F(IngestProgressTest, CancelWhileTrainingTheTokenizerStoresNothing) {
  const size_t stored = CancelThenFinish(
      [](const IngestProgress& p) { return p.phase == IngestPhase::kTrainingTokenizer; });
  EXPECT_EQ(stored, 0u);
}

TEST_F(IngestProgressTest, CancelWhileFactorizingStoresNoModel) {
  const std::string path = dir_.Sub("db");
  auto db = test::OpenOrDie(path, test::CreateOptions(kDim));
  auto cancelled = db->Ingest(
      {docs()}, Options([](const IngestProgress& p) {
        return !(p.phase == IngestPhase::kTrainingModel && p.unit == "steps" && p.done == 2);
      }));
  EXPECT_TRUE(cancelled.status().IsCancelled()) << cancelled.status().ToString();
  EXPECT_TRUE(db->GetModelInfo().status().IsNotFound());
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->count, 0u);
  EXPECT_TRUE(db->Verify().ok());
}

TEST_F(IngestProgressTest, CancelAfterTwoFilesKeepsThemAndRerunFinishes) {
  const size_t stored = CancelThenFinish([](const IngestProgress& p) {
    return p.phase == IngestPhase::kReading && p.files_done == 2;
  });
  EXPECT_EQ(stored, 2u);
}

TEST_F(IngestProgressTest, CancelWhileEmbeddingLeavesThatFileUnwritten) {
  const size_t stored = CancelThenFinish([](const IngestProgress& p) {
    return p.phase == IngestPhase::kEmbedding && p.files_done == 3;
  });
  EXPECT_EQ(stored, 3u);
}

TEST_F(IngestProgressTest, ChangedFileCountsItsChunksAsReplaced) {
  auto db = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim));
  auto first = db->Ingest({docs()}, Options());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const auto count = db->GetStats()->count;
  std::string text = DocText(0);
  text[0] = 'b';  // "cat" -> "bat": same length, same chunks, other content
  test::WriteFile(docs() + "/doc0.txt", text);
  std::filesystem::last_write_time(
      docs() + "/doc0.txt",
      std::filesystem::file_time_type::clock::now() + std::chrono::seconds(5));
  auto second = db->Ingest({docs()}, Options());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->files_replaced, 1u);
  EXPECT_EQ(second->chunks_added, 0u) << "no record is new";
  EXPECT_GT(second->chunks_replaced, 0u);
  EXPECT_EQ(second->chunks_removed, 0u);
  EXPECT_EQ(db->GetStats()->count, count);
}

}  // namespace
}  // namespace quiver
