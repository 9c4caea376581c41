// cli/vector_files: query vectors from .fvecs, .npy and JSON Lines, and one-line errors.
#include "cli/vector_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace quiver::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Fvecs(const std::vector<std::vector<float>>& vectors) {
  std::string bytes;
  for (const auto& v : vectors) {
    const int32_t d = static_cast<int32_t>(v.size());
    bytes.append(reinterpret_cast<const char*>(&d), 4);
    bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  }
  return bytes;
}

std::string Npy(const std::string& dict, const std::vector<float>& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(data.data()), data.size() * 4);
  return bytes;
}

std::string ErrorOf(const std::string& path, const std::string& bytes) {
  Result<VectorFile> file = ParseVectorFile(path, bytes);
  EXPECT_FALSE(file.ok()) << path;
  if (file.ok()) return "";
  EXPECT_TRUE(file.status().IsInvalidArgument());
  EXPECT_EQ(file.status().message().find('\n'), std::string::npos);
  return file.status().message();
}

TEST(VectorFilesTest, Fvecs) {
  auto file = ParseVectorFile("q.fvecs", Fvecs({{1, 2, 3}, {4, 5, 6.5f}}));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->count, 2u);
  EXPECT_EQ(file->dimension, 3u);
  EXPECT_THAT(file->values, ElementsAre(1, 2, 3, 4, 5, 6.5f));
}

TEST(VectorFilesTest, FvecsErrors) {
  std::string truncated = Fvecs({{1, 2, 3}});
  truncated.pop_back();
  EXPECT_EQ(ErrorOf("q.fvecs", truncated),
            "q.fvecs: expected fvecs records (an int32 dimension, then that many float32); "
            "found a truncated record at byte 0");
  EXPECT_EQ(ErrorOf("q.fvecs", Fvecs({{1, 2}, {1, 2, 3}})),
            "q.fvecs: vector 1: expected 2 numbers like the first vector; found 3");
  EXPECT_THAT(ErrorOf("q.fvecs", Fvecs({{}})), HasSubstr("found dimension 0 at byte 0"));
  EXPECT_EQ(ErrorOf("q.fvecs", ""), "q.fvecs: expected query vectors; found none");
}

TEST(VectorFilesTest, Npy) {
  auto file = ParseVectorFile(
      "q.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", {1, 2, 3, 4}));
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->count, 2u);
  EXPECT_EQ(file->dimension, 2u);
  EXPECT_THAT(file->values, ElementsAre(1, 2, 3, 4));
}

TEST(VectorFilesTest, NpyErrorsSayWhatWasExpected) {
  const std::string expected = "q.npy: expected a .npy file of float32 ('<f4'), 2-D, C order; ";
  EXPECT_EQ(ErrorOf("q.npy", Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }",
                                 {1, 2, 3, 4})),
            expected + "found dtype '<f8'");
  EXPECT_EQ(ErrorOf("q.npy", Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                                 {1, 2, 3, 4})),
            expected + "found fortran_order True");
  EXPECT_EQ(ErrorOf("q.npy",
                    Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", {1, 2, 3, 4})),
            expected + "found shape (4,)");
  EXPECT_EQ(ErrorOf("q.npy", Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                                 {1, 2, 3, 4})),
            expected + "found 16 data bytes for shape (2, 3) (24 expected)");
  EXPECT_EQ(ErrorOf("q.npy", "not numpy"), expected + "found no NumPy magic");
}

TEST(VectorFilesTest, JsonLines) {
  auto file = ParseVectorFile("q.jsonl", "[1, 2]\n\n{\"vector\": [3, 4.5], \"id\": \"x\"}\n");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->count, 2u);
  EXPECT_THAT(file->values, ElementsAre(1, 2, 3, 4.5f));
  EXPECT_EQ(ErrorOf("q.jsonl", "[1, 2]\n[1, \"a\"]\n"),
            "q.jsonl:2: expected [numbers] or {\"vector\": [numbers]}");
  EXPECT_EQ(ErrorOf("q.jsonl", "[1, 2]\n[1]\n"),
            "q.jsonl:2: expected 2 numbers like the first vector; found 1");
  EXPECT_EQ(ErrorOf("q.jsonl", "{\"id\": 1}\n"),
            "q.jsonl:1: expected [numbers] or {\"vector\": [numbers]}");
  EXPECT_EQ(ErrorOf("q.jsonl", "[]\n"), "q.jsonl:1: expected a non-empty vector");
}

// Issue 14, defect 4: JSON nested 100,000 deep crashed the parser's callers (SIGSEGV).
TEST(VectorFilesTest, DeepJsonRefused) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(ErrorOf("q.jsonl", "[1, 2]\n" + deep + "\n"),
            "q.jsonl:2: JSON nested deeper than 64 levels (the limit)");
}

TEST(VectorFilesTest, MissingFileIsNotFound) {
  auto file = ReadVectorFile("/nonexistent/q.fvecs");
  ASSERT_TRUE(file.status().IsNotFound());
  EXPECT_THAT(file.status().message(), StartsWith("cannot open vector file /nonexistent/q.fvecs"));
}

}  // namespace
}  // namespace quiver::cli
