// Many readers and one writer per process; one writing process per database; read-only
// opens while a writer holds the database.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 16;

TEST(ConcurrencyTest, ReadersRunWhileOneWriterWrites) {
  for (const char* spec : {"Flat", "HNSW16"}) {
    test::TempDir dir;
    auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim, Metric::kCosine, spec));
    ASSERT_TRUE(
        db->Upsert(test::MakeRecords(test::RandomVectors(500, kDim, 1), kDim, "base-")).ok());
    std::atomic<bool> done{false};
    std::atomic<int> failures{0}, searches{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t) {
      readers.emplace_back([&, t] {
        auto queries = test::RandomVectors(50, kDim, 100 + t);
        for (int i = 0; !done; i = (i + 1) % 50) {
          auto hits = db->Search(std::span<const float>(queries.data() + i * kDim, kDim), {.k = 5});
          if (!hits.ok() || hits->size() != 5) ++failures;
          if (!db->Get("base-" + std::to_string(i)).ok()) ++failures;
          ++searches;
        }
      });
    }
    for (int b = 0; b < 20; ++b) {
      auto records = test::MakeRecords(test::RandomVectors(50, kDim, 200 + b), kDim,
                                       "w" + std::to_string(b) + "-");
      ASSERT_TRUE(db->Upsert(records).ok());
      ASSERT_TRUE(db->Delete({"w" + std::to_string(b) + "-0"}).ok());
    }
    done = true;
    for (auto& r : readers) r.join();
    EXPECT_EQ(failures, 0) << spec;
    EXPECT_GT(searches, 0);
    EXPECT_EQ(db->GetStats()->count, 500u + 20 * 49);
    EXPECT_TRUE(db->Verify().ok());
  }
}

// Text queries, stats and embeddings read the counters, the model and the metadata snapshot
// that ingest and upserts change: run them together (the ThreadSanitizer suite's main case).
TEST(ConcurrencyTest, TextQueriesRunWhileTextIsIngested) {
  constexpr int kWords = 200;
  test::TempDir dir;
  test::WriteRandomWordVectors(dir.Sub("vectors.txt"), kWords, kDim, 7);
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim));
  ASSERT_TRUE(db->ImportWordVectors(dir.Sub("vectors.txt")).ok());
  std::mt19937 rng(11);
  std::string base;
  for (int i = 0; i < 200; ++i) {
    base += R"({"id": "base-)" + std::to_string(i) + R"(", "group": )" + std::to_string(i % 4) +
            R"(, "text": ")" + test::RandomWords(rng, kWords, 12) + "\"}\n";
  }
  test::WriteFile(dir.Sub("base.jsonl"), base);
  ASSERT_TRUE(db->Ingest({dir.Sub("base.jsonl")}, {}).ok());

  std::atomic<bool> done{false};
  std::atomic<int> failures{0}, queries{0};
  std::mutex first_failure_mu;
  std::string first_failure;
  auto fail = [&](const std::string& what) {
    std::lock_guard lock(first_failure_mu);
    if (failures++ == 0) first_failure = what;
  };
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      std::mt19937 local(100 + t);
      const QueryMode modes[] = {QueryMode::kHybrid, QueryMode::kBm25, QueryMode::kDense};
      for (int i = 0; !done; ++i) {
        QueryOptions options;
        options.k = 5;
        options.mode = modes[i % 3];
        if (i % 2) options.where = R"({"group": 1})";
        auto hits = db->Query(test::RandomWords(local, kWords, 3), options);
        if (!hits.ok()) fail(hits.status().ToString());
        if (hits.ok() && hits->empty()) fail("no hits in mode " + std::to_string(i % 3));
        if (!db->GetStats().ok() || !db->Embed("w1 w2").ok()) fail("stats or embed failed");
        ++queries;
      }
    });
  }
  // The writer: files ingested, text records upserted and deleted, while the readers run.
  bool writes_ok = true;
  for (int f = 0; f < 10 && writes_ok; ++f) {
    std::string file;
    for (int line = 0; line < 20; ++line) file += test::RandomWords(rng, kWords, 30) + "\n\n";
    const std::string path = dir.Sub("doc" + std::to_string(f) + ".txt");
    test::WriteFile(path, file);
    auto embedded = db->Embed(test::RandomWords(rng, kWords, 8));
    writes_ok = db->Ingest({path}, {}).ok() && embedded.ok() &&
                db->Upsert({{"up-" + std::to_string(f), embedded->vector,
                             test::RandomWords(rng, kWords, 8), R"({"group": 1})"}})
                    .ok() &&
                db->Delete({"base-" + std::to_string(f) + "#0"}).ok();
  }
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_TRUE(writes_ok);
  EXPECT_EQ(failures, 0) << "first: " << first_failure;
  EXPECT_GT(queries, 0);
  EXPECT_TRUE(db->Verify().ok());
}

TEST(ConcurrencyTest, SecondWriterIsToldTheDatabaseIsLocked) {
  test::TempDir dir;
  const std::string path = dir.Sub("db");
  auto writer = test::OpenOrDie(path, test::CreateOptions(2));
  ASSERT_TRUE(writer->Upsert({{"a", {1, 2}, "hello", ""}}).ok());

  auto second = DB::Open(Options(), path);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsBusy()) << second.status().ToString();

  // Another process: the CLI.
  auto add = test::RunCli({"add", path, "-"}, test::JsonLine("b", {1, 1}));
  EXPECT_EQ(add.exit_code, 4) << add.err;
  EXPECT_NE(add.err.find("locked by another process"), std::string::npos) << add.err;

  auto search = test::RunCli({"search", path, "--vector", "1,2", "--read-only", "--json"});
  EXPECT_EQ(search.exit_code, 0) << search.err;
  EXPECT_NE(search.out.find("\"hello\""), std::string::npos) << search.out;

  Options read_only;
  read_only.read_only = true;
  auto reader = DB::Open(read_only, path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->Get("a").ok());
}

}  // namespace
}  // namespace quiver
