// Store format 1 → 2: a database written by the last quiver of format 1 (BM25 postings as
// RocksDB keys; tests/fixtures/format1, made by make_format1_db.sh) migrates on its first
// read-write open: the postings family is emptied, the analyzer recorded, the full-text index
// built under index/. A read-only open answers queries without writing anything.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "quiver/db.h"
#include "storage/store.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;

constexpr char kFixture[] = QUIVER_SOURCE_DIR "/tests/fixtures/format1/db";
constexpr char kMigrating[] = "from format 1";
constexpr char kLexicalRebuild[] = "rebuilding the full-text index";

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Every file under `root` (relative path → bytes).
std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files[fs::relative(entry.path(), root).string()] = test::ReadFile(entry.path().string());
    }
  }
  return files;
}

std::vector<Hit> Bm25Hits(DB& db, const std::string& text) {
  QueryOptions options;
  options.mode = QueryMode::kBm25;
  auto hits = db.Query(text, options);
  EXPECT_TRUE(hits.ok()) << text << ": " << hits.status().ToString();
  return hits.ok() ? *hits : std::vector<Hit>{};
}

// The ids of the bm25 hits, with only their file name kept ("proxy.txt#0").
std::vector<std::string> Names(DB& db, const std::string& text) {
  std::vector<std::string> names;
  for (const Hit& hit : Bm25Hits(db, text)) {
    names.push_back(fs::path(hit.id).filename().string());
  }
  return names;
}

struct PostingCount {
  uint64_t keys = 0;
  uint64_t format_version = 0;
  std::string analyzer;
};

// Opens the store directly (read-only) and counts its postings keys.
PostingCount InspectStore(const std::string& db_path) {
  PostingCount out;
  auto store = storage::Store::Open(db_path + "/store", storage::Store::Mode::kReadOnly, false);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return out;
  Status s = (*store)->ScanPostings("", [&](std::string_view, std::string_view) {
    ++out.keys;
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto version = (*store)->GetMetaU64(storage::meta_key::kFormatVersion, 0);
  EXPECT_TRUE(version.ok());
  out.format_version = version.ok() ? *version : 0;
  auto analyzer = (*store)->GetMeta(storage::meta_key::kAnalyzer);
  EXPECT_TRUE(analyzer.ok());
  if (analyzer.ok() && analyzer->has_value()) out.analyzer = **analyzer;
  return out;
}

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::is_directory(kFixture)) << kFixture;
    fs::copy(kFixture, Path(), fs::copy_options::recursive);
    ASSERT_FALSE(fs::exists(Lexical()));
  }

  std::string Path() const { return dir_.Sub("db"); }
  std::string Lexical() const { return Path() + "/index/lexical.qvl"; }

  std::unique_ptr<DB> OpenCapturing(const Options& options, std::string* err) {
    testing::internal::CaptureStderr();
    auto db = DB::Open(options, Path());
    *err = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db.value()) : nullptr;
  }

  // The answers the fixture's four texts must give, whichever way it was opened.
  void ExpectFixtureAnswers(DB& db) {
    auto stats = db.GetStats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->count, 4u);
    EXPECT_EQ(stats->analyzer, "english");
    EXPECT_FALSE(stats->icu_version.empty());
    EXPECT_EQ(stats->lexical_documents, 4u);
    EXPECT_GT(stats->lexical_terms, 40u);
    const std::vector<Hit> hits = Bm25Hits(db, "apt proxies");
    ASSERT_FALSE(hits.empty());
    EXPECT_TRUE(EndsWith(hits[0].id, "/docs/proxy.txt#0")) << hits[0].id;
    EXPECT_EQ(hits[0].text.rfind("To use a web proxy with apt", 0), 0u) << hits[0].text;
    EXPECT_GT(hits[0].score, 0.0f);
    EXPECT_EQ(Names(db, "\"between hosts\""), std::vector<std::string>{"copy.txt#0"});
    EXPECT_EQ(Names(db, "e-mail"), std::vector<std::string>{"mail.txt#0"});
    EXPECT_EQ(Names(db, "Acquire::http::Proxy").front(), "proxy.txt#0");
    // "file" and "files" stem alike; archive.txt holds "files" but is excluded.
    std::vector<std::string> required = Names(db, "+files -archive");
    std::sort(required.begin(), required.end());
    EXPECT_EQ(required, (std::vector<std::string>{"copy.txt#0", "proxy.txt#0"}));
    EXPECT_TRUE(Names(db, "pruned").empty());  // the deleted gone.txt
    // Every kind of query works on the migrated model and vectors.
    for (QueryMode mode : {QueryMode::kDense, QueryMode::kHybrid}) {
      QueryOptions options;
      options.mode = mode;
      auto any = db.Query("tar archive of files", options);
      ASSERT_TRUE(any.ok()) << any.status().ToString();
      EXPECT_EQ(any->size(), 4u);
    }
    Status verified = db.Verify();
    EXPECT_TRUE(verified.ok()) << verified.ToString();
  }

  test::TempDir dir_;
};

TEST_F(MigrationTest, TheFixtureIsFormat1WithPostings) {
  const PostingCount before = InspectStore(Path());
  EXPECT_EQ(before.format_version, 1u);
  EXPECT_GT(before.keys, 0u);
  EXPECT_EQ(before.analyzer, "");
}

TEST_F(MigrationTest, FirstOpenMigratesOnceAndEmptiesThePostings) {
  std::string err;
  {
    auto db = OpenCapturing(Options(), &err);
    ASSERT_NE(db, nullptr);
    EXPECT_TRUE(Contains(err, kMigrating)) << err;
    EXPECT_TRUE(Contains(err, kLexicalRebuild)) << err;
    EXPECT_TRUE(fs::exists(Lexical()));
    ExpectFixtureAnswers(*db);
    ASSERT_TRUE(db->Close().ok());
  }
  const PostingCount after = InspectStore(Path());
  EXPECT_EQ(after.keys, 0u);
  EXPECT_EQ(after.format_version, 2u);
  EXPECT_EQ(after.analyzer, "english");
  const std::string checkpoint = test::ReadFile(Lexical());
  const auto written = fs::last_write_time(Lexical());
  // The second open finds format 2 and a good checkpoint: no migration, no rebuild.
  {
    auto db = OpenCapturing(Options(), &err);
    ASSERT_NE(db, nullptr);
    EXPECT_FALSE(Contains(err, kMigrating)) << err;
    EXPECT_FALSE(Contains(err, "rebuilding")) << err;
    ExpectFixtureAnswers(*db);
    ASSERT_TRUE(db->Close().ok());
  }
  EXPECT_EQ(fs::last_write_time(Lexical()), written);
  EXPECT_EQ(test::ReadFile(Lexical()), checkpoint);
  EXPECT_EQ(InspectStore(Path()).keys, 0u);
}

TEST_F(MigrationTest, TheMigratedDatabaseTakesWrites) {
  auto db = test::OpenOrDie(Path(), Options());
  ASSERT_NE(db, nullptr);
  auto stats = db->GetStats();
  ASSERT_TRUE(stats.ok());
  Record record{"added",
                std::vector<float>(stats->dimension, 0.25f),
                "rsync mirrors directories between hosts",
                "",
                {}};
  ASSERT_TRUE(db->Upsert({record}).ok());
  EXPECT_EQ(Names(*db, "rsync"), std::vector<std::string>{"added"});
  EXPECT_EQ(Names(*db, "\"between hosts\"").size(), 2u);
  ASSERT_TRUE(db->Delete({Bm25Hits(*db, "apt proxies").front().id}).ok());
  EXPECT_TRUE(Names(*db, "Acquire::http::Proxy").empty());
  EXPECT_TRUE(db->Verify().ok());
  ASSERT_TRUE(db->Close().ok());
  EXPECT_EQ(InspectStore(Path()).keys, 0u);  // format 2 writes no postings keys
  db = test::OpenOrDie(Path(), Options());
  EXPECT_EQ(Names(*db, "rsync"), std::vector<std::string>{"added"});
  EXPECT_EQ(db->GetStats()->count, 4u);
  EXPECT_TRUE(db->Verify().ok());
}

TEST_F(MigrationTest, ReadOnlyOpenAnswersWithoutWritingAnything) {
  const auto before = Snapshot(Path());
  {
    Options options;
    options.read_only = true;
    std::string err;
    auto db = OpenCapturing(options, &err);
    ASSERT_NE(db, nullptr);
    EXPECT_FALSE(Contains(err, "migrating")) << err;
    ExpectFixtureAnswers(*db);
    Status refused = db->Upsert({{"x", std::vector<float>(16, 0.5f), "text", "", {}}});
    EXPECT_TRUE(refused.IsNotSupported()) << refused.ToString();
    EXPECT_TRUE(db->Reindex("none").IsNotSupported());
    ASSERT_TRUE(db->Close().ok());
  }
  EXPECT_FALSE(fs::exists(Lexical()));
  const auto after = Snapshot(Path());
  EXPECT_EQ(after.size(), before.size());
  for (const auto& [name, bytes] : before) {
    auto it = after.find(name);
    ASSERT_NE(it, after.end()) << name << " disappeared";
    EXPECT_TRUE(it->second == bytes) << name << " changed";
  }
  for (const auto& [name, bytes] : after) EXPECT_TRUE(before.contains(name)) << name << " appeared";
  // Still format 1: the next read-write open migrates it.
  EXPECT_EQ(InspectStore(Path()).format_version, 1u);
}

}  // namespace
}  // namespace quiver
