// Tokenizer blobs: every kind survives Serialize → LoadTokenizerBlob, damage is detected.
#include <gtest/gtest.h>

#include "tests/fixtures/test_util.h"
#include "tests/tokenizer/tokenizer_test_util.h"
#include "tokenizer/tokenizer.h"

namespace quiver {
namespace {

const std::vector<std::string> kTexts = {
    "Hello world",
    "  leading and trailing  ",
    "naïve café 東京 🦙",
    "",
    "<s>x</s>\n\ty",
    "The llama (/ˈlɑːmə/) is a domesticated South American camelid."};

// The reloaded tokenizer gives the same ids, pieces, offsets and decoding.
void ExpectSameBehaviour(const Tokenizer& a, const Tokenizer& b) {
  EXPECT_EQ(a.kind(), b.kind());
  EXPECT_EQ(a.vocab_size(), b.vocab_size());
  EXPECT_EQ(a.adds_bos(), b.adds_bos());
  EXPECT_EQ(a.special_tokens().bos, b.special_tokens().bos);
  EXPECT_EQ(a.special_tokens().unk, b.special_tokens().unk);
  for (const std::string& text : kTexts) {
    auto ea = a.Encode(text);
    auto eb = b.Encode(text);
    ASSERT_TRUE(ea.ok() && eb.ok());
    EXPECT_EQ(ea->ids, eb->ids) << text;
    EXPECT_EQ(ea->pieces, eb->pieces) << text;
    EXPECT_EQ(ea->offsets, eb->offsets) << text;
    EXPECT_EQ(a.Decode(ea->ids).value(), b.Decode(eb->ids).value());
  }
}

void RoundTrip(const Tokenizer& tok) {
  auto blob = tok.Serialize();
  ASSERT_TRUE(blob.ok()) << blob.status().ToString();
  auto back = LoadTokenizerBlob(blob.value());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameBehaviour(tok, **back);
  // Serialization is stable.
  EXPECT_EQ((*back)->Serialize().value(), blob.value());
}

TEST(TokenizerBlob, SentencePieceRoundTrip) {
  auto tok = test::LoadCached("llama2.model");
  ASSERT_NE(tok, nullptr);
  RoundTrip(*tok);
}

TEST(TokenizerBlob, TrainedSentencePieceRoundTrip) {
  std::vector<std::string> corpus;
  for (int i = 0; i < 500; ++i) corpus.push_back("sentence number " + std::to_string(i % 37));
  SentencePieceTrainOptions options;
  options.vocab_size = 25;
  options.byte_fallback = false;
  auto tok = TrainSentencePiece(corpus, options);
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  RoundTrip(**tok);
}

TEST(TokenizerBlob, HuggingFaceRoundTrip) {
  auto tok = test::LoadCached("mistral_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  RoundTrip(*tok);
}

TEST(TokenizerBlob, WordRoundTrip) {
  WordTokenizerOptions options;
  options.split_contractions = false;
  options.unk_token = "[UNK]";
  auto tok = MakeWordTokenizer({"hello", "world", "café", "<s>"}, options);
  ASSERT_TRUE(tok.ok());
  RoundTrip(**tok);
}

TEST(TokenizerBlob, BlobFileLoadsThroughLoadTokenizerFile) {
  auto tok = MakeWordTokenizer({"hello", "world"});
  ASSERT_TRUE(tok.ok());
  test::TempDir dir;
  const std::string path = dir.Sub("tok.bin");
  test::WriteFile(path, (*tok)->Serialize().value());
  auto back = LoadTokenizerFile(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->kind(), TokenizerKind::kWord);
}

TEST(TokenizerBlob, DamageIsCorruption) {
  auto tok = MakeWordTokenizer({"hello", "world"});
  ASSERT_TRUE(tok.ok());
  const std::string blob = (*tok)->Serialize().value();
  EXPECT_TRUE(LoadTokenizerBlob("").status().IsCorruption());
  EXPECT_TRUE(LoadTokenizerBlob("QVTOKNZR").status().IsCorruption());
  EXPECT_TRUE(LoadTokenizerBlob(blob.substr(0, blob.size() - 1)).status().IsCorruption());
  std::string flipped = blob;
  flipped[flipped.size() - 3] ^= 0x20;
  EXPECT_TRUE(LoadTokenizerBlob(flipped).status().IsCorruption());
  std::string wrong_kind = blob;
  wrong_kind[12] = 9;
  EXPECT_TRUE(LoadTokenizerBlob(wrong_kind).status().IsCorruption());
  std::string newer = blob;
  newer[8] = 2;
  EXPECT_TRUE(LoadTokenizerBlob(newer).status().IsNotSupported());
}

}  // namespace
}  // namespace quiver
