// engine/chunker: token-bounded chunks that prefer paragraph and sentence ends.
#include "ingest/chunker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/tokenizer.h"
#include "util/utf8.h"

namespace quiver::ingest {
namespace {

std::unique_ptr<Tokenizer> WordTokenizer() {
  auto tokenizer = MakeWordTokenizer({"the", "a", ".", "alpha", "beta"});
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  return std::move(tokenizer).value();
}

std::vector<TokenOffset> Tokens(const Tokenizer& tokenizer, std::string_view text) {
  EncodeOptions options;
  options.add_special_tokens = false;
  return tokenizer.Encode(text, options).value().offsets;
}

std::vector<TextChunk> ChunkOrDie(std::string_view text, const Tokenizer& tokenizer, int max_tokens,
                                  int overlap_tokens) {
  ChunkOptions options;
  options.max_tokens = max_tokens;
  options.overlap_tokens = overlap_tokens;
  auto chunks = ChunkText(text, tokenizer, options);
  EXPECT_TRUE(chunks.ok()) << chunks.status().ToString();
  return chunks.ok() ? std::move(chunks).value() : std::vector<TextChunk>{};
}

// Token index range [first, last) of one chunk.
using Span = std::pair<size_t, size_t>;

// Checks what holds for every chunking: token bounds, ranges at token edges, every token
// covered, starts moving forward, at most `overlap` tokens repeated. Returns the token spans.
std::vector<Span> CheckChunks(std::string_view text, const std::vector<TokenOffset>& tokens,
                              const std::vector<TextChunk>& chunks, int max_tokens, int overlap) {
  std::vector<Span> spans;
  for (size_t k = 0; k < chunks.size(); ++k) {
    SCOPED_TRACE("chunk " + std::to_string(k));
    const TextChunk& chunk = chunks[k];
    EXPECT_GE(chunk.token_count, 1);
    EXPECT_LE(chunk.token_count, max_tokens);
    EXPECT_LT(chunk.begin, chunk.end);
    EXPECT_LE(chunk.end, text.size());
    auto it = std::find_if(tokens.begin(), tokens.end(),
                           [&](const TokenOffset& t) { return t.begin == chunk.begin; });
    if (it == tokens.end()) {
      ADD_FAILURE() << "chunk begins at " << chunk.begin << ", not at a token";
      return spans;
    }
    const size_t first = static_cast<size_t>(it - tokens.begin());
    const size_t last = first + static_cast<size_t>(chunk.token_count);
    if (last > tokens.size()) {
      ADD_FAILURE() << "chunk runs past the last token";
      return spans;
    }
    EXPECT_EQ(tokens[last - 1].end, chunk.end);
    spans.emplace_back(first, last);
  }
  if (spans.size() != chunks.size() || spans.empty()) return spans;
  EXPECT_EQ(spans.front().first, 0u);
  EXPECT_EQ(spans.back().second, tokens.size());
  for (size_t k = 1; k < spans.size(); ++k) {
    SCOPED_TRACE("chunk " + std::to_string(k));
    EXPECT_GT(spans[k].first, spans[k - 1].first);
    EXPECT_LE(spans[k].first, spans[k - 1].second);  // no token left out
    EXPECT_GT(spans[k].second, spans[k - 1].second);
    EXPECT_LE(spans[k - 1].second - spans[k].first, static_cast<size_t>(overlap));
  }
  return spans;
}

// `count` sentences of `words` words and a period each ("w1 w2 w3."), `words` + 1 tokens.
std::string Sentences(int count, int words, int first_word = 0) {
  std::string text;
  for (int s = 0; s < count; ++s) {
    if (s > 0) text += ' ';
    for (int w = 0; w < words; ++w) {
      if (w > 0) text += ' ';
      text += "w" + std::to_string(first_word + s * words + w);
    }
    text += '.';
  }
  return text;
}

// `count` words without punctuation or line breaks.
std::string FlatWords(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += (i > 0 ? " v" : "v") + std::to_string(i);
  return text;
}

TEST(Chunker, RejectsBadOptions) {
  auto tokenizer = WordTokenizer();
  for (auto [max_tokens, overlap] :
       std::vector<std::pair<int, int>>{{0, 0}, {-3, 0}, {10, -1}, {10, 10}, {10, 11}}) {
    ChunkOptions options;
    options.max_tokens = max_tokens;
    options.overlap_tokens = overlap;
    EXPECT_TRUE(ChunkText("some text", *tokenizer, options).status().IsInvalidArgument())
        << max_tokens << " " << overlap;
  }
  EXPECT_TRUE(ChunkText("some text", *tokenizer, ChunkOptions{}).ok());
}

TEST(Chunker, EmptyOrWhiteSpaceTextHasNoChunks) {
  auto tokenizer = WordTokenizer();
  EXPECT_TRUE(ChunkOrDie("", *tokenizer, 8, 2).empty());
  EXPECT_TRUE(ChunkOrDie("  \n\t \r\n\n  ", *tokenizer, 8, 2).empty());
}

TEST(Chunker, ShortTextIsOneTightChunk) {
  auto tokenizer = WordTokenizer();
  const std::string text = "  Hello world.  \n";
  const auto chunks = ChunkOrDie(text, *tokenizer, 256, 32);
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0], (TextChunk{2, 14, 3}));
  // Exactly max_tokens tokens still fit in one chunk.
  EXPECT_EQ(ChunkOrDie(text, *tokenizer, 3, 2).size(), 1u);
  EXPECT_EQ(ChunkOrDie(text, *tokenizer, 2, 1).size(), 2u);
}

TEST(Chunker, TextWithoutBreaksIsCutAtMaxTokensWithExactOverlap) {
  auto tokenizer = WordTokenizer();
  const std::string text = FlatWords(1000);
  const auto tokens = Tokens(*tokenizer, text);
  ASSERT_EQ(tokens.size(), 1000u);
  const auto chunks = ChunkOrDie(text, *tokenizer, 100, 20);
  const auto spans = CheckChunks(text, tokens, chunks, 100, 20);
  ASSERT_EQ(spans.size(), 13u);  // starts 0, 80, ..., 960
  for (size_t k = 0; k < spans.size(); ++k) {
    EXPECT_EQ(spans[k].first, 80 * k);
    EXPECT_EQ(spans[k].second, std::min<size_t>(80 * k + 100, 1000));
  }
  EXPECT_EQ(text.substr(chunks[1].begin, chunks[1].end - chunks[1].begin).substr(0, 4), "v80 ");
}

TEST(Chunker, EndsChunksAtSentenceEnds) {
  auto tokenizer = WordTokenizer();
  const std::string text = Sentences(100, 9);  // 10 tokens per sentence
  const auto tokens = Tokens(*tokenizer, text);
  ASSERT_EQ(tokens.size(), 1000u);
  for (int overlap : {0, 8}) {
    SCOPED_TRACE("overlap " + std::to_string(overlap));
    const auto chunks = ChunkOrDie(text, *tokenizer, 64, overlap);
    const auto spans = CheckChunks(text, tokens, chunks, 64, overlap);
    ASSERT_GE(chunks.size(), 16u);
    for (size_t k = 0; k + 1 < chunks.size(); ++k) {
      EXPECT_EQ(text[chunks[k].end - 1], '.') << "chunk " << k;
      EXPECT_GE(chunks[k].token_count, 32);
    }
    if (overlap == 0) {
      EXPECT_EQ(chunks.size(), 17u);
      EXPECT_EQ(chunks[0].token_count, 60);
    }
  }
}

TEST(Chunker, PrefersParagraphBreaksToLaterSentenceEnds) {
  auto tokenizer = WordTokenizer();
  const std::string first_paragraph = Sentences(3, 9);  // 30 tokens
  const std::string text = first_paragraph + "\n\n" + Sentences(20, 9, 1000);
  const auto chunks = ChunkOrDie(text, *tokenizer, 50, 0);
  CheckChunks(text, Tokens(*tokenizer, text), chunks, 50, 0);
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].token_count, 30);
  EXPECT_EQ(chunks[0].end, first_paragraph.size());
  EXPECT_EQ(chunks[1].begin, first_paragraph.size() + 2);
  EXPECT_EQ(chunks[1].token_count, 50);  // then sentence ends again
  EXPECT_EQ(text[chunks[1].end - 1], '.');

  // A single line break counts as a sentence end, preferred to a plain token boundary.
  const std::string lines = FlatWords(30) + "\n" + FlatWords(100);
  const auto line_chunks = ChunkOrDie(lines, *tokenizer, 50, 0);
  ASSERT_GE(line_chunks.size(), 2u);
  EXPECT_EQ(line_chunks[0].token_count, 30);
}

TEST(Chunker, SentenceEndsAfterClosingQuotesAndCjkFullStops) {
  auto tokenizer = WordTokenizer();
  std::string quoted;  // "w1 w2 w3." is 6 tokens
  for (int i = 0; i < 20; ++i) quoted += "\"w1 w2 w3.\" ";
  auto chunks = ChunkOrDie(quoted, *tokenizer, 20, 0);
  CheckChunks(quoted, Tokens(*tokenizer, quoted), chunks, 20, 0);
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].token_count, 18);
  EXPECT_EQ(quoted.substr(chunks[0].end - 2, 3), ".\" ");

  std::string cjk;  // "東京です。" is 2 tokens; no space after the full stop
  for (int i = 0; i < 30; ++i) cjk += "東京です。";
  chunks = ChunkOrDie(cjk, *tokenizer, 5, 0);
  CheckChunks(cjk, Tokens(*tokenizer, cjk), chunks, 5, 0);
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].token_count, 4);
  EXPECT_EQ(cjk.substr(chunks[0].end - 3, 3), "。");
}

TEST(Chunker, BreaksInTheFirstHalfOfTheWindowAreNotUsed) {
  auto tokenizer = WordTokenizer();
  const std::string text = "First short sentence.\n\n" + FlatWords(200);
  const auto chunks = ChunkOrDie(text, *tokenizer, 50, 5);
  CheckChunks(text, Tokens(*tokenizer, text), chunks, 50, 5);
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].token_count, 50);
}

TEST(Chunker, OverlapStartsAtASentenceStartWhenOneIsNear) {
  auto tokenizer = WordTokenizer();
  const std::string text = Sentences(40, 4);  // 5 tokens per sentence
  const auto tokens = Tokens(*tokenizer, text);
  const auto chunks = ChunkOrDie(text, *tokenizer, 23, 8);
  const auto spans = CheckChunks(text, tokens, chunks, 23, 8);
  ASSERT_EQ(spans.size(), 13u);
  for (size_t k = 0; k < spans.size(); ++k) {
    SCOPED_TRACE("chunk " + std::to_string(k));
    EXPECT_EQ(spans[k].first, 15 * k);  // each starts at a sentence, 5 tokens back
    EXPECT_EQ(chunks[k].token_count, 20);
    EXPECT_EQ(text[chunks[k].begin], 'w');
    if (k > 0) EXPECT_EQ(text.substr(chunks[k].begin - 2, 2), ". ");
  }
}

TEST(Chunker, LargeOverlapStillMovesForward) {
  auto tokenizer = WordTokenizer();
  const std::string flat = FlatWords(200);
  const auto flat_tokens = Tokens(*tokenizer, flat);
  auto spans = CheckChunks(flat, flat_tokens, ChunkOrDie(flat, *tokenizer, 10, 9), 10, 9);
  ASSERT_EQ(spans.size(), 191u);
  for (size_t k = 0; k < spans.size(); ++k) EXPECT_EQ(spans[k], (Span{k, k + 10}));
  spans = CheckChunks(flat, flat_tokens, ChunkOrDie(flat, *tokenizer, 1, 0), 1, 0);
  EXPECT_EQ(spans.size(), 200u);

  // Breaks early in the window, a large overlap and short sentences together.
  const std::string text = Sentences(60, 2) + "\n\n" + Sentences(60, 1);
  const auto tokens = Tokens(*tokenizer, text);
  for (auto [max_tokens, overlap] :
       std::vector<std::pair<int, int>>{{10, 9}, {7, 6}, {2, 1}, {3, 2}}) {
    const auto chunks = ChunkOrDie(text, *tokenizer, max_tokens, overlap);
    CheckChunks(text, tokens, chunks, max_tokens, overlap);
    EXPECT_LE(chunks.size(), tokens.size());
  }
}

TEST(Chunker, NeverSplitsACharacter) {
  auto tokenizer = WordTokenizer();
  const std::vector<std::string> words = {"café", "東京", "naïve", "über", "日本語", "ok", "😀"};
  std::mt19937 rng(11);
  std::string text;
  for (int i = 0; i < 400; ++i) {
    text += words[rng() % words.size()];
    text += (rng() % 7 == 0) ? ". " : " ";
  }
  const auto tokens = Tokens(*tokenizer, text);
  const auto chunks = ChunkOrDie(text, *tokenizer, 7, 2);
  CheckChunks(text, tokens, chunks, 7, 2);
  for (const TextChunk& chunk : chunks) {
    EXPECT_TRUE(utf8::IsValid(std::string_view(text).substr(chunk.begin, chunk.end - chunk.begin)));
  }
  // Invalid bytes are tokens of their own (as U+FFFD); chunks still cover everything.
  const std::string broken = "abc \xFF\xFE def\xC3 gh. ij \xE2\x82 kl mn op.";
  CheckChunks(broken, Tokens(*tokenizer, broken), ChunkOrDie(broken, *tokenizer, 3, 1), 3, 1);
}

TEST(Chunker, IsDeterministic) {
  const std::string text = Sentences(50, 6) + "\n\n" + FlatWords(300) + "\n" + Sentences(30, 3);
  auto first = WordTokenizer();
  auto second = WordTokenizer();
  const auto a = ChunkOrDie(text, *first, 40, 8);
  EXPECT_EQ(ChunkOrDie(text, *first, 40, 8), a);
  EXPECT_EQ(ChunkOrDie(text, *second, 40, 8), a);
  EXPECT_NE(ChunkOrDie(text, *first, 40, 4), a);
}

// The boundary before token i in text whose only untokenized bytes are white space.
enum class Break { kToken, kSentence, kParagraph };
Break BreakBefore(std::string_view text, const std::vector<TokenOffset>& tokens, size_t i) {
  const std::string_view gap = text.substr(tokens[i - 1].end, tokens[i].begin - tokens[i - 1].end);
  const auto newlines = std::count(gap.begin(), gap.end(), '\n');
  if (newlines >= 2) return Break::kParagraph;
  if (newlines == 1) return Break::kSentence;
  const char last = text[tokens[i - 1].end - 1];
  if (!gap.empty() && (last == '.' || last == '!' || last == '?')) return Break::kSentence;
  return Break::kToken;
}

// Random texts and options against the rules written out plainly.
TEST(Chunker, FollowsTheCuttingRulesOnRandomText) {
  auto tokenizer = WordTokenizer();
  const std::vector<std::string> pieces = {"alpha", "beta", "gamma", "x1",   "café",
                                           "東京",  ",",    "\xFF",  "3.14", "don't"};
  const std::vector<std::string> seps = {" ",  " ",  " ",   " ",    "  ",    ". ",      "! ",
                                         "? ", "\n", ".\n", "\n\n", ".\n\n", " \n \n ", "\t"};
  std::mt19937 rng(2024);
  for (int round = 0; round < 60; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::string text = (rng() % 2) ? "\n " : "";
    const int count = 1 + static_cast<int>(rng() % 400);
    for (int i = 0; i < count; ++i) {
      text += pieces[rng() % pieces.size()];
      text += seps[rng() % (rng() % 3 == 0 ? seps.size() : 5)];
    }
    const int max_tokens = 1 + static_cast<int>(rng() % 40);
    const int overlap = static_cast<int>(rng() % max_tokens);
    const auto tokens = Tokens(*tokenizer, text);
    const auto chunks = ChunkOrDie(text, *tokenizer, max_tokens, overlap);
    const auto spans = CheckChunks(text, tokens, chunks, max_tokens, overlap);
    ASSERT_EQ(spans.size(), chunks.size());
    for (size_t k = 0; k < spans.size(); ++k) {
      SCOPED_TRACE("chunk " + std::to_string(k) + " of " + std::to_string(spans.size()) + ", max " +
                   std::to_string(max_tokens) + ", overlap " + std::to_string(overlap));
      const auto [first, last] = spans[k];
      if (k > 0) {  // where the chunk starts
        const size_t prev_end = spans[k - 1].second;
        const size_t back = prev_end >= static_cast<size_t>(overlap) ? prev_end - overlap : 0;
        size_t expected = std::max(back, spans[k - 1].first + 1);
        for (size_t i = expected; i < prev_end; ++i) {
          if (BreakBefore(text, tokens, i) != Break::kToken) {
            expected = i;
            break;
          }
        }
        EXPECT_EQ(first, expected);
      }
      if (k + 1 == spans.size()) {
        EXPECT_EQ(last, tokens.size());
        continue;
      }
      // Where it ends: the latest paragraph break, else sentence end, in the second half of
      // the window; else the window's end.
      const size_t limit = first + max_tokens;
      size_t lowest = first + std::max(1, max_tokens / 2);
      if (k > 0) lowest = std::max(lowest, spans[k - 1].second + 1);
      size_t expected = limit;
      for (Break wanted : {Break::kParagraph, Break::kSentence}) {
        size_t found = 0;
        for (size_t i = lowest; i <= limit; ++i) {
          if (BreakBefore(text, tokens, i) >= wanted) found = i;
        }
        if (found != 0) {
          expected = found;
          break;
        }
      }
      EXPECT_EQ(last, expected);
    }
  }
}

TEST(Chunker, TwentyMegabytesInLinearTime) {
  auto tokenizer = WordTokenizer();
  std::string text;
  text.reserve((20 << 20) + 1024);
  std::mt19937 rng(5);
  while (text.size() < (20u << 20)) {
    text += Sentences(1 + static_cast<int>(rng() % 5), 3 + static_cast<int>(rng() % 20),
                      static_cast<int>(rng() % 1000));
    text += (rng() % 4 == 0) ? "\n\n" : " ";
  }
  const auto start = std::chrono::steady_clock::now();
  const auto chunks = ChunkOrDie(text, *tokenizer, 256, 32);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Generous (shared machines); a quadratic chunker would take hours.
  EXPECT_LT(elapsed, std::chrono::seconds(60));
  ASSERT_GT(chunks.size(), 10000u);
  EXPECT_EQ(chunks.front().begin, 0u);
  EXPECT_EQ(chunks.back().end, text.size() - (text.back() == ' ' ? 1 : 2));
  for (size_t k = 1; k < chunks.size(); ++k) {
    ASSERT_LE(chunks[k].token_count, 256);
    ASSERT_GT(chunks[k].begin, chunks[k - 1].begin);
    ASSERT_LE(chunks[k].begin, chunks[k - 1].end);
  }
}

}  // namespace
}  // namespace quiver::ingest
