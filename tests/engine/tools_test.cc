// quiver/tools.h: tokenizing with a tokenizer file, training a tokenizer, plotting vectors.
#include "quiver/tools.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr const char* kSpace = "\xE2\x96\x81";  // ▁, sentencepiece's space

std::vector<std::string> Corpus() {
  const std::vector<std::string> words = {
      "the",    "quick",    "brown",  "fox",       "jumps",     "over",    "lazy",    "dog",
      "vector", "database", "token",  "embedding", "search",    "index",   "query",   "model",
      "train",  "seed",     "alpha",  "beta",      "gamma",     "delta",   "ranking", "retrieval",
      "store",  "record",   "cosine", "distance",  "neighbour", "cluster", "batch",   "commit"};
  std::mt19937 rng(7);
  std::vector<std::string> corpus;
  for (int s = 0; s < 2000; ++s) {
    std::string line;
    const int n = 4 + static_cast<int>(rng() % 10);
    for (int k = 0; k < n; ++k) {
      if (k) line += ' ';
      line += words[rng() % words.size()];
    }
    corpus.push_back(line + ".");
  }
  return corpus;
}

TokenizerTrainOptions SmallOptions() {
  TokenizerTrainOptions options;
  options.vocab_size = 48;
  options.byte_fallback = false;  // 256 byte pieces would not fit in 48
  return options;
}

size_t CountOf(const std::string& haystack, const std::string& needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// The text the pieces spell, with sentencepiece's space shown as ' ' and the space it puts
// before the first word dropped.
std::string Spelled(const Tokenization& tokens) {
  std::string text;
  for (const Token& token : tokens.tokens) {
    if (token.begin == token.end) continue;  // BOS
    for (size_t i = 0; i < token.piece.size();) {
      if (token.piece.compare(i, 3, kSpace) == 0) {
        text += ' ';
        i += 3;
      } else {
        text += token.piece[i++];
      }
    }
  }
  return !text.empty() && text[0] == ' ' ? text.substr(1) : text;
}

class ToolsTest : public ::testing::Test {
 protected:
  // Trains the small model and writes it to model_path_.
  void TrainModel(TokenizerTrainOptions options = SmallOptions()) {
    auto model = TrainTokenizer(Corpus(), options);
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    ASSERT_FALSE(model->empty());
    test::WriteFile(model_path_, *model);
  }

  test::TempDir dir_;
  const std::string model_path_ = dir_.Sub("small.model");
};

TEST_F(ToolsTest, TrainedModelTokenizesAndRoundTrips) {
  TrainModel();
  const std::string text = "the lazy dog jumps over the quick fox";
  auto tokens = TokenizeWithFile(model_path_, text, /*add_special_tokens=*/true);
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  EXPECT_EQ(tokens->tokenizer_kind, "sentencepiece");
  EXPECT_EQ(tokens->vocab_size, 48);
  ASSERT_GE(tokens->tokens.size(), 3u);
  // BOS first, covering no text; then the pieces cover the text end to end.
  EXPECT_EQ(tokens->tokens[0].piece, "<s>");
  EXPECT_EQ(tokens->tokens[0].begin, tokens->tokens[0].end);
  uint32_t end = 0;
  std::string covered;
  for (size_t i = 1; i < tokens->tokens.size(); ++i) {
    const Token& token = tokens->tokens[i];
    EXPECT_GE(token.id, 0);
    EXPECT_LT(token.id, tokens->vocab_size);
    EXPECT_LE(token.begin, token.end);
    covered += text.substr(token.begin, token.end - token.begin);
    end = token.end;
  }
  EXPECT_EQ(end, text.size());
  EXPECT_EQ(covered, text);
  EXPECT_EQ(Spelled(*tokens), text);

  // Without special tokens: the same ids minus BOS.
  auto plain = TokenizeWithFile(model_path_, text, /*add_special_tokens=*/false);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  ASSERT_EQ(plain->tokens.size() + 1, tokens->tokens.size());
  for (size_t i = 0; i < plain->tokens.size(); ++i) {
    EXPECT_EQ(plain->tokens[i].id, tokens->tokens[i + 1].id) << i;
    EXPECT_EQ(plain->tokens[i].piece, tokens->tokens[i + 1].piece) << i;
  }
}

TEST_F(ToolsTest, IdsMatchADatabaseCreatedWithTheSameTokenizer) {
  TrainModel();
  Options options;
  options.create_if_missing = true;
  options.dimension = 4;
  options.tokenizer_file = model_path_;
  options.report_to_stderr = false;
  auto db = DB::Open(options, dir_.Sub("db"));
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  for (const std::string text : {"the quick brown fox", "index over vector", "dog"}) {
    auto from_file = TokenizeWithFile(model_path_, text);
    auto from_db = (*db)->Tokenize(text);
    ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
    ASSERT_TRUE(from_db.ok()) << from_db.status().ToString();
    ASSERT_EQ(from_file->tokens.size(), from_db->tokens.size()) << text;
    for (size_t i = 0; i < from_file->tokens.size(); ++i) {
      EXPECT_EQ(from_file->tokens[i].id, from_db->tokens[i].id) << text << " token " << i;
    }
  }
  EXPECT_TRUE((*db)->Close().ok());
}

TEST_F(ToolsTest, TrainingIsDeterministicAndFollowsTheOptions) {
  const auto corpus = Corpus();
  auto a = TrainTokenizer(corpus, SmallOptions());
  auto b = TrainTokenizer(corpus, SmallOptions());
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(*a, *b);
  TokenizerTrainOptions bpe = SmallOptions();
  bpe.model_type = TokenizerTrainOptions::ModelType::kBpe;
  auto c = TrainTokenizer(corpus, bpe);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_NE(*a, *c);
  TokenizerTrainOptions bigger = SmallOptions();
  bigger.vocab_size = 56;
  TrainModel(bigger);
  auto tokens = TokenizeWithFile(model_path_, "fox");
  ASSERT_TRUE(tokens.ok()) << tokens.status().ToString();
  EXPECT_EQ(tokens->vocab_size, 56);
}

TEST_F(ToolsTest, TrainingErrorsAreInvalidArgument) {
  const auto corpus = Corpus();
  TokenizerTrainOptions options = SmallOptions();
  options.vocab_size = 2;
  auto r = TrainTokenizer(corpus, options);
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("vocab size must be at least 4"), std::string::npos)
      << r.status().message();

  options = SmallOptions();
  options.num_threads = 0;
  r = TrainTokenizer(corpus, options);
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_EQ(r.status().message(), "training threads must be at least 1; found 0");

  options = SmallOptions();
  options.character_coverage = 1.5;
  r = TrainTokenizer(corpus, options);
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("character coverage"), std::string::npos);

  r = TrainTokenizer({"", ""}, SmallOptions());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("no non-empty sentence"), std::string::npos);

  options = SmallOptions();
  options.vocab_size = 100000;  // far more pieces than this corpus yields
  r = TrainTokenizer(corpus, options);
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  // Library messages never name CLI flags.
  EXPECT_EQ(r.status().message().find("--vocab "), std::string::npos) << r.status().message();
}

TEST_F(ToolsTest, TokenizeErrorsNameTheFile) {
  const std::string missing = dir_.Sub("missing.model");
  auto r = TokenizeWithFile(missing, "text");
  EXPECT_TRUE(r.status().IsIOError()) << r.status().ToString();
  EXPECT_NE(r.status().message().find(missing), std::string::npos) << r.status().message();

  const std::string garbage = dir_.Sub("garbage.model");
  test::WriteFile(garbage, "this is not a tokenizer");
  r = TokenizeWithFile(garbage, "text");
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find(garbage), std::string::npos) << r.status().message();
}

TEST(PlotScatterSvg, DrawsOnePointPerVector) {
  const std::vector<std::string> labels = {"king", "queen", "man", "woman", "\xE6\x9D\xB1"};
  const std::vector<std::vector<float>> vectors = {
      {1, 0, 0.5f}, {0.9f, 0.1f, 0.4f}, {0, 1, 0}, {0.1f, 0.9f, 0.2f}, {0.5f, 0.5f, 1}};
  PlotOptions options;
  options.title = "a & b";
  auto svg = PlotScatterSvg(labels, vectors, options);
  ASSERT_TRUE(svg.ok()) << svg.status().ToString();
  EXPECT_EQ(svg->rfind("<?xml", 0), 0u);
  EXPECT_NE(svg->find("<svg"), std::string::npos);
  EXPECT_NE(svg->find("</svg>"), std::string::npos);
  EXPECT_EQ(CountOf(*svg, "<circle class=\"point\""), labels.size());
  EXPECT_EQ(CountOf(*svg, "<text class=\"label\""), labels.size());
  EXPECT_NE(svg->find("queen"), std::string::npos);
  EXPECT_NE(svg->find("\xE6\x9D\xB1"), std::string::npos);
  EXPECT_NE(svg->find("a &amp; b"), std::string::npos);
  EXPECT_EQ(svg->find("a & b"), std::string::npos);
  // Deterministic.
  EXPECT_EQ(*svg, PlotScatterSvg(labels, vectors, options).value());

  // Two vectors are enough; empty labels still get their points.
  auto two = PlotScatterSvg({"", ""}, {{1, 2}, {3, 4}});
  ASSERT_TRUE(two.ok()) << two.status().ToString();
  EXPECT_EQ(CountOf(*two, "<circle class=\"point\""), 2u);
  EXPECT_EQ(CountOf(*two, "<text class=\"label\""), 0u);
}

TEST(PlotScatterSvg, ErrorsAreInvalidArgumentNamingWhatWasFound) {
  auto r = PlotScatterSvg({"a", "b", "c"}, {{1, 2}, {3, 4}});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_EQ(r.status().message(), "expected one label per vector; found 3 labels for 2 vectors");

  r = PlotScatterSvg({"a"}, {{1, 2}});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("at least 2 vectors, found 1"), std::string::npos)
      << r.status().message();

  r = PlotScatterSvg({"a", "b"}, {{1, 2}, {3, 4, 5}});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("dimension"), std::string::npos) << r.status().message();

  r = PlotScatterSvg({"a", "b"}, {{1, std::numeric_limits<float>::quiet_NaN()}, {3, 4}});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();

  r = PlotScatterSvg({"a", "b"}, {{}, {}});
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
}

}  // namespace
}  // namespace quiver
