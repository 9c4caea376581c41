// What DB::Query does beyond ranking: one hit per distinct text (QueryOptions::dedupe), and
// the report of a query the embedding model knows no word of (DB::QueryWithReport).
#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>
#include <string>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::HitIds;

class QueryDedupeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Four records: two with the same text (a licence saved twice), one close to it, one not;
    // two without text, whose vectors are the same.
    db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(2));
    const std::string licence = "the licence grants you the freedom to share and change it";
    ASSERT_TRUE(db_->Upsert({{"GPL.txt#0", {1, 0}, licence, ""},
                             {"GPL-3.txt#0", {1, 0.01f}, licence, ""},
                             {"LGPL.txt#0", {1, 0.1f}, licence + " as a library", ""},
                             {"notes.txt#0", {0, 1}, "shopping list: apples", ""},
                             {"v1", {1, 0.02f}, "", ""},
                             {"v2", {1, 0.02f}, "", ""}})
                    .ok());
  }

  std::vector<std::string> Query(const std::string& text, QueryMode mode, int k, bool dedupe) {
    QueryOptions options;
    options.mode = mode;
    options.k = k;
    options.dedupe = dedupe;
    return test::QueryIds(*db_, text, options);
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(QueryDedupeTest, RepeatedTextsAreShownOnceAndTheTopKStaysFull) {
  // BM25: both copies score the same; the lower internal id (GPL.txt, written first) is kept.
  EXPECT_EQ(Query("licence freedom", QueryMode::kBm25, 2, true),
            (std::vector<std::string>{"GPL.txt#0", "LGPL.txt#0"}));
  EXPECT_EQ(Query("licence freedom", QueryMode::kBm25, 2, false),
            (std::vector<std::string>{"GPL.txt#0", "GPL-3.txt#0"}));
  // Every distinct text once, however deep k goes.
  EXPECT_EQ(Query("licence freedom", QueryMode::kBm25, 10, true).size(), 2u);
  EXPECT_EQ(Query("licence freedom", QueryMode::kBm25, 10, false).size(), 3u);
}

TEST_F(QueryDedupeTest, QueryLikeAndRecordsWithoutTextAreDedupedToo) {
  QueryOptions options;
  options.mode = QueryMode::kDense;
  options.k = 4;
  auto like = db_->QueryLike("GPL.txt#0", options);
  ASSERT_TRUE(like.ok()) << like.status().ToString();
  // GPL-3's text equals the record's own, which is excluded, not a better hit: it stays. The
  // two texts without text are never merged.
  // v1 and v2 tie (the same vector), so either may come first.
  std::vector<std::string> ids = HitIds(*like);
  ASSERT_EQ(ids.size(), 4u);
  std::sort(ids.begin() + 1, ids.begin() + 3);
  EXPECT_EQ(ids, (std::vector<std::string>{"GPL-3.txt#0", "v1", "v2", "LGPL.txt#0"}));
}

// A trained subword model has a piece for any string; a query made only of words it has never
// seen gets no dense ranking, and the result says why.
class UnknownWordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string text;
    const char* sentences[] = {"the cat sat on the mat and the kitten slept.",
                               "a dog barked at the puppy in the yard.",
                               "the red car drove past a blue truck on the road.",
                               "engines and wheels make cars and trucks go."};
    for (int i = 0; i < 400; ++i) text += std::string(sentences[i % 4]) + "\n\n";
    std::filesystem::create_directories(dir_.Sub("docs"));
    test::WriteFile(dir_.Sub("docs/corpus.txt"), text);
    db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(8));
    IngestOptions options;
    options.train.vocab_size = 320;
    auto summary = db_->Ingest({dir_.Sub("docs")}, options);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(UnknownWordsTest, NonsenseHasNoDenseHitsAndIsReported) {
  QueryOptions dense;
  dense.mode = QueryMode::kDense;
  // Letters of the corpus, no word of it: the tokenizer cuts it into pieces it has vectors
  // for, but no word of it is known.
  auto tokens = db_->Embed("gorbadingle");
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  ASSERT_GT(tokens->known_tokens, 0);
  auto nonsense = db_->QueryWithReport("gorbadingle", dense);
  ASSERT_TRUE(nonsense.ok()) << nonsense.status().ToString();
  EXPECT_TRUE(nonsense->no_known_words);
  EXPECT_TRUE(nonsense->hits.empty());

  auto known = db_->QueryWithReport("kitten", dense);
  ASSERT_TRUE(known.ok());
  EXPECT_FALSE(known->no_known_words);
  EXPECT_FALSE(known->hits.empty());

  // Hybrid falls back to BM25, which finds nothing for nonsense either; bm25 never reports.
  QueryOptions hybrid;
  auto fused = db_->QueryWithReport("gorbadingle kitten", hybrid);
  ASSERT_TRUE(fused.ok());
  EXPECT_FALSE(fused->no_known_words);
  QueryOptions bm25;
  bm25.mode = QueryMode::kBm25;
  auto lexical = db_->QueryWithReport("gorbadingle", bm25);
  ASSERT_TRUE(lexical.ok());
  EXPECT_FALSE(lexical->no_known_words);

  auto batch = db_->QueryBatchWithReport({"kitten", "gorbadingle"}, dense);
  ASSERT_TRUE(batch.ok());
  ASSERT_EQ(batch->size(), 2u);
  EXPECT_FALSE((*batch)[0].no_known_words);
  EXPECT_TRUE((*batch)[1].no_known_words);
  EXPECT_EQ(HitIds((*batch)[0].hits), HitIds(known->hits));
}

}  // namespace
}  // namespace quiver
