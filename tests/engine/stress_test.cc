// Stress: readers call GetStats, Query and Search without pause while one writer ingests files
// and deletes records. Every read must succeed and be well-formed (at most k hits, distinct
// known ids, finite scores best first, counts within what the writer can have produced), and
// the final state must be exactly what the writer did. Runs in the normal suite and, with
// scripts/sanitize.sh thread, under ThreadSanitizer.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 16;
constexpr int kWords = 300;
constexpr int kBase = 200;
constexpr int kRounds = 12;
constexpr int kPerRound = 25;
constexpr int kDeletedPerRound = 10;
constexpr size_t kK = 6;

// Collects failures from every thread; keeps the first message for the report.
class Failures {
 public:
  void Add(const std::string& what) {
    std::lock_guard lock(mu_);
    if (count_++ == 0) first_ = what;
  }
  int count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  std::string first() const {
    std::lock_guard lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  int count_ = 0;
  std::string first_;
};

// "base-<i>#0" or "r<round>-<i>#0": the ids the writer can have written.
bool IsKnownId(const std::string& id) {
  return id.size() > 2 && id.ends_with("#0") &&
         (id.starts_with("base-") || (id[0] == 'r' && id.find('-') != std::string::npos));
}

// Empty when `hits` is a well-formed answer for k; else what is wrong.
std::string CheckHits(const std::vector<Hit>& hits, size_t k, bool need_text) {
  if (hits.size() > k) return "more hits than k: " + std::to_string(hits.size());
  std::vector<std::string> seen;
  for (size_t i = 0; i < hits.size(); ++i) {
    const Hit& hit = hits[i];
    if (!IsKnownId(hit.id)) return "unknown id '" + hit.id + "'";
    if (std::find(seen.begin(), seen.end(), hit.id) != seen.end()) return "twice: " + hit.id;
    seen.push_back(hit.id);
    if (!std::isfinite(hit.score)) return "score not finite for " + hit.id;
    if (i > 0 && hit.score > hits[i - 1].score) return "hits not best first at " + hit.id;
    if (need_text && hit.text.empty()) return "no text for " + hit.id;
  }
  return "";
}

// A JSON Lines file of `n` records "<prefix><i>" with random text from the vocabulary.
std::string JsonlFile(std::mt19937& rng, const std::string& prefix, int n) {
  std::string file;
  for (int i = 0; i < n; ++i) {
    file += R"({"id": ")" + prefix + std::to_string(i) + R"(", "group": )" + std::to_string(i % 3) +
            R"(, "text": ")" + test::RandomWords(rng, kWords, 10) + "\"}\n";
  }
  return file;
}

// One reader: stats, a text query (modes and filters in turn) and a vector search per turn.
void ReadUntilDone(DB& db, int seed, const std::atomic<bool>& done, Failures& failures,
                   std::atomic<int>& reads) {
  std::mt19937 rng(seed);
  const QueryMode modes[] = {QueryMode::kHybrid, QueryMode::kBm25, QueryMode::kDense};
  const auto vectors = test::RandomVectors(64, kDim, seed);
  constexpr uint64_t kMaxCount = kBase + kRounds * kPerRound;
  constexpr uint64_t kMinCount = kBase - kDeletedPerRound;
  for (int i = 0; !done; ++i) {
    auto stats = db.GetStats();
    if (!stats.ok()) {
      failures.Add("GetStats: " + stats.status().ToString());
    } else if (stats->count < kMinCount || stats->count > kMaxCount || stats->dimension != kDim) {
      failures.Add("GetStats: count " + std::to_string(stats->count));
    }
    QueryOptions query;
    query.k = kK;
    query.mode = modes[i % 3];
    if (i % 2) query.where = R"({"group": 1})";
    auto answer = db.Query(test::RandomWords(rng, kWords, 3), query);
    if (!answer.ok()) failures.Add("Query: " + answer.status().ToString());
    if (answer.ok()) {
      if (std::string bad = CheckHits(*answer, kK, true); !bad.empty())
        failures.Add("Query: " + bad);
    }
    const std::span<const float> vector(vectors.data() + (i % 64) * kDim, kDim);
    auto hits = db.Search(vector, {.k = kK});
    if (!hits.ok()) failures.Add("Search: " + hits.status().ToString());
    if (hits.ok()) {
      if (std::string bad = CheckHits(*hits, kK, true); !bad.empty()) {
        failures.Add("Search: " + bad);
      } else if (hits->size() != kK) {
        failures.Add("Search: " + std::to_string(hits->size()) + " hits, expected k");
      }
    }
    ++reads;
  }
}

TEST(StressTest, ReadersQueryWhileAWriterIngestsAndDeletes) {
  test::TempDir dir;
  test::WriteRandomWordVectors(dir.Sub("vectors.txt"), kWords, kDim, 3);
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim, Metric::kCosine, "HNSW16"));
  ASSERT_TRUE(db->ImportWordVectors(dir.Sub("vectors.txt")).ok());
  std::mt19937 rng(5);
  test::WriteFile(dir.Sub("base.jsonl"), JsonlFile(rng, "base-", kBase));
  ASSERT_TRUE(db->Ingest({dir.Sub("base.jsonl")}, {}).ok());

  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  Failures failures;
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] { ReadUntilDone(*db, 100 + t, done, failures, reads); });
  }
  // The writer: a file ingested per round, then records of the round before deleted.
  std::vector<std::string> deleted;
  for (int r = 0; r < kRounds && failures.count() == 0; ++r) {
    const std::string path = dir.Sub("round" + std::to_string(r) + ".jsonl");
    test::WriteFile(path, JsonlFile(rng, "r" + std::to_string(r) + "-", kPerRound));
    auto ingested = db->Ingest({path}, {});
    if (!ingested.ok()) failures.Add("Ingest: " + ingested.status().ToString());
    std::vector<std::string> doomed;
    const std::string victim = r == 0 ? "base-" : "r" + std::to_string(r - 1) + "-";
    for (int i = 0; i < kDeletedPerRound; ++i) doomed.push_back(victim + std::to_string(i) + "#0");
    size_t removed = 0;
    if (Status s = db->Delete(doomed, &removed); !s.ok()) failures.Add("Delete: " + s.ToString());
    if (removed != doomed.size()) failures.Add("Delete removed " + std::to_string(removed));
    deleted.insert(deleted.end(), doomed.begin(), doomed.end());
  }
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(failures.count(), 0) << "first: " << failures.first();
  EXPECT_GT(reads, kRounds);

  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->count, uint64_t{kBase + kRounds * kPerRound - kRounds * kDeletedPerRound});
  for (const std::string& id : deleted) EXPECT_FALSE(db->Get(id).ok()) << id;
  EXPECT_TRUE(db->Get("r" + std::to_string(kRounds - 1) + "-0#0").ok());
  EXPECT_TRUE(db->Verify().ok());
}

}  // namespace
}  // namespace quiver
