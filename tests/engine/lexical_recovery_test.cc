// The full-text index as derived state (engine/lexical.h): it comes back from its checkpoint
// DB/index/lexical.qvl and the operation log after it, is rebuilt from the stored texts
// (announced on stderr) when the checkpoint is missing, damaged or stale, is checked by
// Verify against the stored texts, and follows DB::Reindex across reopens.
//
// Everything goes through quiver::DB. Text queries need the database's model to have computed
// the stored vectors, so each database gets a small word-vector model and is re-embedded once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"
#include "tests/fixtures/text_corpus.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;

constexpr int kDim = test::kTextCorpusDim;
constexpr const char* kCrashDirVar = "QUIVER_LEXICAL_CRASH_DIR";
constexpr char kLexicalRebuild[] = "rebuilding the full-text index";
constexpr char kVectorRebuild[] = "rebuilding the index of";

constexpr const char* kWordVectors = test::kTextCorpusWordVectors;
using Doc = test::TextDoc;

const std::vector<Doc>& Corpus() { return test::TextCorpus(); }

// Texts for the same ids about something else entirely.
std::vector<Doc> OtherCorpus() {
  std::vector<Doc> docs = Corpus();
  for (size_t i = 0; i < docs.size(); ++i) {
    docs[i].text = "tomatoes grow in garden bed " + std::to_string(i) + " beside the beans";
  }
  return docs;
}

std::vector<Record> Records(const std::vector<Doc>& docs, uint64_t seed) {
  return test::TextRecords(docs, seed);
}

Record OneRecord(const std::string& id, const std::string& text, uint64_t seed) {
  return Records({{id, text}}, seed).front();
}

// A new database at `path` with the word-vector model at `vectors_file`, holding `docs`,
// re-embedded so that text queries are accepted.
std::unique_ptr<DB> CreateWithDocs(const std::string& path, const std::string& vectors_file,
                                   const std::vector<Doc>& docs, Options options) {
  auto db = test::OpenOrDie(path, options);
  if (db == nullptr) return nullptr;
  EXPECT_TRUE(db->ImportWordVectors(vectors_file).ok());
  EXPECT_TRUE(db->Upsert(Records(docs, 1)).ok());
  auto reembedded = db->Reembed();
  EXPECT_TRUE(reembedded.ok()) << reembedded.status().ToString();
  return db;
}

using Ranked = std::vector<std::pair<std::string, float>>;

Ranked Bm25(DB& db, const std::string& text, int k = 100) {
  QueryOptions options;
  options.mode = QueryMode::kBm25;
  options.k = k;
  auto hits = db.Query(text, options);
  EXPECT_TRUE(hits.ok()) << text << ": " << hits.status().ToString();
  Ranked out;
  if (hits.ok()) {
    for (const Hit& hit : *hits) out.emplace_back(hit.id, hit.score);
  }
  return out;
}

std::vector<std::string> Ids(const Ranked& ranked) {
  std::vector<std::string> ids;
  for (const auto& [id, score] : ranked) ids.push_back(id);
  return ids;
}

// The ids, sorted: for answers whose order is not the point.
std::vector<std::string> IdSet(const Ranked& ranked) {
  std::vector<std::string> ids = Ids(ranked);
  std::sort(ids.begin(), ids.end());
  return ids;
}

const std::vector<std::string>& Queries() {
  static const std::vector<std::string> queries = {"proxy",
                                                   "files",
                                                   "hosts network",
                                                   "mail",
                                                   "\"between hosts\"",
                                                   "+files -tar",
                                                   "archive",
                                                   "Acquire::http::Proxy",
                                                   "zebra",
                                                   "quokka proxies",
                                                   "the",
                                                   "copies files between hosts"};
  return queries;
}

// Every query's bm25 answer, ids and scores.
std::vector<Ranked> AllAnswers(DB& db) {
  std::vector<Ranked> answers;
  for (const std::string& query : Queries()) answers.push_back(Bm25(db, query));
  return answers;
}

// Opens `path` with default options, *err receiving what it wrote to stderr.
std::unique_ptr<DB> OpenCapturing(const std::string& path, std::string* err,
                                  Options options = Options()) {
  testing::internal::CaptureStderr();
  auto db = DB::Open(options, path);
  *err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db.value()) : nullptr;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class LexicalRecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::WriteFile(VectorsFile(), kWordVectors);
    auto db = CreateWithDocs(Path(), VectorsFile(), Corpus(), test::CreateOptions(kDim));
    ASSERT_NE(db, nullptr);
    // Leave a tombstone and a replaced text behind.
    ASSERT_TRUE(db->Upsert({OneRecord("disk",
                                      "The disk holds the archive of old mail and "
                                      "backup files.",
                                      7)})
                    .ok());
    ASSERT_TRUE(db->Delete({"web"}).ok());
    expected_ = AllAnswers(*db);
    auto stats = db->GetStats();
    ASSERT_TRUE(stats.ok());
    expected_stats_ = *stats;
    ASSERT_TRUE(db->Close().ok());
    ASSERT_TRUE(fs::exists(Lexical()));
  }

  std::string Path() const { return dir_.Sub("db"); }
  std::string VectorsFile() const { return dir_.Sub("vectors.txt"); }
  std::string Lexical() const { return Path() + "/index/lexical.qvl"; }

  // Reopens, expecting (or not) a rebuild of the full-text index and never one of the vector
  // index, and checks that the database answers as before, verifies and has a checkpoint.
  void ExpectReopensHealthy(bool expect_rebuild) {
    std::string err;
    auto db = OpenCapturing(Path(), &err);
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(Contains(err, kLexicalRebuild), expect_rebuild) << err;
    EXPECT_FALSE(Contains(err, kVectorRebuild)) << err;
    EXPECT_EQ(AllAnswers(*db), expected_);
    auto stats = db->GetStats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->count, expected_stats_.count);
    EXPECT_EQ(stats->lexical_documents, expected_stats_.count);
    EXPECT_EQ(stats->analyzer, "english");
    Status verified = db->Verify();
    EXPECT_TRUE(verified.ok()) << verified.ToString();
    EXPECT_TRUE(fs::exists(Lexical()));  // a rebuild writes a checkpoint at once
  }

  test::TempDir dir_;
  std::vector<Ranked> expected_;
  Stats expected_stats_;
};

TEST_F(LexicalRecoveryTest, TheSetUpAnswersAsExpected) {
  // The expectations every other test compares with are themselves right.
  ASSERT_EQ(expected_.size(), Queries().size());
  EXPECT_EQ(IdSet(expected_[0]), (std::vector<std::string>{"proxies", "proxy"}));
  EXPECT_EQ(Ids(expected_[4]), std::vector<std::string>{"scp"});  // "between hosts"
  for (const auto& [id, score] : expected_[5]) EXPECT_NE(id, "tar");
  EXPECT_EQ(Ids(expected_[7]).front(), "proxy");
  EXPECT_TRUE(expected_[8].empty());  // zebra
  EXPECT_EQ(expected_stats_.count, Corpus().size() - 1);
  EXPECT_EQ(expected_stats_.lexical_documents, Corpus().size() - 1);
  EXPECT_GT(expected_stats_.lexical_terms, 50u);
}

TEST_F(LexicalRecoveryTest, ReopenAnswersTheSameFromTheCheckpoint) {
  ExpectReopensHealthy(/*expect_rebuild=*/false);
  ExpectReopensHealthy(false);
}

TEST_F(LexicalRecoveryTest, CheckpointsMergeTombstonesAwayOnceTheyAreATenth) {
  // The set-up's replacement and delete left 2 tombstones beside 11 documents before Close's
  // checkpoint, which merged them away without changing any answer.
  EXPECT_EQ(expected_stats_.lexical_deleted, 2u);
  auto db = test::OpenOrDie(Path(), Options());
  ASSERT_NE(db, nullptr);
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->lexical_deleted, 0u);
  EXPECT_EQ(AllAnswers(*db), expected_);
  // One tombstone beside 10 documents is not more than a tenth: it stays.
  ASSERT_TRUE(db->Delete({"mail"}).ok());
  ASSERT_TRUE(db->Close().ok());
  db = test::OpenOrDie(Path(), Options());
  ASSERT_NE(db, nullptr);
  stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->lexical_deleted, 1u);
  EXPECT_EQ(stats->lexical_documents, 10u);
  EXPECT_TRUE(db->Verify().ok());
}

TEST_F(LexicalRecoveryTest, MissingCheckpointRebuilds) {
  ASSERT_TRUE(fs::remove(Lexical()));
  ExpectReopensHealthy(/*expect_rebuild=*/true);
  ExpectReopensHealthy(false);  // the rebuild wrote a good checkpoint
}

TEST_F(LexicalRecoveryTest, FlippedByteInTheMiddleRebuilds) {
  std::string bytes = test::ReadFile(Lexical());
  ASSERT_GT(bytes.size(), 200u);
  bytes[bytes.size() / 2] ^= 0x40;
  test::WriteFile(Lexical(), bytes);
  ExpectReopensHealthy(true);
  ExpectReopensHealthy(false);
}

TEST_F(LexicalRecoveryTest, TruncatedCheckpointRebuilds) {
  const std::string bytes = test::ReadFile(Lexical());
  test::WriteFile(Lexical(), bytes.substr(0, bytes.size() / 2));
  ExpectReopensHealthy(true);
  ExpectReopensHealthy(false);
}

TEST_F(LexicalRecoveryTest, HeaderOnlyOrEmptyCheckpointRebuilds) {
  const std::string bytes = test::ReadFile(Lexical());
  test::WriteFile(Lexical(), bytes.substr(0, 56));  // the header, no payload
  ExpectReopensHealthy(true);
  test::WriteFile(Lexical(), "");
  ExpectReopensHealthy(true);
}

TEST_F(LexicalRecoveryTest, VectorCheckpointInPlaceOfTheLexicalOneRebuilds) {
  // Both files have the standard header; the vector one must not pass for a lexical one.
  fs::copy_file(Path() + "/index/checkpoint.qvi", Lexical(), fs::copy_options::overwrite_existing);
  ExpectReopensHealthy(true);
}

TEST_F(LexicalRecoveryTest, StaleCheckpointRebuilds) {
  const std::string old_checkpoint = test::ReadFile(Lexical());
  {
    auto db = test::OpenOrDie(Path(), Options());
    ASSERT_TRUE(db->Delete({"rsync"}).ok());
    ASSERT_TRUE(db->Upsert({OneRecord("rsync",
                                      "rsync copies files between directories and "
                                      "skips files that did not change.",
                                      9)})
                    .ok());
    ASSERT_TRUE(db->Close().ok());  // checkpoints and trims the operation log
  }
  // Older than the kept operation log: it cannot be brought up to date.
  test::WriteFile(Lexical(), old_checkpoint);
  std::string err;
  auto db = OpenCapturing(Path(), &err);
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(Contains(err, kLexicalRebuild)) << err;
  EXPECT_FALSE(Contains(err, kVectorRebuild)) << err;
  // rsync got a new internal id, so only its place among ties may differ: compare sets.
  EXPECT_EQ(Ids(Bm25(*db, "directories")), std::vector<std::string>{"rsync"});
  EXPECT_EQ(Bm25(*db, "files").size(), expected_[1].size());
  Status verified = db->Verify();
  EXPECT_TRUE(verified.ok()) << verified.ToString();
}

TEST_F(LexicalRecoveryTest, VerifyReportsADamagedCheckpointFileWhileOpen) {
  auto db = test::OpenOrDie(Path(), Options());
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Verify().ok());
  std::string bytes = test::ReadFile(Lexical());
  bytes[bytes.size() - 7] ^= 0x01;
  test::WriteFile(Lexical(), bytes);
  Status s = db->Verify();
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  // The in-memory index is still right: queries are unaffected.
  EXPECT_EQ(AllAnswers(*db), expected_);
}

// A lexical checkpoint of another database in the same state of its operation log (same
// records, same sequence) but with other texts passes every check of the file itself.
TEST_F(LexicalRecoveryTest, ForeignCheckpointIsNotTrusted) {
  const std::string other = dir_.Sub("other");
  {
    auto db = CreateWithDocs(other, VectorsFile(), OtherCorpus(), test::CreateOptions(kDim));
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Upsert({OneRecord("disk", "tomatoes again", 7)}).ok());
    ASSERT_TRUE(db->Delete({"web"}).ok());
    auto stats = db->GetStats();
    ASSERT_TRUE(stats.ok());
    ASSERT_EQ(stats->last_sequence, expected_stats_.last_sequence);
    ASSERT_EQ(stats->count, expected_stats_.count);
    ASSERT_TRUE(db->Close().ok());
  }
  fs::copy_file(other + "/index/lexical.qvl", Lexical(), fs::copy_options::overwrite_existing);
  std::string err;
  auto db = OpenCapturing(Path(), &err);
  ASSERT_NE(db, nullptr);
  const bool rebuilt = Contains(err, kLexicalRebuild);
  Status verified = db->Verify();
  std::printf("foreign checkpoint: %s; Verify: %s\n", rebuilt ? "rebuilt on open" : "loaded",
              verified.ToString().c_str());
  if (rebuilt) {
    EXPECT_TRUE(verified.ok()) << verified.ToString();
    EXPECT_EQ(AllAnswers(*db), expected_);
  } else {
    // What is reachable today: the checkpoint is loaded (nothing in it names the database or
    // its texts), queries answer from the other texts, and Verify says so.
    EXPECT_TRUE(verified.IsCorruption()) << verified.ToString();
    EXPECT_TRUE(Contains(verified.message(), "full-text index")) << verified.ToString();
    EXPECT_EQ(Ids(Bm25(*db, "tomatoes")).size(), expected_stats_.count);
  }
  // Reindex with the same language repairs it.
  ASSERT_TRUE(db->Reindex("english").ok());
  EXPECT_EQ(AllAnswers(*db), expected_);
  verified = db->Verify();
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  ASSERT_TRUE(db->Close().ok());
  ExpectReopensHealthy(false);
}

TEST_F(LexicalRecoveryTest, ReindexWithoutStemmingStopsMatchingOtherForms) {
  auto db = test::OpenOrDie(Path(), Options());
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(IdSet(Bm25(*db, "proxies")), (std::vector<std::string>{"proxies", "proxy"}));
  ASSERT_TRUE(db->Reindex("none").ok());
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->analyzer, "none");
  EXPECT_EQ(stats->lexical_documents, expected_stats_.count);
  EXPECT_EQ(Ids(Bm25(*db, "proxies")), std::vector<std::string>{"proxies"});
  EXPECT_EQ(Ids(Bm25(*db, "proxy")), std::vector<std::string>{"proxy"});
  EXPECT_EQ(Ids(Bm25(*db, "copy")), std::vector<std::string>{});  // texts say "copies"
  Status verified = db->Verify();
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  ASSERT_TRUE(db->Reindex("english").ok());
  EXPECT_EQ(db->GetStats()->analyzer, "english");
  EXPECT_EQ(AllAnswers(*db), expected_);
  EXPECT_EQ(Ids(Bm25(*db, "copy")).size(), 3u);  // scp, rsync, backup
  EXPECT_TRUE(db->Verify().ok());
}

TEST_F(LexicalRecoveryTest, ReindexToAnUnknownLanguageChangesNothing) {
  const std::string checkpoint = test::ReadFile(Lexical());
  {
    auto db = test::OpenOrDie(Path(), Options());
    ASSERT_NE(db, nullptr);
    Status s = db->Reindex("klingon");
    EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_EQ(db->GetStats()->analyzer, "english");
    EXPECT_EQ(AllAnswers(*db), expected_);
    EXPECT_TRUE(db->Verify().ok());
    EXPECT_EQ(test::ReadFile(Lexical()), checkpoint);
    ASSERT_TRUE(db->Close().ok());
  }
  EXPECT_EQ(test::ReadFile(Lexical()), checkpoint);
  ExpectReopensHealthy(false);
}

TEST_F(LexicalRecoveryTest, ReindexIsKeptAcrossReopen) {
  {
    auto db = test::OpenOrDie(Path(), Options());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Reindex("none").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  std::string err;
  auto db = OpenCapturing(Path(), &err);
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(Contains(err, kLexicalRebuild)) << err;
  EXPECT_EQ(db->GetStats()->analyzer, "none");
  EXPECT_EQ(Ids(Bm25(*db, "proxies")), std::vector<std::string>{"proxies"});
  EXPECT_EQ(Ids(Bm25(*db, "proxy")), std::vector<std::string>{"proxy"});
  // Writes after the reindex are analyzed without stemming too.
  ASSERT_TRUE(db->Upsert({OneRecord("new", "more proxies here", 11)}).ok());
  EXPECT_EQ(IdSet(Bm25(*db, "proxies")), (std::vector<std::string>{"new", "proxies"}));
  Status verified = db->Verify();
  EXPECT_TRUE(verified.ok()) << verified.ToString();
}

// DB::Reindex records the new analyzer in meta, then writes the new checkpoint. A process
// killed between the two leaves meta naming the new analyzer beside the old checkpoint, at the
// same operation-log sequence (a reindex writes no log entry). Restoring the old checkpoint
// after a reindex makes exactly that state.
TEST_F(LexicalRecoveryTest, ReindexInterruptedBeforeItsCheckpointIsRepairedOnOpen) {
  const std::string english_checkpoint = test::ReadFile(Lexical());
  {
    auto db = test::OpenOrDie(Path(), Options());
    ASSERT_NE(db, nullptr);
    ASSERT_TRUE(db->Reindex("none").ok());
    ASSERT_TRUE(db->Close().ok());
  }
  test::WriteFile(Lexical(), english_checkpoint);
  std::string err;
  auto db = OpenCapturing(Path(), &err);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->GetStats()->analyzer, "none");
  // lexical.h: the index is rebuilt when its checkpoint was made by another analyzer.
  EXPECT_TRUE(Contains(err, kLexicalRebuild)) << err;
  Status verified = db->Verify();
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  EXPECT_EQ(Ids(Bm25(*db, "proxies")), std::vector<std::string>{"proxies"});
  EXPECT_EQ(Ids(Bm25(*db, "proxy")), std::vector<std::string>{"proxy"});
}

// ---- operations after the last checkpoint survive a crash -------------------------------------

constexpr uint64_t kCrashInterval = 10;

// What the crashed writer does before its last checkpoint: 12 records (a checkpoint by the
// interval at sequence 12), a re-embed (24 operations, then a checkpoint at 36), then 10
// single-record upserts (a checkpoint by the interval at 46).
std::unique_ptr<DB> WriteUpToTheLastCheckpoint(const std::string& path,
                                               const std::string& vectors_file) {
  Options options = test::CreateOptions(kDim);
  options.checkpoint_interval = kCrashInterval;
  auto db = CreateWithDocs(path, vectors_file, Corpus(), options);
  if (db == nullptr) return nullptr;
  for (int i = 0; i < 10; ++i) {
    const std::string n = std::to_string(i);
    EXPECT_TRUE(
        db->Upsert({OneRecord("s" + n, "note " + n + " about hosts and files", 20 + i)}).ok());
  }
  return db;
}

// And after it: 5 operations, fewer than the interval.
void WriteAfterTheLastCheckpoint(DB& db) {
  EXPECT_TRUE(db.Upsert({OneRecord("tar", "tar was replaced by a zebra archive tool", 40)}).ok());
  EXPECT_TRUE(db.Upsert({OneRecord("late", "a late quokka note about proxies", 41)}).ok());
  EXPECT_TRUE(db.Delete({"proxy"}).ok());
  EXPECT_TRUE(db.Delete({"s3"}).ok());
}

// The writer, run in a child process by the test below (skipped when run directly): writes,
// says "done", and waits to be killed.
TEST(LexicalCrashChild, WriteThenWaitToBeKilled) {
  const char* dir = std::getenv(kCrashDirVar);
  if (dir == nullptr) GTEST_SKIP() << "runs only as the child of a lexical recovery test";
  const std::string root = dir;
  test::WriteFile(root + "/vectors.txt", kWordVectors);
  auto db = WriteUpToTheLastCheckpoint(root + "/db", root + "/vectors.txt");
  ASSERT_NE(db, nullptr);
  WriteAfterTheLastCheckpoint(*db);
  std::printf("done\n");
  std::fflush(stdout);
  for (;;) ::sleep(1);
}

TEST(LexicalCrashTest, OperationsAfterTheLastCheckpointAreReplayed) {
  test::TempDir dir;
  {
    test::TestChild child("LexicalCrashChild.WriteThenWaitToBeKilled",
                          {std::string(kCrashDirVar) + "=" + dir.path()});
    std::string line;
    bool done = false;
    while (!done && child.ReadLine(&line)) done = line == "done\n";
    ASSERT_TRUE(done) << "the writer did not finish its writes";
    ASSERT_TRUE(child.Kill());
  }
  // The same writes in this process, closed cleanly: the answers to expect.
  std::vector<Ranked> expected;
  {
    auto reference = WriteUpToTheLastCheckpoint(dir.Sub("reference"), dir.Sub("vectors.txt"));
    ASSERT_NE(reference, nullptr);
    WriteAfterTheLastCheckpoint(*reference);
    ASSERT_TRUE(reference->Close().ok());
    auto reopened = test::OpenOrDie(dir.Sub("reference"), Options());
    expected = AllAnswers(*reopened);
  }
  std::string err;
  auto db = OpenCapturing(dir.Sub("db"), &err);
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(Contains(err, kLexicalRebuild)) << err;
  EXPECT_FALSE(Contains(err, kVectorRebuild)) << err;
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  // The checkpoint the writer left covers sequence 46; the log holds 5 more operations.
  EXPECT_EQ(stats->checkpoint_sequence, 46u);
  EXPECT_EQ(stats->last_sequence, 51u);
  EXPECT_EQ(stats->count, Corpus().size() + 10 + 1 - 2);
  EXPECT_EQ(stats->lexical_documents, stats->count);
  // The replayed writes are searchable, and what they removed is gone.
  EXPECT_EQ(Ids(Bm25(*db, "zebra")), std::vector<std::string>{"tar"});
  EXPECT_TRUE(Bm25(*db, "saves").empty());  // the old text of "tar"
  EXPECT_EQ(Ids(Bm25(*db, "quokka")), std::vector<std::string>{"late"});
  for (const std::string& id : Ids(Bm25(*db, "Acquire::http::Proxy"))) EXPECT_NE(id, "proxy");
  EXPECT_EQ(IdSet(Bm25(*db, "proxies")), (std::vector<std::string>{"late", "proxies"}));
  EXPECT_TRUE(Bm25(*db, "3").empty());  // note 3 was deleted
  EXPECT_EQ(Ids(Bm25(*db, "4")), std::vector<std::string>{"s4"});
  EXPECT_EQ(AllAnswers(*db), expected);
  Status verified = db->Verify();
  EXPECT_TRUE(verified.ok()) << verified.ToString();
  ASSERT_TRUE(db->Close().ok());
  // Reopening the recovered database gives the same answers without a rebuild.
  db = OpenCapturing(dir.Sub("db"), &err);
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(Contains(err, kLexicalRebuild)) << err;
  EXPECT_EQ(db->GetStats()->checkpoint_sequence, 51u);
  EXPECT_EQ(AllAnswers(*db), expected);
  EXPECT_TRUE(db->Verify().ok());
}

}  // namespace
}  // namespace quiver
