// Ingestion and text queries end to end through quiver::DB: collections of files in, dense,
// BM25 and hybrid answers out, exact metadata filters, idempotent re-ingest, prune, model
// safety and re-embedding.
//
// The model is a small word-vector model written by the test, so that the expected answers
// are known: animal words point along the first two axes, vehicle words along the last two.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 4;

// GloVe text: word and kDim numbers per line.
constexpr char kWordVectors[] =
    "cat 1 0.2 0 0\n"
    "kitten 0.95 0.25 0 0\n"
    "dog 0.2 1 0 0\n"
    "puppy 0.25 0.95 0 0\n"
    "car 0 0 1 0.2\n"
    "truck 0 0 0.2 1\n"
    "engine 0 0 0.7 0.7\n"
    "the 0.1 0.1 0.1 0.1\n"
    "a 0.1 0.1 0.1 0.1\n"
    "sat 0.3 0.3 0.3 0.3\n"
    "drives 0.05 0 0.6 0.5\n"
    "sleeps 0.5 0.5 0 0.05\n"
    "red 0.2 0 0.2 0\n"
    "blue 0 0.2 0 0.2\n"
    "zebra 0.6 0.6 0.1 0\n";

constexpr char kOtherWordVectors[] =
    "cat 0 0 0 1\n"
    "kitten 0 0 0.1 1\n"
    "dog 0 0 1 0\n"
    "car 1 0 0 0\n"
    "truck 0 1 0 0\n";

class IngestQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::WriteFile(dir_.Sub("vectors.txt"), kWordVectors);
    test::WriteFile(dir_.Sub("other_vectors.txt"), kOtherWordVectors);
    std::filesystem::create_directories(docs_dir());
    db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim));
    ASSERT_TRUE(db_->ImportWordVectors(dir_.Sub("vectors.txt")).ok());
  }

  std::string docs_dir() const { return dir_.Sub("docs"); }

  IngestSummary IngestOrDie(const IngestOptions& options = {}) {
    auto summary = db_->Ingest({docs_dir()}, options);
    EXPECT_TRUE(summary.ok()) << summary.status().ToString();
    return summary.ok() ? *summary : IngestSummary{};
  }

  std::vector<std::string> QueryIds(const std::string& text, QueryMode mode,
                                    const std::string& where = "", int k = 10) {
    QueryOptions options;
    options.mode = mode;
    options.where = where;
    options.k = k;
    return test::QueryIds(*db_, text, options);
  }

  void WriteAnimalsAndVehicles() {
    test::WriteFile(docs_dir() + "/cats.txt", "the cat sat. a kitten sleeps.");
    test::WriteFile(docs_dir() + "/dogs.md", "the dog sat. a puppy sleeps.");
    test::WriteFile(docs_dir() + "/cars.txt", "the red car drives. a blue truck drives.");
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(IngestQueryTest, IngestsADirectoryAndAnswersEachMode) {
  WriteAnimalsAndVehicles();
  IngestSummary summary = IngestOrDie();
  EXPECT_EQ(summary.files_seen, 3u);
  EXPECT_EQ(summary.files_added, 3u);
  EXPECT_EQ(summary.chunks_added, 3u);
  EXPECT_FALSE(summary.trained_model);  // the database had a model
  auto stats = db_->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->count, 3u);
  const std::string cats = docs_dir() + "/cats.txt#0";
  const std::string cars = docs_dir() + "/cars.txt#0";
  // Dense: "kitten" is nearest the cat text, "engine" the car text (neither word is in them).
  EXPECT_EQ(QueryIds("kitten", QueryMode::kDense).front(), cats);
  EXPECT_EQ(QueryIds("engine", QueryMode::kDense).front(), cars);
  // BM25 finds only texts that hold the word.
  EXPECT_EQ(QueryIds("truck", QueryMode::kBm25), std::vector<std::string>{cars});
  EXPECT_TRUE(QueryIds("engine", QueryMode::kBm25).empty());
  // Hybrid: both lists agree on the cat text for "kitten".
  EXPECT_EQ(QueryIds("kitten", QueryMode::kHybrid).front(), cats);
  EXPECT_TRUE(db_->Verify().ok());
}

TEST_F(IngestQueryTest, HitsCarryTextSourceAndFileMetadata) {
  WriteAnimalsAndVehicles();
  IngestOrDie();
  QueryOptions options;
  options.mode = QueryMode::kBm25;
  auto hits = db_->Query("truck", options);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  const Hit& hit = hits->front();
  EXPECT_EQ(hit.text, "the red car drives. a blue truck drives.");
  EXPECT_EQ(hit.source.path, docs_dir() + "/cars.txt");
  EXPECT_EQ(hit.source.chunk, 0);
  EXPECT_EQ(hit.source.begin, 0u);
  EXPECT_EQ(hit.source.end, hit.text.size());
  EXPECT_EQ(hit.source.content_hash.size(), 16u);
  auto meta = nlohmann::json::parse(hit.metadata);
  EXPECT_EQ(meta["path"], docs_dir() + "/cars.txt");
  EXPECT_TRUE(meta["mtime"].is_number_integer());
}

TEST_F(IngestQueryTest, ReingestIsIdempotentAndReplacesChangedFiles) {
  WriteAnimalsAndVehicles();
  IngestOrDie();
  IngestSummary again = IngestOrDie();
  EXPECT_EQ(again.files_unchanged, 3u);
  EXPECT_EQ(again.chunks_added, 0u);
  // A changed file: all its chunks replaced in one write; the others untouched.
  test::WriteFile(docs_dir() + "/cats.txt", "a zebra sat.");
  IngestSummary changed = IngestOrDie();
  EXPECT_EQ(changed.files_replaced, 1u);
  EXPECT_EQ(changed.files_unchanged, 2u);
  EXPECT_EQ(db_->GetStats()->count, 3u);
  EXPECT_EQ(QueryIds("zebra", QueryMode::kBm25),
            std::vector<std::string>{docs_dir() + "/cats.txt#0"});
  EXPECT_TRUE(QueryIds("kitten", QueryMode::kBm25).empty());  // old postings are gone
  EXPECT_TRUE(db_->Verify().ok());
}

TEST_F(IngestQueryTest, PruneRemovesSourcesThatDisappeared) {
  WriteAnimalsAndVehicles();
  IngestOrDie();
  std::filesystem::remove(docs_dir() + "/dogs.md");
  IngestSummary kept = IngestOrDie();  // without --prune nothing is removed
  EXPECT_EQ(kept.sources_pruned, 0u);
  EXPECT_EQ(db_->GetStats()->count, 3u);
  IngestOptions prune;
  prune.prune = true;
  IngestSummary pruned = IngestOrDie(prune);
  EXPECT_EQ(pruned.sources_pruned, 1u);
  EXPECT_EQ(pruned.chunks_removed, 1u);
  EXPECT_EQ(db_->GetStats()->count, 2u);
  EXPECT_TRUE(QueryIds("puppy", QueryMode::kBm25).empty());
  EXPECT_TRUE(db_->Verify().ok());
}

TEST_F(IngestQueryTest, LongTextsAreChunkedWithinTheTokenLimit) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "the cat sat. ";
  test::WriteFile(docs_dir() + "/long.txt", text);
  IngestOptions options;
  options.chunk_tokens = 16;
  options.chunk_overlap = 4;
  IngestSummary summary = IngestOrDie(options);
  EXPECT_GT(summary.chunks_added, 40u);
  for (uint64_t c = 0; c < summary.chunks_added; ++c) {
    auto record = db_->Get(docs_dir() + "/long.txt#" + std::to_string(c));
    ASSERT_TRUE(record.ok()) << c;
    EXPECT_EQ(record->source.chunk, static_cast<int32_t>(c));
    EXPECT_EQ(text.substr(record->source.begin, record->source.end - record->source.begin),
              record->text);
  }
}

// Records with metadata for the filter tests: id r<i>, year 1990 + i % 40, lang en or de.
void WriteJsonl(const std::string& path, int n) {
  std::string lines;
  const char* words[] = {"cat", "dog", "car", "truck", "kitten", "puppy"};
  for (int i = 0; i < n; ++i) {
    nlohmann::json record = {
        {"id", "r" + std::to_string(i)},
        {"text", std::string("the ") + words[i % 6] + " " + words[(i / 6) % 6]},
        {"year", 1990 + i % 40},
        {"lang", i % 1000 == 7 ? "la" : (i % 2 ? "en" : "de")}};
    lines += record.dump() + "\n";
  }
  test::WriteFile(path, lines);
}

TEST_F(IngestQueryTest, FiltersGiveTheExactTopKAmongMatches) {
  WriteJsonl(docs_dir() + "/records.jsonl", 2000);
  IngestOrDie();
  QueryOptions options;
  options.mode = QueryMode::kDense;
  options.k = 2000;
  options.dedupe = false;  // many records share a text: every record is ranked here
  auto all = db_->Query("kitten", options);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2000u);
  // The exact answer: the scores of the best 10 matching records of the full ranking (many
  // records share a text, so ids may tie; their scores may not differ).
  std::vector<float> expected;
  for (const Hit& hit : *all) {
    auto meta = nlohmann::json::parse(hit.metadata);
    if (meta["year"].get<int>() >= 2015 && meta["lang"] == "en" && expected.size() < 10) {
      expected.push_back(hit.score);
    }
  }
  ASSERT_EQ(expected.size(), 10u);
  options.k = 10;
  options.where = R"({"year": {"$gte": 2015}, "lang": "en"})";
  auto filtered = db_->Query("kitten", options);
  ASSERT_TRUE(filtered.ok());
  ASSERT_EQ(filtered->size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_NEAR((*filtered)[i].score, expected[i], 1e-5) << i;
    auto meta = nlohmann::json::parse((*filtered)[i].metadata);
    EXPECT_GE(meta["year"].get<int>(), 2015);
    EXPECT_EQ(meta["lang"], "en");
  }
  // 0.1% of the records match: every mode finds exactly them.
  for (QueryMode mode : {QueryMode::kDense, QueryMode::kHybrid}) {
    auto rare = QueryIds("truck", mode, R"({"lang": "la"})", 10);
    std::sort(rare.begin(), rare.end());
    EXPECT_EQ(rare, (std::vector<std::string>{"r1007#0", "r7#0"}));
  }
  // BM25 only ranks records holding a query word: r7 is "the dog dog".
  EXPECT_EQ(QueryIds("dog", QueryMode::kBm25, R"({"lang": {"$in": ["la"]}})", 10),
            std::vector<std::string>{"r7#0"});
}

TEST_F(IngestQueryTest, FiltersSeeWritesMadeAfterEarlierFilteredQueries) {
  WriteAnimalsAndVehicles();
  IngestOptions tagged;
  tagged.extra_metadata = {{"tag", "a"}};
  IngestOrDie(tagged);
  EXPECT_EQ(QueryIds("cat", QueryMode::kDense, R"({"tag": "a"})").size(), 3u);
  // Re-ingest with another tag: every file is replaced (the options changed).
  tagged.extra_metadata = {{"tag", "b"}};
  EXPECT_EQ(IngestOrDie(tagged).files_replaced, 3u);
  EXPECT_TRUE(QueryIds("cat", QueryMode::kDense, R"({"tag": "a"})").empty());
  EXPECT_EQ(QueryIds("cat", QueryMode::kHybrid, R"({"tag": "b"})").size(), 3u);
  ASSERT_TRUE(db_->Delete({docs_dir() + "/cars.txt#0"}).ok());
  EXPECT_EQ(QueryIds("cat", QueryMode::kDense, R"({"tag": "b"})").size(), 2u);
}

TEST_F(IngestQueryTest, BadFiltersAreClearErrors) {
  WriteJsonl(docs_dir() + "/records.jsonl", 20);
  IngestOrDie();
  QueryOptions options;
  options.where = R"({"year": {"$like": "19%"}})";
  auto hits = db_->Query("cat", options);
  ASSERT_TRUE(hits.status().IsInvalidArgument());
  EXPECT_NE(hits.status().message().find("$like"), std::string::npos);
  options.where = R"({"year": {"$gte": [1, 2]}})";
  EXPECT_TRUE(db_->Query("cat", options).status().IsInvalidArgument());
}

TEST_F(IngestQueryTest, FilterOnAFieldNoRecordHasNamesSimilarFields) {
  QueryOptions options;
  options.mode = QueryMode::kBm25;
  options.where = R"({"anything": 1})";
  EXPECT_TRUE(db_->Query("cat", options).ok()) << "an empty database accepts any field";
  WriteJsonl(docs_dir() + "/records.jsonl", 20);
  IngestOrDie();
  options.where = R"({"$or": [{"lang": "en"}, {"yaer": {"$gte": 2000}}]})";
  auto hits = db_->Query("cat", options);
  ASSERT_TRUE(hits.status().IsInvalidArgument()) << hits.status().ToString();
  EXPECT_EQ(hits.status().message(),
            "filter: no record has field \"yaer\" (similar fields: \"year\")");
  options.where = R"({"year": {"$exists": true}, "path": {"$startswith": "/"}})";
  EXPECT_TRUE(db_->Query("cat", options).ok());
}

TEST_F(IngestQueryTest, QueriesOfUnknownOrCommonWordsHaveDefinedResults) {
  WriteAnimalsAndVehicles();
  IngestOrDie();
  for (QueryMode mode : {QueryMode::kDense, QueryMode::kBm25, QueryMode::kHybrid}) {
    EXPECT_TRUE(QueryIds("xylophone qwerty", mode).empty());  // no known token
    EXPECT_TRUE(QueryIds("", mode).empty());
  }
  // Only very common words: every text has "the", so BM25 ranks all three (low scores).
  EXPECT_EQ(QueryIds("the the a", QueryMode::kBm25).size(), 3u);
}

TEST_F(IngestQueryTest, QueryLikeFindsSimilarRecordsButNotItself) {
  WriteAnimalsAndVehicles();
  IngestOrDie();
  QueryOptions options;
  options.mode = QueryMode::kDense;
  auto hits = db_->QueryLike(docs_dir() + "/cats.txt#0", options);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ(hits->front().id, docs_dir() + "/dogs.md#0");  // animals before vehicles
  EXPECT_TRUE(db_->QueryLike("no-such-id", options).status().IsNotFound());
}

TEST_F(IngestQueryTest, JsonlWithoutTextFieldNamesTheLineUnlessSkipped) {
  test::WriteFile(docs_dir() + "/bad.jsonl",
                  "{\"id\": \"a\", \"text\": \"the cat\"}\n{\"id\": \"b\", \"body\": \"dog\"}\n");
  auto failed = db_->Ingest({docs_dir()}, {});
  ASSERT_TRUE(failed.status().IsInvalidArgument());
  EXPECT_NE(failed.status().message().find("bad.jsonl:2"), std::string::npos)
      << failed.status().ToString();
  EXPECT_EQ(db_->GetStats()->count, 0u);  // nothing of the file was written
  IngestOptions skip;
  skip.skip_bad = true;
  IngestSummary summary = IngestOrDie(skip);
  EXPECT_EQ(summary.skipped_records, 1u);
  EXPECT_EQ(db_->GetStats()->count, 1u);
}

TEST_F(IngestQueryTest, BinaryAndEmptyFilesAreSkippedOrEmpty) {
  test::WriteFile(docs_dir() + "/empty.txt", "");
  test::WriteFile(docs_dir() + "/binary.txt", std::string("\x7f"
                                                          "ELF\0\0\0\x01\x02",
                                                          9));
  test::WriteFile(docs_dir() + "/ok.txt", "the cat sat.");
  IngestSummary summary = IngestOrDie();
  EXPECT_EQ(summary.files_skipped, 1u);
  EXPECT_EQ(summary.chunks_added, 1u);
  ASSERT_EQ(summary.skipped.size(), 1u);  // skipped files are listed, not warned about
  EXPECT_NE(summary.skipped[0].path.find("binary.txt"), std::string::npos);
  EXPECT_NE(summary.skipped[0].reason.find("binary"), std::string::npos)
      << summary.skipped[0].reason;
}

TEST_F(IngestQueryTest, ReplacedModelIsRefusedUntilReembed) {
  WriteAnimalsAndVehicles();
  IngestOrDie();
  // Without replace: refused, the old model stays.
  EXPECT_TRUE(db_->ImportWordVectors(dir_.Sub("other_vectors.txt")).IsInvalidArgument());
  ASSERT_TRUE(
      db_->ImportWordVectors(dir_.Sub("other_vectors.txt"), "auto", ExistingModel::kReplace).ok());
  auto refused = db_->Query("kitten", {});
  ASSERT_TRUE(refused.status().IsInvalidArgument());
  EXPECT_NE(refused.status().message().find("reembed"), std::string::npos);
  EXPECT_TRUE(db_->Ingest({docs_dir()}, {}).status().IsInvalidArgument());

  auto summary = db_->Reembed();
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->records + summary->records_kept, 3u);
  EXPECT_TRUE(db_->Verify().ok());
  // In the new model "car" lies along the first axis: the car text answers it.
  EXPECT_EQ(QueryIds("car", QueryMode::kDense).front(), docs_dir() + "/cars.txt#0");
  // Reopening keeps the new state.
  ASSERT_TRUE(db_->Close().ok());
  db_ = test::OpenOrDie(dir_.Sub("db"), Options{});
  EXPECT_EQ(QueryIds("car", QueryMode::kDense).front(), docs_dir() + "/cars.txt#0");
  EXPECT_TRUE(db_->Verify().ok());
}

TEST_F(IngestQueryTest, ModelFromAnotherDatabaseMustMatch) {
  auto other = test::OpenOrDie(dir_.Sub("other"), test::CreateOptions(kDim));
  ASSERT_TRUE(other->ImportWordVectors(dir_.Sub("other_vectors.txt")).ok());
  ASSERT_TRUE(other->Close().ok());
  WriteAnimalsAndVehicles();
  IngestOptions options;
  options.model_from = dir_.Sub("other");
  auto refused = db_->Ingest({docs_dir()}, options);
  ASSERT_TRUE(refused.status().IsInvalidArgument());
  EXPECT_NE(refused.status().message().find(dir_.Sub("other")), std::string::npos);

  // A database without a model takes the other one's.
  auto fresh = test::OpenOrDie(dir_.Sub("fresh"), test::CreateOptions(kDim));
  auto summary = fresh->Ingest({docs_dir()}, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_FALSE(summary->trained_model);
  auto info = fresh->GetModelInfo();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->vocab_size, 5);
}

TEST_F(IngestQueryTest, ADatabaseWithoutAModelTrainsOneOnTheCollection) {
  std::string text;
  const char* sentences[] = {"the cat sat on the mat and the kitten slept.",
                             "a dog barked at the puppy in the yard.",
                             "the red car drove past a blue truck on the road.",
                             "engines and wheels make cars and trucks go."};
  for (int i = 0; i < 400; ++i) text += std::string(sentences[i % 4]) + "\n\n";
  test::WriteFile(docs_dir() + "/corpus.txt", text);
  auto fresh = test::OpenOrDie(dir_.Sub("fresh"), test::CreateOptions(8));
  IngestOptions options;
  options.train.vocab_size = 320;  // sentencepiece needs room for its 256 byte pieces
  auto summary = fresh->Ingest({docs_dir()}, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_TRUE(summary->trained_model);
  EXPECT_GT(summary->chunks_added, 10u);
  QueryOptions query;
  auto hits = fresh->Query("kitten", query);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_FALSE(hits->empty());
  EXPECT_TRUE(fresh->Verify().ok());
}

}  // namespace
}  // namespace quiver
