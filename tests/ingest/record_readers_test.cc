// ingest/record_readers: the limits of the JSON Lines and CSV readers (line length, JSON
// nesting) and how --skip-bad recovers from an unterminated CSV quote.
#include "ingest/record_readers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace quiver::ingest {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> Ids(const SourceFile& file) {
  std::vector<std::string> ids;
  for (const SourceDocument& doc : file.documents) ids.push_back(doc.id);
  return ids;
}

ReaderOptions SkipBad() {
  ReaderOptions options;
  options.skip_bad = true;
  return options;
}

TEST(RecordReaders, JsonlLineTooLongNamesTheLineAndTheLimit) {
  const std::string content = R"({"id": "a", "text": "short"})"
                              "\n"
                              R"({"id": "b", "text": ")" +
                              std::string(200, 'x') + "\"}\n" + R"({"id": "c", "text": "end"})";
  SourceFile file;
  Status s = ReadJsonl("f.jsonl", content, {}, &file, /*max_line_bytes=*/100);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "f.jsonl:2: line is longer than 100 bytes (the limit)");

  SourceFile skipped;
  ASSERT_TRUE(ReadJsonl("f.jsonl", content, SkipBad(), &skipped, 100).ok());
  EXPECT_EQ(Ids(skipped), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(skipped.skipped_records, 1u);
}

TEST(RecordReaders, JsonlDeepNestingRefusedUnparsed) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  SourceFile file;
  Status s = ReadJsonl("f.jsonl",
                       R"({"text": "a"})"
                       "\n"
                       R"({"text": "b", "x": )" +
                           deep + "}",
                       {}, &file);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "f.jsonl:2: JSON nested deeper than 64 levels (the limit)");
}

// Defect 7: with skip_bad, a quote left open swallowed the rest of the file as one record.
TEST(RecordReaders, CsvUnterminatedQuoteCostsOneRecord) {
  const std::string content = "id,text\na,alpha\nb,\"broken\nc,gamma\nd,delta\n";
  SourceFile file;
  Status s = ReadCsv("f.csv", content, {}, &file);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("f.csv:3: unterminated quoted field"));

  SourceFile skipped;
  ASSERT_TRUE(ReadCsv("f.csv", content, SkipBad(), &skipped).ok());
  EXPECT_EQ(Ids(skipped), (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(skipped.skipped_records, 1u);
  ASSERT_EQ(skipped.documents.size(), 3u);
  EXPECT_EQ(skipped.documents[1].line, 4u) << "line numbers stay right after the resume";
  EXPECT_THAT(skipped.first_skip_reason, HasSubstr("f.csv:3:"));
}

TEST(RecordReaders, CsvRecordTooLongIsABadRecord) {
  const std::string content =
      "id,text\na,\"" + std::string(50, 'x') + "\n" + std::string(50, 'y') + "\"\nb,fine\n";
  SourceFile file;
  Status s = ReadCsv("f.csv", content, {}, &file, /*max_line_bytes=*/64);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "f.csv:2: line is longer than 64 bytes (the limit); a record whose quoted fields "
            "hold line breaks counts as one line");
  SourceFile skipped;
  ASSERT_TRUE(ReadCsv("f.csv", content, SkipBad(), &skipped, 64).ok());
  EXPECT_EQ(Ids(skipped), (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace quiver::ingest
