// cli/jsonl_records: the line reader's bounded lines and the record parser's nesting limit.
#include "cli/jsonl_records.h"

#include <gtest/gtest.h>

#include <string>

namespace quiver::cli {
namespace {

// A stream holding `contents`.
FILE* Stream(const std::string& contents) {
  FILE* file = std::tmpfile();
  std::fwrite(contents.data(), 1, contents.size(), file);
  std::rewind(file);
  return file;
}

TEST(LineReaderTest, SplitsLinesAndStripsLineBreaks) {
  FILE* file = Stream("one\r\n\ntwo\nthree");
  LineReader reader(file);
  std::string_view line;
  std::vector<std::string> lines;
  while (reader.Next(&line)) lines.emplace_back(line);
  EXPECT_EQ(lines, (std::vector<std::string>{"one", "", "two", "three"}));
  EXPECT_EQ(reader.line_number(), 4u);
  EXPECT_EQ(reader.bytes_read(), 15u);
  std::fclose(file);
}

// Defect 7: a 2 GB line ended in std::bad_alloc; a line over the limit is now refused with
// bounded memory, and the lines after it are read normally.
TEST(LineReaderTest, LineTooLongIsSkippedNotBuffered) {
  const std::string big(200000, 'x');  // longer than the read-ahead chunk
  FILE* file = Stream("short\n" + big + "\n" + std::string(100, 'y') + "\r\nlast\n");
  LineReader reader(file, /*max_line_bytes=*/100);
  std::string_view line;
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_EQ(line, "short");
  EXPECT_FALSE(reader.overlong());
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_TRUE(reader.overlong());
  EXPECT_EQ(line, "");
  EXPECT_EQ(reader.OverlongError().message(), "line is longer than 100 bytes (the limit)");
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_FALSE(reader.overlong()) << "exactly the limit is fine";
  EXPECT_EQ(line.size(), 100u);
  ASSERT_TRUE(reader.Next(&line));
  EXPECT_EQ(line, "last");
  EXPECT_EQ(reader.line_number(), 4u);
  EXPECT_FALSE(reader.Next(&line));
  std::fclose(file);
}

TEST(ParseRecordLineTest, DeepMetadataRefusedBeforeParsing) {
  Record record;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Status s = ParseRecordLine(R"({"id": "a", "vector": [1], "meta": {"x": )" + deep + "}}", &record);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("nested deeper than 64 levels"), std::string::npos) << s.message();
  const std::string ok = std::string(62, '[') + std::string(62, ']');
  EXPECT_TRUE(
      ParseRecordLine(R"({"id": "a", "vector": [1], "meta": {"x": )" + ok + "}}", &record).ok());
}

}  // namespace
}  // namespace quiver::cli
