// EncodeOptions::max_length for the tokenizers that are not tokenizer.json files (those are
// checked against Hugging Face in hf_unigram_test.cc): sentencepiece keeps its BOS and the
// first text tokens, the word tokenizer keeps the first words.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace quiver {
namespace {

std::vector<std::string> Corpus() {
  std::vector<std::string> out;
  const char* words[] = {"alpha", "beta",   "gamma", "delta",  "license", "software", "free",
                         "copy",  "modify", "share", "source", "binary",  "warranty"};
  for (int i = 0; i < 400; ++i) {
    std::string line;
    for (int k = 0; k < 9; ++k) line += std::string(k ? " " : "") + words[(i * 7 + k * 3) % 13];
    out.push_back(line);
  }
  return out;
}

TEST(MaxLength, SentencePieceKeepsBosAndFirstTokens) {
  SentencePieceTrainOptions options;
  options.vocab_size = 400;
  options.hard_vocab_limit = false;
  auto trained = TrainSentencePiece(Corpus(), options);
  ASSERT_TRUE(trained.ok()) << trained.status().ToString();
  const Tokenizer& tok = *trained.value();
  ASSERT_TRUE(tok.adds_bos());
  const std::string text = "alpha beta gamma delta license software free copy modify";
  auto full = tok.Encode(text);
  ASSERT_TRUE(full.ok());
  ASSERT_GT(full->ids.size(), 6u);
  EXPECT_EQ(tok.max_length(), 0);
  for (int n : {1, 2, 3, 6}) {
    SCOPED_TRACE(n);
    auto enc = tok.Encode(text, {.max_length = n});
    ASSERT_TRUE(enc.ok());
    ASSERT_EQ(enc->ids.size(), static_cast<size_t>(n));
    EXPECT_EQ(enc->ids.front(), tok.special_tokens().bos);
    EXPECT_EQ(enc->ids, std::vector<int32_t>(full->ids.begin(), full->ids.begin() + n));
    EXPECT_EQ(enc->pieces.size(), enc->ids.size());
    EXPECT_EQ(enc->offsets.size(), enc->ids.size());
    EXPECT_EQ(tok.EncodeIds(text, {.max_length = n}).value(), enc->ids);
    auto plain = tok.EncodeIds(text, {.add_special_tokens = false, .max_length = n});
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain.value(),
              std::vector<int32_t>(full->ids.begin() + 1, full->ids.begin() + 1 + n));
  }
  EXPECT_EQ(tok.EncodeIds(text, {.max_length = 1000}).value(), full->ids);
}

TEST(MaxLength, WordTokenizerKeepsFirstWords) {
  auto made = MakeWordTokenizer({"the", "quick", "brown", "fox", "."});
  ASSERT_TRUE(made.ok());
  const Tokenizer& tok = *made.value();
  auto enc = tok.Encode("The quick brown fox.", {.max_length = 3});
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->ids, (std::vector<int32_t>{0, 1, 2}));
  EXPECT_EQ(enc->offsets.size(), 3u);
  EXPECT_EQ(enc->offsets.back(), (TokenOffset{10, 15}));
  EXPECT_EQ(tok.EncodeIds("The quick brown fox.", {.max_length = 3}).value(), enc->ids);
  EXPECT_EQ(tok.EncodeIds("The quick brown fox.", {.max_length = 0}).value().size(), 5u);
}

}  // namespace
}  // namespace quiver
