// The word tokenizer (GloVe convention).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/fixtures/test_util.h"
#include "tokenizer/tokenizer.h"

namespace quiver {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Vocab() {
  return {"the",   ",",    ".", "do", "n't", "it",   "'s",    "over-all", "3.14",
          "1,000", "café", "u", "!",  "\"",  "東京", "naïve", "o'neil",   "ca"};
}

std::vector<std::string> Pieces(const Encoding& enc) {
  return std::vector<std::string>(enc.pieces.begin(), enc.pieces.end());
}

TEST(WordTokenizer, LowercasesSplitsPunctuationAndClitics) {
  auto tok = MakeWordTokenizer(Vocab());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  auto enc = (*tok)->Encode("The CAFÉ, it's over-all 3.14! Don't: 1,000 \"東京\" O'Neil can't");
  ASSERT_TRUE(enc.ok());
  EXPECT_THAT(Pieces(enc.value()),
              ElementsAre("the", "café", ",", "it", "'s", "over-all", "3.14", "!", "do", "n't",
                          "<unk>", "1,000", "\"", "東京", "\"", "o'neil", "ca", "n't"));
  // Offsets cover the original spelling.
  EXPECT_EQ(enc->offsets[1], (TokenOffset{4, 9}));    // "CAFÉ"
  EXPECT_EQ(enc->offsets[3], (TokenOffset{11, 13}));  // "it"
  EXPECT_EQ(enc->offsets[4], (TokenOffset{13, 15}));  // "'s"
  EXPECT_EQ((*tok)->special_tokens().unk, 18);        // appended after the 18 words
  EXPECT_EQ((*tok)->vocab_size(), 19);
  EXPECT_FALSE((*tok)->adds_bos());
}

TEST(WordTokenizer, CurlyApostropheAndOptions) {
  WordTokenizerOptions options;
  options.lowercase = false;
  options.split_contractions = false;
  options.unk_token = "[UNK]";
  auto tok = MakeWordTokenizer(Vocab(), options);
  ASSERT_TRUE(tok.ok());
  auto enc = (*tok)->Encode("The it's");
  ASSERT_TRUE(enc.ok());
  EXPECT_THAT(Pieces(enc.value()), ElementsAre("[UNK]", "[UNK]"));
  auto split = MakeWordTokenizer(Vocab());
  ASSERT_TRUE(split.ok());
  EXPECT_THAT(Pieces((*split)->Encode("It\u2019s").value()), ElementsAre("it", "'s"));
}

TEST(WordTokenizer, DecodeJoinsWords) {
  auto tok = MakeWordTokenizer(Vocab());
  ASSERT_TRUE(tok.ok());
  auto ids = (*tok)->EncodeIds("The café.");
  ASSERT_TRUE(ids.ok());
  EXPECT_THAT(ids.value(), ElementsAre(0, 10, 2));
  EXPECT_EQ((*tok)->Decode(ids.value()).value(), "the café .");
  EXPECT_TRUE((*tok)->Decode(std::vector<int32_t>{99}).status().IsInvalidArgument());
}

TEST(WordTokenizer, RejectsBadVocabularies) {
  EXPECT_TRUE(MakeWordTokenizer({"a", "b", "a"}).status().IsInvalidArgument());
  EXPECT_TRUE(MakeWordTokenizer({"a", ""}).status().IsInvalidArgument());
  WordTokenizerOptions options;
  options.unk_token = "";
  EXPECT_TRUE(MakeWordTokenizer({"a"}, options).status().IsInvalidArgument());
}

TEST(WordTokenizer, LoadsGloveStyleFile) {
  test::TempDir dir;
  const std::string path = dir.Sub("glove.txt");
  test::WriteFile(path, "the 0.1 0.2\n, 0.3 0.4\r\ncat 0.5 0.6\n");
  auto tok = LoadTokenizerFile(path);
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  EXPECT_EQ((*tok)->kind(), TokenizerKind::kWord);
  EXPECT_THAT((*tok)->EncodeIds("The cat, the dog").value(), ElementsAre(0, 2, 1, 0, 3));
}

}  // namespace
}  // namespace quiver
