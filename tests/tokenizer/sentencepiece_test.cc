// sentencepiece models: exactness against the Llama-2 model's published test cases, decoding,
// metadata, and in-memory training.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "tests/tokenizer/tokenizer_test_util.h"
#include "tokenizer/raw_sentencepiece.h"
#include "tokenizer/tokenizer.h"

namespace quiver {
namespace {

using test::CacheHas;
using test::CachePath;
using ::testing::ElementsAre;

class Llama2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    tok_ = test::LoadCached("llama2.model");
    ASSERT_NE(tok_, nullptr);
  }
  std::unique_ptr<Tokenizer> tok_;
};

// The 12 expected id lists of llama-tokenizer-js 1.2.2's runTests(), which also require that
// decoding gives the text back.
TEST_F(Llama2Test, MatchesLlamaTokenizerJsCases) {
  ASSERT_TRUE(CacheHas("llama_tokenizer_js_cases.json"));
  const auto cases = test::LoadJson(CachePath("llama_tokenizer_js_cases.json"))["cases"];
  ASSERT_EQ(cases.size(), 12u);
  for (const auto& c : cases) {
    const std::string text = c["text"];
    SCOPED_TRACE(text.substr(0, 40));
    auto ids = tok_->EncodeIds(text);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    EXPECT_EQ(ids.value(), test::Ids(c["ids"]));
    auto enc = tok_->Encode(text);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(enc->ids, ids.value());
    auto decoded = tok_->Decode(ids.value());
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded.value(), text);
  }
}

TEST_F(Llama2Test, Metadata) {
  EXPECT_EQ(tok_->kind(), TokenizerKind::kSentencePiece);
  EXPECT_EQ(tok_->vocab_size(), 32000);
  EXPECT_TRUE(tok_->adds_bos());
  const SpecialTokenIds s = tok_->special_tokens();
  EXPECT_EQ(s.unk, 0);
  EXPECT_EQ(s.bos, 1);
  EXPECT_EQ(s.eos, 2);
  EXPECT_EQ(s.pad, -1);
  EXPECT_EQ(tok_->IdToPiece(1).value(), "<s>");
  EXPECT_EQ(tok_->IdToPiece(13).value(), "<0x0A>");
  EXPECT_EQ(tok_->IdToPiece(29871).value(), "\u2581");
  EXPECT_EQ(tok_->PieceToId("\u2581gra"), 2646);
  EXPECT_EQ(tok_->PieceToId("<unk>"), 0);
  EXPECT_EQ(tok_->PieceToId("no such piece"), std::nullopt);
  EXPECT_TRUE(tok_->IdToPiece(32000).status().IsNotFound());
  EXPECT_TRUE(tok_->IsSpecial(1));
  EXPECT_FALSE(tok_->IsSpecial(2646));
}

TEST_F(Llama2Test, PiecesAndOffsets) {
  const std::string text = "grabbed 🦙";
  auto enc = tok_->Encode(text);
  ASSERT_TRUE(enc.ok());
  // <s> ▁gra bb ed ▁ <0xF0> <0x9F> <0xA6> <0x99>
  ASSERT_EQ(enc->ids.size(), enc->pieces.size());
  ASSERT_EQ(enc->ids.size(), enc->offsets.size());
  EXPECT_EQ(enc->pieces.front(), "<s>");
  EXPECT_EQ(enc->offsets.front(), (TokenOffset{0, 0}));
  EXPECT_EQ(enc->pieces[1], "\u2581gra");
  EXPECT_EQ(enc->offsets[1], (TokenOffset{0, 3}));
  // Byte-fallback pieces cover the emoji's bytes.
  EXPECT_EQ(enc->pieces.back(), "<0x99>");
  EXPECT_EQ(enc->offsets.back().end, text.size());
  for (size_t i = 1; i < enc->offsets.size(); ++i) {
    EXPECT_LE(enc->offsets[i].begin, enc->offsets[i].end);
    EXPECT_LE(enc->offsets[i].end, text.size());
  }
}

TEST_F(Llama2Test, NoSpecialTokensAndDecodeWithSpecials) {
  auto ids = tok_->EncodeIds("grabbed", EncodeOptions{.add_special_tokens = false});
  ASSERT_TRUE(ids.ok());
  EXPECT_THAT(ids.value(), ElementsAre(2646, 1327, 287));
  const std::vector<int32_t> with_bos = {1, 2646, 1327, 287, 2};
  EXPECT_EQ(tok_->Decode(with_bos).value(), "grabbed");
  EXPECT_EQ(tok_->Decode(with_bos, /*skip_special_tokens=*/false).value(), "<s>grabbed</s>");
  const std::vector<int32_t> bad = {1, 32000};
  EXPECT_TRUE(tok_->Decode(bad).status().IsInvalidArgument());
  const std::vector<int32_t> negative = {-1};
  EXPECT_TRUE(tok_->Decode(negative).status().IsInvalidArgument());
}

// Long texts are encoded in pieces cut at spaces; the ids must be sentencepiece's own.
TEST_F(Llama2Test, LongTextMatchesSentencePieceItself) {
  ASSERT_TRUE(CacheHas("brown.txt"));
  std::string text = test::Slurp(CachePath("brown.txt")).substr(0, 300000);
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  auto raw = RawSentencePiece::Load(test::Slurp(CachePath("llama2.model")));
  ASSERT_TRUE(raw.ok());
  std::vector<int> expected;
  ASSERT_TRUE((*raw)->Encode(text, &expected));
  auto ids = tok_->EncodeIds(text, EncodeOptions{.add_special_tokens = false});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids.value(), std::vector<int32_t>(expected.begin(), expected.end()));
  auto enc = tok_->Encode(text, EncodeOptions{.add_special_tokens = false});
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->ids, ids.value());
  // Offsets are contiguous: each token starts where the previous one ended (or, for byte
  // pieces, at the same place).
  for (size_t i = 1; i < enc->offsets.size(); ++i) {
    ASSERT_TRUE(enc->offsets[i].begin == enc->offsets[i - 1].end ||
                enc->offsets[i].begin == enc->offsets[i - 1].begin)
        << i;
  }
  EXPECT_EQ(enc->offsets.back().end, text.size());
}

TEST(SentencePieceLoad, RejectsWhatIsNotAModel) {
  EXPECT_TRUE(LoadSentencePieceModel("").status().IsInvalidArgument());
  EXPECT_TRUE(
      LoadSentencePieceModel("this is plain text, not a protobuf").status().IsInvalidArgument());
  std::string noise(4096, '\0');
  std::mt19937 rng(7);
  for (char& c : noise) c = static_cast<char>(rng());
  EXPECT_FALSE(LoadSentencePieceModel(noise).ok());
  EXPECT_TRUE(LoadSentencePieceFile("/nonexistent/x.model").status().IsIOError());
}

TEST(SentencePieceLoad, TruncatedModelIsRefused) {
  ASSERT_TRUE(CacheHas("llama2.model"));
  const std::string model = test::Slurp(CachePath("llama2.model"));
  auto tok = LoadSentencePieceModel(std::string_view(model).substr(0, model.size() / 2));
  EXPECT_FALSE(tok.ok());
}

// A small English corpus with some accents, CJK and emoji, built deterministically.
std::vector<std::string> TrainingCorpus() {
  const std::vector<std::string> words = {
      "the",    "quick",     "brown",   "fox",       "jumps",  "over",  "lazy",  "dog",
      "vector", "database",  "token",   "embedding", "search", "index", "query", "café",
      "naïve",  "über",      "東京",    "数据",      "🦙",   "alpha", "beta",  "gamma",
      "delta",  "retrieval", "ranking", "model",     "train",  "seed"};
  std::mt19937 rng(1234);
  std::vector<std::string> corpus;
  for (int s = 0; s < 3000; ++s) {
    std::string line;
    const int n = 4 + static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) {
      if (k) line += ' ';
      line += words[rng() % words.size()];
    }
    line += (rng() % 3 == 0) ? "." : ",";
    corpus.push_back(line);
  }
  return corpus;
}

TEST(SentencePieceTrain, SameSeedGivesIdenticalModel) {
  const auto corpus = TrainingCorpus();
  SentencePieceTrainOptions options;
  options.vocab_size = 300;
  options.seed = 99;
  auto a = TrainSentencePiece(corpus, options);
  auto b = TrainSentencePiece(corpus, options);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ((*a)->vocab_size(), 300);
  EXPECT_EQ((*a)->Serialize().value(), (*b)->Serialize().value());
}

TEST(SentencePieceTrain, BpeRoundTripsArbitraryUtf8) {
  const auto corpus = TrainingCorpus();
  SentencePieceTrainOptions options;
  options.model_type = SentencePieceTrainOptions::ModelType::kBpe;
  options.vocab_size = 400;
  auto tok = TrainSentencePiece(corpus, options);
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  // Random code points from all planes (surrogates are not UTF-8): unseen characters fall
  // back to bytes, and preserve_text keeps spaces and compatibility characters as they are.
  std::mt19937 rng(5);
  for (int trial = 0; trial < 200; ++trial) {
    std::string text;
    const int n = 1 + static_cast<int>(rng() % 30);
    for (int k = 0; k < n; ++k) {
      char32_t c;
      do {
        c = static_cast<char32_t>(rng() % 0x110000);
        if (rng() % 4 == 0) c = static_cast<char32_t>(" \t\nab"[rng() % 5]);
      } while ((c >= 0xD800 && c <= 0xDFFF) || c == 0);
      std::string cp;
      if (c < 0x80) {
        cp = static_cast<char>(c);
      } else if (c < 0x800) {
        cp = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
      } else if (c < 0x10000) {
        cp = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
              static_cast<char>(0x80 | (c & 0x3F))};
      } else {
        cp = {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
              static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
      }
      text += cp;
    }
    auto ids = (*tok)->EncodeIds(text);
    ASSERT_TRUE(ids.ok());
    auto back = (*tok)->Decode(ids.value());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), text) << "trial " << trial;
  }
}

TEST(SentencePieceTrain, UnigramEncodesTrainingText) {
  SentencePieceTrainOptions options;
  options.vocab_size = 90;
  options.byte_fallback = false;
  auto tok = TrainSentencePiece(TrainingCorpus(), options);
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  auto enc = (*tok)->Encode("the quick brown fox");
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->ids.front(), (*tok)->special_tokens().bos);
  EXPECT_EQ((*tok)->Decode(enc->ids).value(), "the quick brown fox");
  // Frequent corpus words become single pieces.
  EXPECT_TRUE((*tok)->PieceToId("\u2581the").has_value());
}

TEST(SentencePieceTrain, RefusesBadOptions) {
  const auto corpus = TrainingCorpus();
  SentencePieceTrainOptions options;
  options.vocab_size = 2;
  EXPECT_TRUE(TrainSentencePiece(corpus, options).status().IsInvalidArgument());
  options.vocab_size = 100;
  options.character_coverage = 1.5;
  EXPECT_TRUE(TrainSentencePiece(corpus, options).status().IsInvalidArgument());
  options.character_coverage = 1.0;
  const std::vector<std::string> empty = {"", ""};
  EXPECT_TRUE(TrainSentencePiece(empty, options).status().IsInvalidArgument());
  // More pieces than this corpus can yield.
  options.vocab_size = 100000;
  EXPECT_TRUE(TrainSentencePiece(corpus, options).status().IsInvalidArgument());
}

}  // namespace
}  // namespace quiver
