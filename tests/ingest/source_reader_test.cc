// engine/source_reader: listing ingestion sources and reading them into documents.
#include "ingest/source_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tests/fixtures/test_util.h"

namespace quiver::ingest {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

void Write(const std::string& path, const std::string& contents) {
  fs::create_directories(fs::path(path).parent_path());
  test::WriteFile(path, contents);
}

std::string Gzip(const std::string& data, const std::string& scratch_path) {
  gzFile f = gzopen(scratch_path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  if (f == nullptr) return "";
  if (!data.empty()) {
    EXPECT_EQ(gzwrite(f, data.data(), static_cast<unsigned>(data.size())),
              static_cast<int>(data.size()));
  }
  EXPECT_EQ(gzclose(f), Z_OK);
  std::string bytes = test::ReadFile(scratch_path);
  fs::remove(scratch_path);
  return bytes;
}

// Writes `data` gzip-compressed with zlib's gzopen.
void WriteGzip(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  if (!data.empty()) {
    ASSERT_EQ(gzwrite(f, data.data(), static_cast<unsigned>(data.size())),
              static_cast<int>(data.size()));
  }
  ASSERT_EQ(gzclose(f), Z_OK);
}

SourceFile ReadOrDie(const std::string& path, const ReaderOptions& options = {}) {
  Result<SourceFile> file = ReadSource(path, options);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return SourceFile{};
  return std::move(file).value();
}

std::vector<std::string> Ids(const SourceFile& file) {
  std::vector<std::string> ids;
  for (const SourceDocument& doc : file.documents) ids.push_back(doc.id);
  return ids;
}

std::vector<std::string> Texts(const SourceFile& file) {
  std::vector<std::string> texts;
  for (const SourceDocument& doc : file.documents) texts.push_back(doc.text);
  return texts;
}

std::vector<uint64_t> Lines(const SourceFile& file) {
  std::vector<uint64_t> lines;
  for (const SourceDocument& doc : file.documents) lines.push_back(doc.line);
  return lines;
}

nlohmann::json Metadata(const SourceDocument& doc) {
  return nlohmann::json::parse(doc.metadata_json);
}

// ---- ListSources ----------------------------------------------------------------------------

TEST(SourceReader, ListsDirectoriesRecursivelyInSortedOrder) {
  test::TempDir dir;
  const std::string tree = dir.Sub("tree");
  for (const char* name : {"b.txt", "a.md", "A.TXT", "d.CSV", "e.ndjson", "f.markdown", "README",
                           "b.txt.bak", ".hidden.txt", ".git/config.txt", "sub/z.txt",
                           "sub/deeper/y.jsonl", "aa/x.txt", "sub/.cache/w.txt"}) {
    Write(tree + "/" + name, "x");
  }
  WriteGzip(tree + "/c.jsonl.gz", "{\"text\": \"x\"}\n");
  WriteGzip(tree + "/g.Md.Gz", "x");
  WriteGzip(tree + "/archive.tar.gz", std::string("tar\0\0\0", 6));
  Write(tree + "/image.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
  fs::create_symlink(tree + "/b.txt", tree + "/l.txt");        // a link to a file is kept
  fs::create_symlink(tree, tree + "/sub/loop");                // a link to a directory is not
  fs::create_symlink(tree + "/gone", tree + "/dangling.txt");  // nor a dangling link
  const std::string explicit_file = dir.Sub("elsewhere/notes.log");
  Write(explicit_file, "y");

  std::vector<std::string> warnings;
  auto listing =
      ListCollection({tree, explicit_file, tree + "/b.txt", tree + "/./a.md"}, &warnings);
  ASSERT_TRUE(listing.ok()) << listing.status().ToString();
  // Text by content, whatever the name (README, .bak); byte order; each file once.
  EXPECT_THAT(
      listing->files,
      ElementsAre(tree + "/A.TXT", tree + "/README", tree + "/a.md", tree + "/aa/x.txt",
                  tree + "/b.txt", tree + "/b.txt.bak", tree + "/c.jsonl.gz", tree + "/d.CSV",
                  tree + "/e.ndjson", tree + "/f.markdown", tree + "/g.Md.Gz", tree + "/l.txt",
                  tree + "/sub/deeper/y.jsonl", tree + "/sub/z.txt", explicit_file));
  std::vector<std::string> skipped;
  for (const SkippedFile& s : listing->skipped) skipped.push_back(s.path + ": " + s.reason);
  EXPECT_THAT(skipped,
              ElementsAre(tree + "/.git: hidden directory", tree + "/.hidden.txt: hidden file",
                          tree + "/archive.tar.gz: looks binary (a NUL byte at offset 3)",
                          tree + "/dangling.txt: a link to nothing",
                          tree + "/image.png: looks binary (a PNG image)",
                          tree + "/sub/.cache: hidden directory",
                          tree + "/sub/loop: a link to a directory (not followed)"));
  EXPECT_TRUE(warnings.empty());

  // Deterministic: the same answer again, and a trailing slash changes nothing but spelling.
  auto again = ListSources({tree, explicit_file}, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, listing->files);
  auto slash = ListSources({tree + "/sub/"}, nullptr);
  ASSERT_TRUE(slash.ok());
  EXPECT_THAT(*slash, ElementsAre(tree + "/sub/deeper/y.jsonl", tree + "/sub/z.txt"));
}

TEST(SourceReader, ListingAMissingPathIsNotFound) {
  test::TempDir dir;
  Write(dir.Sub("a.txt"), "x");
  auto files = ListSources({dir.Sub("a.txt"), dir.Sub("missing.txt")}, nullptr);
  ASSERT_FALSE(files.ok());
  EXPECT_TRUE(files.status().IsNotFound()) << files.status().ToString();
  EXPECT_THAT(files.status().message(), HasSubstr(dir.Sub("missing.txt")));
}

TEST(SourceReader, UnlistableSubdirectoryIsWarnedAboutAndSkipped) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can list any directory";
  test::TempDir dir;
  Write(dir.Sub("tree/a.txt"), "x");
  Write(dir.Sub("tree/locked/b.txt"), "x");
  ASSERT_EQ(::chmod(dir.Sub("tree/locked").c_str(), 0), 0);
  std::vector<std::string> warnings;
  auto files = ListSources({dir.Sub("tree")}, &warnings);
  ::chmod(dir.Sub("tree/locked").c_str(), 0755);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_THAT(*files, ElementsAre(dir.Sub("tree/a.txt")));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr(dir.Sub("tree/locked")));
}

// ---- Text files -----------------------------------------------------------------------------

TEST(SourceReader, TextFileIsOneDocument) {
  test::TempDir dir;
  const std::string path = dir.Sub("doc.md");
  const std::string text = "# Title\r\n\r\nSome *markdown* text.\n";
  Write(path, text);
  const SourceFile file = ReadOrDie(path);
  EXPECT_EQ(file.path, path);
  EXPECT_EQ(file.size, text.size());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  EXPECT_GT(file.mtime, now - 3600);
  EXPECT_LE(file.mtime, now + 5);
  ASSERT_EQ(file.documents.size(), 1u);
  EXPECT_EQ(file.documents[0].id, path);
  EXPECT_EQ(file.documents[0].text, text);
  EXPECT_EQ(file.documents[0].metadata_json, "{}");
  EXPECT_EQ(file.documents[0].line, 0u);
  EXPECT_EQ(file.repaired_bytes, 0u);
  EXPECT_EQ(file.skipped_records, 0u);

  // An explicitly named file with another extension is plain text too.
  Write(dir.Sub("notes.log"), "log line\n");
  EXPECT_THAT(Texts(ReadOrDie(dir.Sub("notes.log"))), ElementsAre("log line\n"));
  // A UTF-8 byte order mark is dropped.
  Write(dir.Sub("bom.txt"), "\xEF\xBB\xBFhello");
  EXPECT_THAT(Texts(ReadOrDie(dir.Sub("bom.txt"))), ElementsAre("hello"));
}

TEST(SourceReader, ContentHashIsXxh64OfTheContent) {
  test::TempDir dir;
  Write(dir.Sub("empty.txt"), "");
  Write(dir.Sub("abc.txt"), "abc");
  Write(dir.Sub("long.txt"), "Nobody inspects the spammish repetition");
  WriteGzip(dir.Sub("abc.txt.gz"), "abc");
  EXPECT_EQ(ReadOrDie(dir.Sub("empty.txt")).content_hash, "ef46db3751d8e999");
  EXPECT_EQ(ReadOrDie(dir.Sub("abc.txt")).content_hash, "44bc2cf5ad770999");
  EXPECT_EQ(ReadOrDie(dir.Sub("long.txt")).content_hash, "fbcea83c8a378bf1");
  // Of the decompressed content, so the same as the plain file.
  const SourceFile gz = ReadOrDie(dir.Sub("abc.txt.gz"));
  EXPECT_EQ(gz.content_hash, "44bc2cf5ad770999");
  EXPECT_EQ(gz.size, fs::file_size(dir.Sub("abc.txt.gz")));
  // Any change changes it.
  Write(dir.Sub("abd.txt"), "abd");
  EXPECT_NE(ReadOrDie(dir.Sub("abd.txt")).content_hash, "44bc2cf5ad770999");
}

TEST(SourceReader, EmptyFilesGiveNoDocuments) {
  test::TempDir dir;
  Write(dir.Sub("a.txt"), "");
  Write(dir.Sub("b.md"), "  \n\n\t\n");
  Write(dir.Sub("c.jsonl"), "");
  Write(dir.Sub("d.jsonl"), "\n\n   \n\r\n");
  Write(dir.Sub("e.csv"), "");
  Write(dir.Sub("f.csv"), "id,text\r\n");
  Write(dir.Sub("g.jsonl.gz"), "");  // zero bytes, not even a gzip header
  WriteGzip(dir.Sub("h.txt.gz"), "");
  WriteGzip(dir.Sub("i.csv.gz"), "\n\n");
  for (const char* name : {"a.txt", "b.md", "c.jsonl", "d.jsonl", "e.csv", "f.csv", "g.jsonl.gz",
                           "h.txt.gz", "i.csv.gz"}) {
    SCOPED_TRACE(name);
    const SourceFile file = ReadOrDie(dir.Sub(name));
    EXPECT_TRUE(file.documents.empty());
    EXPECT_EQ(file.skipped_records, 0u);
  }
}

// ---- JSON Lines -----------------------------------------------------------------------------

TEST(SourceReader, JsonlIdsTextAndMetadata) {
  test::TempDir dir;
  const std::string path = dir.Sub("data.jsonl");
  Write(path,
        "{\"id\":\"a\",\"text\":\"hello\",\"lang\":\"en\",\"n\":3}\n"
        "{\"id\":7,\"text\":\"seven\",\"tags\":[\"x\",\"y\"]}\n"
        "\n"
        "{\"text\":\"no id\"}\r\n"
        "  {\"id\":null,\"text\":\"null id\",\"meta\":{\"k\":1.5}}  \n"
        "{\"text\":\"\\u00e9t\\u00e9 \\ud83d\\ude00\",\"id\":\"last\"}");  // no final newline
  const SourceFile file = ReadOrDie(path);
  EXPECT_THAT(Ids(file), ElementsAre("a", "7", path + ":4", path + ":5", "last"));
  EXPECT_THAT(Texts(file),
              ElementsAre("hello", "seven", "no id", "null id", "\u00e9t\u00e9 \U0001F600"));
  EXPECT_THAT(Lines(file), ElementsAre(1u, 2u, 4u, 5u, 6u));
  EXPECT_EQ(Metadata(file.documents[0]), nlohmann::json::parse(R"({"lang":"en","n":3})"));
  EXPECT_EQ(file.documents[0].metadata_json, R"({"lang":"en","n":3})");
  EXPECT_EQ(Metadata(file.documents[1]), nlohmann::json::parse(R"({"tags":["x","y"]})"));
  EXPECT_EQ(file.documents[2].metadata_json, "{}");
  EXPECT_EQ(Metadata(file.documents[3]), nlohmann::json::parse(R"({"meta":{"k":1.5}})"));
}

TEST(SourceReader, JsonlConfigurableFields) {
  test::TempDir dir;
  const std::string path = dir.Sub("data.ndjson");
  Write(path, R"({"doc":"d1","body":"first","lang":"en","year":2001,"text":"not the text"})"
              "\n"
              R"({"doc":2.5,"body":"second","year":2002})"
              "\n");
  ReaderOptions options;
  options.id_field = "doc";
  options.text_field = "body";
  options.metadata_fields = {"lang", "missing"};
  SourceFile file = ReadOrDie(path, options);
  EXPECT_THAT(Ids(file), ElementsAre("d1", "2.5"));
  EXPECT_THAT(Texts(file), ElementsAre("first", "second"));
  EXPECT_EQ(file.documents[0].metadata_json, R"({"lang":"en"})");
  EXPECT_EQ(file.documents[1].metadata_json, "{}");

  // Without a list, every other field (including one called "text") is metadata.
  options.metadata_fields.clear();
  file = ReadOrDie(path, options);
  EXPECT_EQ(Metadata(file.documents[0]),
            nlohmann::json::parse(R"({"lang":"en","year":2001,"text":"not the text"})"));
}

TEST(SourceReader, JsonlMissingTextFieldNamesTheLineAndKeys) {
  test::TempDir dir;
  const std::string path = dir.Sub("bad.jsonl");
  Write(path, "{\"id\":\"1\",\"text\":\"fine\"}\n{\"id\":\"2\",\"body\":\"oops\"}\n");
  auto file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(file.status().IsInvalidArgument());
  EXPECT_EQ(file.status().message(),
            path + ":2: no \"text\" field (a string); found keys: body, id");

  Write(path, "{\"text\":5}\n");
  file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), path + ":1: field \"text\" is a number; expected a string");

  Write(path, "{\"id\":true,\"text\":\"x\"}\n");
  file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr(path + ":1: field \"id\" is a boolean"));

  Write(path, "\n\n[1, 2]\n");
  file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), path + ":3: expected a JSON object, found an array");
}

TEST(SourceReader, JsonlInvalidJsonNamesTheLine) {
  test::TempDir dir;
  const std::string path = dir.Sub("bad.jsonl");
  Write(path, "{\"text\":\"a\"}\n{\"text\": \"unterminated}\n");
  auto file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(file.status().IsInvalidArgument());
  EXPECT_THAT(file.status().message(), HasSubstr(path + ":2: invalid JSON: "));
  EXPECT_THAT(file.status().message(), Not(HasSubstr("json.exception")));
}

TEST(SourceReader, SkipBadCountsAndSkipsBadRecords) {
  test::TempDir dir;
  const std::string path = dir.Sub("mixed.jsonl");
  Write(path,
        "{\"id\":\"ok1\",\"text\":\"one\"}\n"
        "{\"id\":\"no-text\"}\n"
        "{\"text\": \n"
        "42\n"
        "{\"id\":\"ok2\",\"text\":\"two\"}\n");
  ReaderOptions options;
  options.skip_bad = true;
  const SourceFile file = ReadOrDie(path, options);
  EXPECT_THAT(Ids(file), ElementsAre("ok1", "ok2"));
  EXPECT_THAT(Lines(file), ElementsAre(1u, 5u));
  EXPECT_EQ(file.skipped_records, 3u);
  EXPECT_THAT(file.first_skip_reason, HasSubstr(path + ":2: no \"text\" field"));

  options.skip_bad = false;
  EXPECT_TRUE(ReadSource(path, options).status().IsInvalidArgument());
}

// ---- CSV ------------------------------------------------------------------------------------

TEST(SourceReader, CsvQuotingEmbeddedNewlinesAndCrlf) {
  test::TempDir dir;
  const std::string path = dir.Sub("rows.csv");
  Write(path,
        "id,text,author,year\r\n"
        "1,plain text,ann,2001\r\n"
        "2,\"with, comma\",\"bob \"\"the\"\" builder\",2002\r\n"
        "3,\"multi\nline\r\ntext\",carl,\r\n"
        "\r\n"
        "4,after a blank line,\"\",2004\r\n"
        ",no id,eve,\"\"\"\"\n"
        "6,\"\",,\n"
        "7,last row without newline,fay,2007");
  const SourceFile file = ReadOrDie(path);
  EXPECT_THAT(Ids(file), ElementsAre("1", "2", "3", "4", path + ":9", "6", "7"));
  EXPECT_THAT(Texts(file),
              ElementsAre("plain text", "with, comma", "multi\nline\r\ntext", "after a blank line",
                          "no id", "", "last row without newline"));
  EXPECT_THAT(Lines(file), ElementsAre(2u, 3u, 4u, 8u, 9u, 10u, 11u));
  // Numbers are typed (csv_values.h); an empty cell stays a string.
  EXPECT_EQ(file.documents[0].metadata_json, R"({"author":"ann","year":2001})");
  EXPECT_EQ(Metadata(file.documents[1]),
            nlohmann::json::parse(R"({"author":"bob \"the\" builder","year":2002})"));
  EXPECT_EQ(Metadata(file.documents[2]), nlohmann::json::parse(R"({"author":"carl","year":""})"));
  EXPECT_EQ(Metadata(file.documents[4]), nlohmann::json::parse(R"({"author":"eve","year":"\""})"));
}

TEST(SourceReader, CsvSelectedMetadataHeaderSpacesAndBom) {
  test::TempDir dir;
  const std::string path = dir.Sub("rows.CSV");
  Write(path, "\xEF\xBB\xBFtitle, text ,x,\nT1,body one,1,\nT2,body two,2,\n");
  ReaderOptions options;
  options.metadata_fields = {"title", "nope"};
  SourceFile file = ReadOrDie(path, options);
  EXPECT_THAT(Ids(file), ElementsAre(path + ":2", path + ":3"));
  EXPECT_THAT(Texts(file), ElementsAre("body one", "body two"));
  EXPECT_EQ(file.documents[1].metadata_json, R"({"title":"T2"})");
  // By default every other named column.
  file = ReadOrDie(path);
  EXPECT_EQ(file.documents[0].metadata_json, R"({"title":"T1","x":1})");
  // Unless the column is kept as text.
  options = {};
  options.text_columns = {"x", "absent"};
  file = ReadOrDie(path, options);
  EXPECT_EQ(file.documents[0].metadata_json, R"({"title":"T1","x":"1"})");
}

TEST(SourceReader, CsvWithoutTheTextColumnListsTheColumns) {
  test::TempDir dir;
  const std::string path = dir.Sub("rows.csv");
  Write(path, "id,body\n1,hello\n");
  auto file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(file.status().IsInvalidArgument());
  EXPECT_EQ(file.status().message(),
            path + ": no \"text\" column in the header; columns: id, body");
  ReaderOptions options;
  options.text_field = "body";
  EXPECT_THAT(Texts(ReadOrDie(path, options)), ElementsAre("hello"));
  // skip_bad does not excuse a header without the text column.
  options.text_field = "text";
  options.skip_bad = true;
  EXPECT_TRUE(ReadSource(path, options).status().IsInvalidArgument());
}

TEST(SourceReader, CsvBadRowsFailOrAreSkipped) {
  test::TempDir dir;
  const std::string path = dir.Sub("rows.csv");
  Write(path, "id,text\n1,a\n2,b,extra\n3\n4,d\n5,\"never closed\nstill open\n");
  auto file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), path + ":3: row has 3 fields; the header has 2");
  ReaderOptions options;
  options.skip_bad = true;
  const SourceFile skipped = ReadOrDie(path, options);
  EXPECT_THAT(Ids(skipped), ElementsAre("1", "4"));
  // Rows 2, 3, the unterminated 5 and, since reading resumes on the line after 5's first line,
  // "still open" (one field).
  EXPECT_EQ(skipped.skipped_records, 4u);
  EXPECT_THAT(skipped.first_skip_reason, HasSubstr(":3: row has 3 fields"));

  Write(path, "id,text\n1,\"never closed\n");
  file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr(path + ":2: unterminated quoted field"));

  Write(path, "id,text,id\n1,a,b\n");
  file = ReadSource(path, {});
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("column \"id\" appears twice"));
}

// ---- gzip -----------------------------------------------------------------------------------

TEST(SourceReader, ReadsGzipVariants) {
  test::TempDir dir;
  WriteGzip(dir.Sub("a.txt.gz"), "compressed text\n");
  WriteGzip(dir.Sub("b.JSONL.GZ"), "{\"id\":\"j1\",\"text\":\"json one\"}\n{\"text\":\"two\"}\n");
  WriteGzip(dir.Sub("c.csv.gz"), "text,id\r\n\"a,b\",c1\r\n");
  EXPECT_THAT(Texts(ReadOrDie(dir.Sub("a.txt.gz"))), ElementsAre("compressed text\n"));
  EXPECT_THAT(Ids(ReadOrDie(dir.Sub("a.txt.gz"))), ElementsAre(dir.Sub("a.txt.gz")));
  const SourceFile jsonl = ReadOrDie(dir.Sub("b.JSONL.GZ"));
  EXPECT_THAT(Ids(jsonl), ElementsAre("j1", dir.Sub("b.JSONL.GZ") + ":2"));
  EXPECT_THAT(Texts(jsonl), ElementsAre("json one", "two"));
  const SourceFile csv = ReadOrDie(dir.Sub("c.csv.gz"));
  EXPECT_THAT(Ids(csv), ElementsAre("c1"));
  EXPECT_THAT(Texts(csv), ElementsAre("a,b"));

  // Concatenated members (as `cat a.gz b.gz` makes) are one stream.
  const std::string both = Gzip("{\"text\":\"first member\"}\n", dir.Sub("tmp1")) +
                           Gzip("{\"text\":\"second member\"}\n", dir.Sub("tmp2"));
  Write(dir.Sub("multi.jsonl.gz"), both);
  EXPECT_THAT(Texts(ReadOrDie(dir.Sub("multi.jsonl.gz"))),
              ElementsAre("first member", "second member"));
  // Zero padding after the last member is ignored.
  Write(dir.Sub("padded.txt.gz"), Gzip("padded", dir.Sub("tmp3")) + std::string(16, '\0'));
  EXPECT_THAT(Texts(ReadOrDie(dir.Sub("padded.txt.gz"))), ElementsAre("padded"));
}

TEST(SourceReader, CorruptGzipIsCorruptionNamingThePath) {
  test::TempDir dir;
  std::string text;
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) text += "word" + std::to_string(rng() % 500) + " ";
  const std::string good = Gzip(text, dir.Sub("tmp"));
  ASSERT_GT(good.size(), 200u);

  std::string flipped = good;
  for (size_t i = 40; i < 60; ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5A);
  Write(dir.Sub("flipped.txt.gz"), flipped);
  Write(dir.Sub("truncated.txt.gz"), good.substr(0, good.size() / 2));
  Write(dir.Sub("notgzip.txt.gz"), "plain text pretending");
  Write(dir.Sub("garbage.txt.gz"), good + "trailing garbage");
  for (const char* name :
       {"flipped.txt.gz", "truncated.txt.gz", "notgzip.txt.gz", "garbage.txt.gz"}) {
    SCOPED_TRACE(name);
    auto file = ReadSource(dir.Sub(name), {});
    ASSERT_FALSE(file.ok());
    EXPECT_TRUE(file.status().IsCorruption()) << file.status().ToString();
    EXPECT_THAT(file.status().message(), HasSubstr(dir.Sub(name)));
  }
  EXPECT_THAT(ReadSource(dir.Sub("truncated.txt.gz"), {}).status().message(),
              HasSubstr("truncated"));
}

// ---- Bad bytes ------------------------------------------------------------------------------

TEST(SourceReader, InvalidUtf8IsRepairedAndCounted) {
  test::TempDir dir;
  Write(dir.Sub("latin1.txt"), "A caf\xE9 in the old town, \xFF\xFE then \xC3( and a cut \xE2\x82");
  const SourceFile file = ReadOrDie(dir.Sub("latin1.txt"));
  ASSERT_EQ(file.documents.size(), 1u);
  const std::string r = kReplacement;
  EXPECT_EQ(file.documents[0].text,
            "A caf" + r + " in the old town, " + r + r + " then " + r + "( and a cut " + r + r);
  EXPECT_EQ(file.repaired_bytes, 6u);

  // Inside JSON strings and CSV fields too.
  Write(dir.Sub("bad.jsonl"), "{\"text\":\"caf\xE9 au lait\",\"k\":\"\xFFv\"}\n");
  const SourceFile jsonl = ReadOrDie(dir.Sub("bad.jsonl"));
  EXPECT_THAT(Texts(jsonl), ElementsAre("caf" + r + " au lait"));
  EXPECT_EQ(Metadata(jsonl.documents[0])["k"], r + "v");
  EXPECT_EQ(jsonl.repaired_bytes, 2u);
  Write(dir.Sub("bad.csv"), "text,k\nna\xEFve text here,\xC0x\n");
  const SourceFile csv = ReadOrDie(dir.Sub("bad.csv"));
  EXPECT_THAT(Texts(csv), ElementsAre("na" + r + "ve text here"));
  EXPECT_EQ(csv.repaired_bytes, 2u);
}

TEST(SourceReader, BinaryFilesAreNotSupported) {
  test::TempDir dir;
  Write(dir.Sub("zip.txt"), std::string("PK\x03\x04\x14\x00\x00\x00", 8) + "rest of archive");
  std::string noisy;
  std::mt19937 rng(3);
  for (int i = 0; i < 4096; ++i) noisy.push_back(static_cast<char>(0x80 + rng() % 0x80));
  Write(dir.Sub("noisy.md"), noisy);
  Write(dir.Sub("utf16.txt"), std::string("\xFF\xFEh\0i\0", 6));
  WriteGzip(dir.Sub("blob.jsonl.gz"), std::string(100, '\0'));
  for (const char* name : {"zip.txt", "noisy.md", "utf16.txt", "blob.jsonl.gz"}) {
    SCOPED_TRACE(name);
    auto file = ReadSource(dir.Sub(name), {});
    ASSERT_FALSE(file.ok());
    EXPECT_TRUE(file.status().IsNotSupported()) << file.status().ToString();
    EXPECT_THAT(file.status().message(), HasSubstr(dir.Sub(name)));
    EXPECT_THAT(file.status().message(), HasSubstr("; skipped"));
  }
  EXPECT_THAT(ReadSource(dir.Sub("zip.txt"), {}).status().message(), HasSubstr("looks binary"));
  EXPECT_THAT(ReadSource(dir.Sub("utf16.txt"), {}).status().message(), HasSubstr("UTF-16"));
  // A NUL byte after the first 8 KiB does not make a file binary.
  Write(dir.Sub("late_nul.txt"), std::string(9000, 'a') + std::string(1, '\0'));
  EXPECT_TRUE(ReadSource(dir.Sub("late_nul.txt"), {}).ok());
}

TEST(SourceReader, UnreadableFilesAreIOErrors) {
  test::TempDir dir;
  auto missing = ReadSource(dir.Sub("missing.txt"), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsIOError());
  EXPECT_THAT(missing.status().message(), HasSubstr(dir.Sub("missing.txt")));
  EXPECT_THAT(missing.status().message(), HasSubstr("No such file or directory"));

  fs::create_directories(dir.Sub("folder.txt"));
  auto folder = ReadSource(dir.Sub("folder.txt"), {});
  ASSERT_FALSE(folder.ok());
  EXPECT_TRUE(folder.status().IsIOError());

  if (::geteuid() == 0) GTEST_SKIP() << "root can read any file";
  Write(dir.Sub("secret.txt"), "hidden");
  ASSERT_EQ(::chmod(dir.Sub("secret.txt").c_str(), 0), 0);
  auto secret = ReadSource(dir.Sub("secret.txt"), {});
  ASSERT_FALSE(secret.ok());
  EXPECT_TRUE(secret.status().IsIOError());
  EXPECT_THAT(secret.status().message(), HasSubstr(dir.Sub("secret.txt")));
  EXPECT_THAT(secret.status().message(), HasSubstr("Permission denied"));
}

TEST(SourceReader, TwentyMegabyteSingleLine) {
  test::TempDir dir;
  constexpr size_t kSize = 20 << 20;
  std::string line;
  line.reserve(kSize + 64);
  while (line.size() < kSize) line += "lorem ipsum dolor sit amet ";
  const auto start = std::chrono::steady_clock::now();

  Write(dir.Sub("big.txt"), line);
  SourceFile text = ReadOrDie(dir.Sub("big.txt"));
  ASSERT_EQ(text.documents.size(), 1u);
  EXPECT_EQ(text.documents[0].text.size(), line.size());

  Write(dir.Sub("big.jsonl"), "{\"id\":\"big\",\"text\":\"" + line + "\"}");
  SourceFile jsonl = ReadOrDie(dir.Sub("big.jsonl"));
  ASSERT_EQ(jsonl.documents.size(), 1u);
  EXPECT_EQ(jsonl.documents[0].text, line);

  Write(dir.Sub("big.csv"), "id,text\nbig,\"" + line + "\"\n");
  SourceFile csv = ReadOrDie(dir.Sub("big.csv"));
  ASSERT_EQ(csv.documents.size(), 1u);
  EXPECT_EQ(csv.documents[0].text, line);

  WriteGzip(dir.Sub("big.txt.gz"), line);
  SourceFile gz = ReadOrDie(dir.Sub("big.txt.gz"));
  ASSERT_EQ(gz.documents.size(), 1u);
  EXPECT_EQ(gz.content_hash, text.content_hash);
  // Generous: a quadratic reader would take minutes.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

}  // namespace
}  // namespace quiver::ingest
