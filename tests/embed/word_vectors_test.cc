#include "embed/word_vectors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/fixtures/test_util.h"

namespace quiver::embed {
namespace {

using test::TempDir;
using test::WriteFile;

// `words` with row-major `vectors`, as GloVe text (no header) or word2vec text (header).
std::string TextFile(const std::vector<std::string>& words, const std::vector<float>& vectors,
                     int dim, bool header) {
  std::string out;
  if (header) out += std::to_string(words.size()) + " " + std::to_string(dim) + "\n";
  char num[32];
  for (size_t i = 0; i < words.size(); ++i) {
    out += words[i];
    for (int j = 0; j < dim; ++j) {
      std::snprintf(num, sizeof num, " %.9g", vectors[i * dim + j]);
      out += num;
    }
    out += "\n";
  }
  return out;
}

// word2vec binary; `newline` ends each record with '\n' as the original C tool does.
std::string BinaryFile(const std::vector<std::string>& words, const std::vector<float>& vectors,
                       int dim, bool newline) {
  std::string out = std::to_string(words.size()) + " " + std::to_string(dim) + "\n";
  for (size_t i = 0; i < words.size(); ++i) {
    out += words[i] + " ";
    out.append(reinterpret_cast<const char*>(&vectors[i * dim]), dim * sizeof(float));
    if (newline) out += "\n";
  }
  return out;
}

std::vector<std::string> Words(size_t n) {
  std::vector<std::string> words;
  for (size_t i = 0; i < n; ++i) words.push_back("w" + std::to_string(i));
  return words;
}

Result<WordVectors> ReadString(const TempDir& dir, const std::string& contents,
                               const WordVectorOptions& options = {}) {
  const std::string path = dir.Sub("vectors");
  WriteFile(path, contents);
  return ReadWordVectors(path, options);
}

void ExpectSame(const WordVectors& got, const std::vector<std::string>& words,
                const std::vector<float>& vectors, int dim) {
  EXPECT_EQ(got.words, words);
  EXPECT_EQ(got.matrix.rows, static_cast<int64_t>(words.size()));
  EXPECT_EQ(got.matrix.cols, dim);
  ASSERT_EQ(got.matrix.data.size(), vectors.size());
  for (size_t i = 0; i < vectors.size(); ++i) {
    ASSERT_EQ(got.matrix.data[i], vectors[i]) << "element " << i;
  }
}

// Expects a non-OK result whose message contains every one of `parts`.
template <typename T>
void ExpectError(const Result<T>& r, Status::Code code, const std::vector<std::string>& parts) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  for (const std::string& p : parts) {
    EXPECT_NE(r.status().message().find(p), std::string::npos)
        << "missing \"" << p << "\" in: " << r.status().ToString();
  }
}

TEST(WordVectorsTest, GloveTextRoundTrip) {
  TempDir dir;
  const std::vector<std::string> words = {"the", ",", "naïve", "x-ray"};
  const std::vector<float> v = test::RandomVectors(words.size(), 5, 1);
  Result<WordVectors> r = ReadString(dir, TextFile(words, v, 5, false));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->format, WordVectorFormat::kGloveText);
  ExpectSame(*r, words, v, 5);
}

TEST(WordVectorsTest, GloveToleratesCrlfTabsBlankLinesAndPlusSigns) {
  TempDir dir;
  Result<WordVectors> r = ReadString(dir, "a 1 -2.5e-1\t+3 \r\n\n  \nb 0 1e3 -0\r\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectSame(*r, {"a", "b"}, {1.0f, -0.25f, 3.0f, 0.0f, 1000.0f, -0.0f}, 3);
}

TEST(WordVectorsTest, Word2VecTextRoundTrip) {
  TempDir dir;
  const std::vector<std::string> words = Words(7);
  const std::vector<float> v = test::RandomVectors(words.size(), 3, 2);
  Result<WordVectors> r = ReadString(dir, TextFile(words, v, 3, true));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->format, WordVectorFormat::kWord2VecText);
  ExpectSame(*r, words, v, 3);
}

TEST(WordVectorsTest, FastTextVecRoundTrip) {
  // fastText writes "count dim " (trailing space) and a space after the last component.
  TempDir dir;
  Result<WordVectors> r = ReadString(dir, "2 2 \n</s> 0.5 -1 \nÉté 2 0.125 \n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->format, WordVectorFormat::kWord2VecText);
  ExpectSame(*r, {"</s>", "Été"}, {0.5f, -1.0f, 2.0f, 0.125f}, 2);
}

TEST(WordVectorsTest, Word2VecBinaryRoundTripWithAndWithoutNewlines) {
  TempDir dir;
  const std::vector<std::string> words = {"king", "queen", "ünïcode", "a"};
  const std::vector<float> v = test::RandomVectors(words.size(), 16, 3);
  for (bool newline : {true, false}) {
    Result<WordVectors> r = ReadString(dir, BinaryFile(words, v, 16, newline));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->format, WordVectorFormat::kWord2VecBinary);
    ExpectSame(*r, words, v, 16);
  }
}

TEST(WordVectorsTest, BinaryWithSmallIntegersIsDetected) {
  // 1.0f is 00 00 80 3F: control bytes tell binary from text even at dim 2.
  TempDir dir;
  const std::string path = dir.Sub("v.bin");
  WriteFile(path, BinaryFile({"x", "y"}, {1, 2, -1, 0.5}, 2, true));
  Result<WordVectorFormat> f = DetectWordVectorFormat(path);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, WordVectorFormat::kWord2VecBinary);
}

TEST(WordVectorsTest, BinaryIsDetectedForRandomVectors) {
  TempDir dir;
  const std::string path = dir.Sub("v.bin");
  for (int dim : {4, 8, 100}) {
    for (uint64_t seed = 0; seed < 100; ++seed) {
      WriteFile(path, BinaryFile({"w"}, test::RandomVectors(1, dim, seed), dim, true));
      Result<WordVectorFormat> f = DetectWordVectorFormat(path);
      ASSERT_TRUE(f.ok());
      ASSERT_EQ(*f, WordVectorFormat::kWord2VecBinary) << "dim " << dim << " seed " << seed;
    }
  }
}

TEST(WordVectorsTest, LargeFilesCrossTheReadBuffer) {
  // ~11 MB of text and ~5 MB of binary: records straddle the 4 MiB read buffer.
  TempDir dir;
  const std::vector<std::string> words = Words(25000);
  const std::vector<float> v = test::RandomVectors(words.size(), 48, 4);
  Result<WordVectors> text = ReadString(dir, TextFile(words, v, 48, false));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  ExpectSame(*text, words, v, 48);
  Result<WordVectors> bin = ReadString(dir, BinaryFile(words, v, 48, false));
  ASSERT_TRUE(bin.ok()) << bin.status().ToString();
  ExpectSame(*bin, words, v, 48);
}

TEST(WordVectorsTest, LineLongerThanTheReadBuffer) {
  TempDir dir;
  const int dim = 500000;  // 12 bytes a component: 6 MB lines
  std::string line;
  for (int i = 0; i < dim; ++i) line += i == 7 ? " 2.500000000" : " 0.000000000";
  Result<WordVectors> r = ReadString(dir, "long" + line + "\nlonger" + line + "\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->matrix.cols, dim);
  EXPECT_EQ(r->matrix.Row(1)[7], 2.5f);
  EXPECT_EQ(r->matrix.Row(1)[8], 0.0f);
}

TEST(WordVectorsTest, ForcedFormatOverridesDetection) {
  // Looks like a header, but is a one-dimensional GloVe file whose first word is "2".
  TempDir dir;
  const std::string contents = "2 3\ncat 0.5\n";
  ExpectError(ReadString(dir, contents), Status::Code::kCorruption, {":2:", "expected 3"});
  Result<WordVectors> r = ReadString(dir, contents, {.format = WordVectorFormat::kGloveText});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectSame(*r, {"2", "cat"}, {3.0f, 0.5f}, 1);
}

TEST(WordVectorsTest, ForcedHeadedFormatNeedsAHeader) {
  TempDir dir;
  ExpectError(ReadString(dir, "a 1 2\n", {.format = WordVectorFormat::kWord2VecText}),
              Status::Code::kCorruption, {":1:", "`count dim` header", "\"a 1 2\""});
  ExpectError(ReadString(dir, "3 0\n", {.format = WordVectorFormat::kWord2VecBinary}),
              Status::Code::kCorruption, {"dimension", "found 0"});
}

TEST(WordVectorsTest, FormatNames) {
  for (auto f : {WordVectorFormat::kAuto, WordVectorFormat::kGloveText,
                 WordVectorFormat::kWord2VecText, WordVectorFormat::kWord2VecBinary}) {
    Result<WordVectorFormat> back = ParseWordVectorFormat(WordVectorFormatName(f));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, f);
  }
  EXPECT_EQ(*ParseWordVectorFormat("vec"), WordVectorFormat::kWord2VecText);
  EXPECT_EQ(*ParseWordVectorFormat("bin"), WordVectorFormat::kWord2VecBinary);
  ExpectError(ParseWordVectorFormat("csv"), Status::Code::kInvalidArgument, {"\"csv\""});
}

TEST(WordVectorsTest, MaxWordsStopsEarly) {
  TempDir dir;
  const std::vector<float> v = test::RandomVectors(5, 2, 5);
  for (bool header : {false, true}) {
    Result<WordVectors> r = ReadString(dir, TextFile(Words(5), v, 2, header), {.max_words = 2});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ExpectSame(*r, Words(2), {v.begin(), v.begin() + 4}, 2);
  }
  Result<WordVectors> r = ReadString(dir, BinaryFile(Words(5), v, 2, true),
                                     {.format = WordVectorFormat::kWord2VecBinary, .max_words = 3});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectSame(*r, Words(3), {v.begin(), v.begin() + 6}, 2);
}

TEST(WordVectorsTest, DuplicateWordsKeepTheFirstByDefault) {
  TempDir dir;
  // The header counts lines, duplicates included (as gensim's files do).
  Result<WordVectors> r = ReadString(dir, "3 2\na 1 2\nb 3 4\na 5 6\n");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectSame(*r, {"a", "b"}, {1, 2, 3, 4}, 2);
  EXPECT_EQ(r->skipped_duplicates, 1);

  const std::vector<float> v = {1, 2, 3, 4, 5, 6};
  r = ReadString(dir, BinaryFile({"a", "b", "a"}, v, 2, false));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ExpectSame(*r, {"a", "b"}, {1, 2, 3, 4}, 2);
  EXPECT_EQ(r->skipped_duplicates, 1);
}

TEST(WordVectorsTest, DuplicateWordsCanBeAnError) {
  TempDir dir;
  const WordVectorOptions strict{.duplicates = DuplicateWords::kError};
  ExpectError(ReadString(dir, "a 1 2\nb 3 4\n\na 5 6\n", strict), Status::Code::kCorruption,
              {"line 4", "duplicate word \"a\"", "first at line 1"});
  ExpectError(ReadString(dir, BinaryFile({"a", "b", "b"}, {1, 2, 3, 4, 5, 6}, 2, true), strict),
              Status::Code::kCorruption, {"record 3", "duplicate word \"b\"", "record 2"});
}

TEST(WordVectorsTest, EmptyFiles) {
  TempDir dir;
  ExpectError(ReadString(dir, ""), Status::Code::kCorruption, {"empty file"});
  ExpectError(ReadString(dir, "\n\n  \n"), Status::Code::kCorruption, {"no word vectors"});
  ExpectError(ReadString(dir, "0 50\n"), Status::Code::kCorruption, {"no word vectors"});
}

TEST(WordVectorsTest, MissingFileIsIOError) {
  TempDir dir;
  ExpectError(ReadWordVectors(dir.Sub("absent.txt")), Status::Code::kIOError, {"absent.txt"});
  ExpectError(ReadWordVectors(dir.path()), Status::Code::kIOError, {"directory"});
}

TEST(WordVectorsTest, WrongNumberOfComponents) {
  TempDir dir;
  ExpectError(ReadString(dir, "a 1 2 3\nb 1 2 3\nc 1 2\n"), Status::Code::kCorruption,
              {"vectors:3:", "expected 3 components after \"c\", found 2"});
  ExpectError(ReadString(dir, "a 1 2 3\nb 1 2 3 4 5\n"), Status::Code::kCorruption,
              {":2:", "expected 3 components after \"b\", found 5"});
  ExpectError(ReadString(dir, "2 3\na 1 2 3\nb 1 2 3 4\n"), Status::Code::kCorruption,
              {":3:", "expected 3", "found 4"});
  ExpectError(ReadString(dir, "lonely\n"), Status::Code::kCorruption, {":1:", "found 0"});
  ExpectError(ReadString(dir, "a 1\n 2\n"), Status::Code::kCorruption, {":2:", "no word"});
}

TEST(WordVectorsTest, BadNumbers) {
  TempDir dir;
  ExpectError(ReadString(dir, "a 1 2\nb 1 0.5x\n"), Status::Code::kCorruption,
              {":2:", "component 2 of \"b\" is not a number: \"0.5x\""});
  ExpectError(ReadString(dir, "a 1 two\n"), Status::Code::kCorruption, {":1:", "\"two\""});
  ExpectError(ReadString(dir, "a 1 nan\n"), Status::Code::kCorruption, {"not finite", "nan"});
  ExpectError(ReadString(dir, "a 1e50 1\n"), Status::Code::kCorruption, {"out of float range"});
  Result<WordVectors> tiny = ReadString(dir, "a 1e-50 -1e-42\n");
  ASSERT_TRUE(tiny.ok()) << tiny.status().ToString();
  EXPECT_EQ(tiny->matrix.data[0], 0.0f);
  EXPECT_EQ(tiny->matrix.data[1], -1e-42f);  // a float subnormal
}

TEST(WordVectorsTest, HeaderCountMismatch) {
  TempDir dir;
  ExpectError(ReadString(dir, "3 2\na 1 2\nb 3 4\n"), Status::Code::kCorruption,
              {"header declares 3 words, file has 2"});
  ExpectError(ReadString(dir, "1 2\na 1 2\nb 3 4\n"), Status::Code::kCorruption,
              {":3:", "header declares 1 words but more lines follow"});
  const std::vector<float> v = {1, 2, 3, 4};
  std::string bin = BinaryFile({"a", "b"}, v, 2, true);
  ExpectError(ReadString(dir, "3" + bin.substr(1)), Status::Code::kCorruption,
              {"truncated", "header declares 3 words, file ends after 2"});
  ExpectError(ReadString(dir, "1" + bin.substr(1)), Status::Code::kCorruption,
              {"data after the header's 1 words", "header count too small"});
}

TEST(WordVectorsTest, TruncatedBinary) {
  TempDir dir;
  const std::string bin = BinaryFile({"alpha", "beta"}, test::RandomVectors(2, 4, 6), 4, true);
  // Cut inside the second vector: 5 + 1 + 16 + 1 bytes of record 1, then "beta " and 7 bytes.
  const size_t header = bin.find('\n') + 1;
  const size_t cut = header + 23 + 5 + 7;
  ExpectError(ReadString(dir, bin.substr(0, cut)), Status::Code::kCorruption,
              {"record 2 at byte " + std::to_string(header + 23), "truncated",
               "\"beta\" needs 16 bytes of vector, 7 remain"});
  ExpectError(ReadString(dir, bin.substr(0, header + 24)), Status::Code::kCorruption,
              {"record 2", "ends inside the word"});
  // Every prefix fails cleanly.
  for (size_t n = 1; n < bin.size() - 1; ++n) {
    Result<WordVectors> r =
        ReadString(dir, bin.substr(0, n), {.format = WordVectorFormat::kWord2VecBinary});
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes";
  }
}

TEST(WordVectorsTest, BinaryNonFiniteValue) {
  TempDir dir;
  ExpectError(ReadString(dir, BinaryFile({"a"}, {1.0f, INFINITY}, 2, true)),
              Status::Code::kCorruption, {"record 1", "component 2 of \"a\" is not finite"});
}

TEST(WordVectorsTest, UnsupportedContainers) {
  TempDir dir;
  ExpectError(ReadString(dir, std::string("\x1f\x8b\x08\0\0\0", 6)), Status::Code::kNotSupported,
              {"gzip"});
  std::string fasttext(16, '\0');
  const uint32_t magic = 793712314;
  std::memcpy(fasttext.data(), &magic, 4);
  ExpectError(ReadString(dir, fasttext), Status::Code::kNotSupported, {"fastText", ".vec"});
}

}  // namespace
}  // namespace quiver::embed
