#include "util/file_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/fixtures/test_util.h"

namespace quiver::util {
namespace {

using ::testing::HasSubstr;

class FileReaderTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = dir_.Sub(name);
    test::WriteFile(path, contents);
    return path;
  }

  // Every line NextLine returns, reading `path` with a buffer of `buffer_bytes`.
  std::vector<std::string> Lines(const std::string& path, size_t buffer_bytes) {
    File file;
    EXPECT_TRUE(file.Open(path).ok());
    BufferedReader in(std::move(file), buffer_bytes);
    std::vector<std::string> lines;
    for (;;) {
      std::string_view line;
      bool got = false;
      Status s = in.NextLine(&line, &got);
      EXPECT_TRUE(s.ok()) << s.ToString();
      if (!s.ok() || !got) break;
      lines.emplace_back(line);
    }
    return lines;
  }

  test::TempDir dir_;
};

TEST_F(FileReaderTest, FileReadsSequentiallyAndAtOffsets) {
  const std::string path = Write("data", "0123456789");
  File file;
  ASSERT_TRUE(file.OpenRegular(path).ok());
  EXPECT_EQ(file.path(), path);
  EXPECT_EQ(file.size(), 10u);
  std::string middle(4, '\0');
  ASSERT_TRUE(file.ReadAt(3, &middle).ok());
  EXPECT_EQ(middle, "3456");

  char buffer[6];
  Result<size_t> got = file.Read(buffer, sizeof(buffer));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::string(buffer, *got), "012345");  // ReadAt does not move the position
  got = file.Read(buffer, sizeof(buffer));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(std::string(buffer, *got), "6789");
  got = file.Read(buffer, sizeof(buffer));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 0u);
}

TEST_F(FileReaderTest, ReadAtPastTheEndIsCorruption) {
  const std::string path = Write("short", "abc");
  File file;
  ASSERT_TRUE(file.OpenRegular(path).ok());
  std::string out(5, '\0');
  Status s = file.ReadAt(1, &out);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(s.message(), path + ": file shrank while being read");
}

TEST_F(FileReaderTest, MissingFileIsIOError) {
  const std::string path = dir_.Sub("missing");
  File file;
  Status s = file.Open(path);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message(), path + ": cannot open: No such file or directory");
  s = file.OpenRegular(path);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr(": cannot open: "));
}

TEST_F(FileReaderTest, DirectoryIsIOError) {
  File file;
  Status s = file.Open(dir_.path());
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message(), dir_.path() + ": is a directory, not a file");
  s = file.OpenRegular(dir_.path());
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message(), dir_.path() + ": not a regular file");
}

TEST_F(FileReaderTest, OpenAcceptsADeviceOpenRegularDoesNot) {
  File file;
  ASSERT_TRUE(file.Open("/dev/null").ok());
  EXPECT_EQ(file.size(), 0u);
  char buffer[4];
  Result<size_t> got = file.Read(buffer, sizeof(buffer));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 0u);
  Status s = file.OpenRegular("/dev/null");
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message(), "/dev/null: not a regular file");
}

TEST_F(FileReaderTest, FileIsMovable) {
  const std::string path = Write("data", "xyz");
  File a;
  ASSERT_TRUE(a.Open(path).ok());
  File b(std::move(a));
  EXPECT_EQ(a.fd(), -1);
  ASSERT_GE(b.fd(), 0);
  File c;
  c = std::move(b);
  std::string out(3, '\0');
  ASSERT_TRUE(c.ReadAt(0, &out).ok());
  EXPECT_EQ(out, "xyz");
  EXPECT_EQ(c.size(), 3u);
}

TEST_F(FileReaderTest, MappingShowsTheRange) {
  std::string contents;
  for (int i = 0; i < 10000; ++i) contents.push_back(static_cast<char>('a' + i % 26));
  const std::string path = Write("mapped", contents);
  File file;
  ASSERT_TRUE(file.OpenRegular(path).ok());
  FileMapping map;
  EXPECT_EQ(map.data(), nullptr);
  // An offset that is not page-aligned.
  ASSERT_TRUE(map.Map(file, 5000, 100).ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(map.data()), 100),
            contents.substr(5000, 100));
}

TEST_F(FileReaderTest, NextLineSplitsLinesAcrossBufferRefills) {
  std::string contents;
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    std::string line(static_cast<size_t>(i % 37), static_cast<char>('a' + i % 26));
    line += std::to_string(i);
    expected.push_back(line);
    contents += line + "\n";
  }
  expected.push_back("");  // an empty line
  contents += "\n";
  expected.push_back("last line without newline");
  contents += expected.back();
  const std::string path = Write("lines", contents);
  // Buffers smaller than a line, about a line, and larger than the file.
  for (size_t buffer : {size_t{1}, size_t{7}, size_t{64}, size_t{1} << 20}) {
    EXPECT_EQ(Lines(path, buffer), expected) << "buffer " << buffer;
  }
}

TEST_F(FileReaderTest, NextLineAtTheEnd) {
  EXPECT_TRUE(Lines(Write("empty", ""), 16).empty());
  EXPECT_EQ(Lines(Write("one", "one\n"), 16), std::vector<std::string>{"one"});
  EXPECT_EQ(Lines(Write("crlf", "a\r\nb"), 2), (std::vector<std::string>{"a\r", "b"}));
}

TEST_F(FileReaderTest, FillConsumeAndOffset) {
  const std::string path = Write("data", "header\n0123456789");
  File file;
  ASSERT_TRUE(file.Open(path).ok());
  BufferedReader in(std::move(file), 4);
  EXPECT_EQ(in.size(), 17u);
  std::string_view line;
  bool got = false;
  ASSERT_TRUE(in.NextLine(&line, &got).ok());
  ASSERT_TRUE(got);
  EXPECT_EQ(line, "header");
  EXPECT_EQ(in.Offset(), 7u);
  ASSERT_TRUE(in.Fill(6).ok());  // grows the buffer beyond its first 4 bytes
  ASSERT_GE(in.Available().size(), 6u);
  EXPECT_EQ(in.Available().substr(0, 6), "012345");
  in.Consume(2);
  EXPECT_EQ(in.Offset(), 9u);
  ASSERT_TRUE(in.Fill(100).ok());  // more than remains: stops at the end
  EXPECT_TRUE(in.eof());
  EXPECT_EQ(in.Available(), "23456789");
  in.Consume(in.Available().size());
  EXPECT_EQ(in.Offset(), 17u);
  ASSERT_TRUE(in.NextLine(&line, &got).ok());
  EXPECT_FALSE(got);
}

}  // namespace
}  // namespace quiver::util
