// Bad input: invalid UTF-8, empty text, a 50 MB single line, files that are not tokenizers.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>

#include "tests/fixtures/test_util.h"
#include "tests/tokenizer/tokenizer_test_util.h"
#include "tokenizer/tokenizer.h"

namespace quiver {
namespace {

const char* const kCachedTokenizers[] = {"llama2.model", "mistral_tokenizer.json",
                                         "llama3_tokenizer.json"};

// Invalid UTF-8 is documented to behave as if each offending byte were U+FFFD.
TEST(BadInput, InvalidUtf8ActsAsReplacementCharacters) {
  const std::string bad = std::string("ok \xC3") + " \xFF\xFE mid \xE2\x82 \xED\xA0\x80 end\x80";
  std::string replaced;
  for (size_t i = 0; i < bad.size(); ++i) {
    const auto c = static_cast<unsigned char>(bad[i]);
    const bool stray = (c == 0xC3 || c == 0xFF || c == 0xFE || c == 0xED || c == 0x80 ||
                        c == 0xA0 || (c == 0xE2) || (c == 0x82));
    replaced += stray ? "\xEF\xBF\xBD" : std::string(1, bad[i]);
  }
  for (const char* name : kCachedTokenizers) {
    SCOPED_TRACE(name);
    auto tok = test::LoadCached(name);
    ASSERT_NE(tok, nullptr);
    auto enc = tok->Encode(bad);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    EXPECT_EQ(enc->ids, tok->EncodeIds(replaced).value());
    EXPECT_EQ(tok->EncodeIds(bad).value(), enc->ids);
    for (const TokenOffset& o : enc->offsets) {
      EXPECT_LE(o.begin, o.end);
      EXPECT_LE(o.end, bad.size());
    }
    // Decoding gives valid UTF-8 with the replacement characters.
    EXPECT_EQ(tok->Decode(enc->ids).value().find("\xEF\xBF\xBD") != std::string::npos, true);
  }
  auto word = MakeWordTokenizer({"ok", "mid", "end"});
  ASSERT_TRUE(word.ok());
  auto enc = (*word)->Encode(bad);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->ids.front(), 0);
  EXPECT_EQ(enc->ids.back(), (*word)->special_tokens().unk);  // the stray byte after "end"
  EXPECT_EQ(enc->offsets.back(), (TokenOffset{static_cast<uint32_t>(bad.size() - 1),
                                              static_cast<uint32_t>(bad.size())}));
}

TEST(BadInput, EmptyText) {
  for (const char* name : kCachedTokenizers) {
    SCOPED_TRACE(name);
    auto tok = test::LoadCached(name);
    ASSERT_NE(tok, nullptr);
    auto enc = tok->Encode("");
    ASSERT_TRUE(enc.ok());
    // Only the BOS the model adds, if it adds one.
    const std::vector<int32_t> expected =
        tok->adds_bos() ? std::vector<int32_t>{tok->special_tokens().bos} : std::vector<int32_t>{};
    EXPECT_EQ(enc->ids, expected);
    EXPECT_EQ(tok->Decode(enc->ids).value(), "");
    EXPECT_EQ(tok->Decode(std::vector<int32_t>{}).value(), "");
  }
  auto word = MakeWordTokenizer({"a"});
  ASSERT_TRUE(word.ok());
  EXPECT_TRUE((*word)->Encode("").value().ids.empty());
  EXPECT_TRUE((*word)->Encode(" \n\t ").value().ids.empty());
}

// `megabytes` MB of English prose on one line: copies of the corpus's first megabyte with
// newlines turned into spaces. $QUIVER_BIG_LINE_MB overrides the size.
std::string LongLine(size_t megabytes) {
  if (const char* env = std::getenv("QUIVER_BIG_LINE_MB"))
    megabytes = std::strtoul(env, nullptr, 10);
  std::string unit = test::Slurp(test::CachePath("brown.txt")).substr(0, 1 << 20);
  for (char& c : unit) {
    if (c == '\n') c = ' ';
  }
  std::string line;
  line.reserve(megabytes << 20);
  while (line.size() + unit.size() <= (megabytes << 20)) line += unit;
  return line;
}

// Encodes a long single line: bounded time, a plausible token count, and the same ids at the
// start as the first kilobyte alone gives.
void ExpectLongLineEncodes(const Tokenizer& tok, const std::string& line) {
  const auto start = std::chrono::steady_clock::now();
  auto ids = tok.EncodeIds(line, EncodeOptions{.add_special_tokens = false});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  // English averages 2-8 bytes per token for these vocabularies.
  EXPECT_GT(ids->size(), line.size() / 8);
  EXPECT_LT(ids->size(), line.size() / 2);
  EXPECT_LT(seconds, 90.0);
  auto head = tok.EncodeIds(std::string_view(line).substr(0, 1000),
                            EncodeOptions{.add_special_tokens = false});
  ASSERT_TRUE(head.ok());
  ASSERT_GT(head->size(), 10u);
  EXPECT_TRUE(std::equal(head->begin(), head->end() - 2, ids->begin()));
  std::printf("%zu bytes: %zu tokens in %.1f s\n", line.size(), ids->size(), seconds);
}

// The full 50 MB line for the byte-level BPE (regex pre-tokenizer) and the word tokenizer.
TEST(BadInput, FiftyMegabyteLineLlama3) {
  ASSERT_TRUE(test::CacheHas("brown.txt"));
  auto tok = test::LoadCached("llama3_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  ExpectLongLineEncodes(*tok, LongLine(50));
}

TEST(BadInput, FiftyMegabyteLineWord) {
  ASSERT_TRUE(test::CacheHas("brown.txt"));
  auto word = MakeWordTokenizer({"the", "of", "and"});
  ASSERT_TRUE(word.ok());
  const std::string line = LongLine(50);
  ExpectLongLineEncodes(**word, line);
  auto enc = (*word)->Encode(line);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->offsets.size(), enc->ids.size());
}

// sentencepiece and the whole-line BPE of Mistral run at 2-4 MB/s on this corpus, so they get
// a shorter (still 16 MB) line to keep the suite quick; both cut long input internally, which
// is what the length exercises.
TEST(BadInput, LongLineLlama2) {
  ASSERT_TRUE(test::CacheHas("brown.txt"));
  auto tok = test::LoadCached("llama2.model");
  ASSERT_NE(tok, nullptr);
  ExpectLongLineEncodes(*tok, LongLine(16));
}

TEST(BadInput, LongLineMistral) {
  ASSERT_TRUE(test::CacheHas("brown.txt"));
  auto tok = test::LoadCached("mistral_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  ExpectLongLineEncodes(*tok, LongLine(16));
}

TEST(BadInput, FilesThatAreNotTokenizers) {
  test::TempDir dir;
  const std::string garbage = dir.Sub("garbage.model");
  test::WriteFile(garbage, "\x01\x02 this is not a sentencepiece model \xFF\xFF\xFF\xFF");
  auto a = LoadTokenizerFile(garbage);
  EXPECT_TRUE(a.status().IsInvalidArgument()) << a.status().ToString();
  const std::string truncated = dir.Sub("tokenizer.json");
  test::WriteFile(truncated, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0");
  auto b = LoadTokenizerFile(truncated);
  EXPECT_TRUE(b.status().IsInvalidArgument()) << b.status().ToString();
  const std::string empty = dir.Sub("empty.model");
  test::WriteFile(empty, "");
  EXPECT_TRUE(LoadTokenizerFile(empty).status().IsInvalidArgument());
  EXPECT_TRUE(LoadTokenizerFile(dir.Sub("missing.json")).status().IsIOError());
  // The message names the file.
  EXPECT_NE(a.status().message().find("garbage.model"), std::string::npos);
}

}  // namespace
}  // namespace quiver
