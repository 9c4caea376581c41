// The hit snippets, terminal-safe text and score formatting of the query table (cli/snippet.h).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "quiver/display.h"

#include "cli/snippet.h"

namespace quiver::cli {
namespace {

constexpr char kBold[] = "\033[1m";
constexpr char kNormal[] = "\033[0m";

// `s` without the bold escape sequences Snippet adds.
std::string Plain(std::string s) {
  for (const std::string seq : {std::string(kBold), std::string(kNormal)}) {
    for (size_t at; (at = s.find(seq)) != std::string::npos;) s.erase(at, seq.size());
  }
  return s;
}

// `s` without the "…" marks at its ends.
std::string Unmarked(std::string s) {
  const std::string mark = "\u2026";
  if (s.rfind(mark, 0) == 0) s.erase(0, mark.size());
  if (s.size() >= mark.size() && s.compare(s.size() - mark.size(), mark.size(), mark) == 0) {
    s.erase(s.size() - mark.size());
  }
  return s;
}

// "w00 w01 ... w(n-1)" and the span of each word.
std::string Words(int n, std::vector<TextSpan>* spans) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    if (i) text += ' ';
    const auto begin = static_cast<uint32_t>(text.size());
    text += (i < 10 ? "w0" : "w") + std::to_string(i);
    spans->push_back({begin, static_cast<uint32_t>(text.size())});
  }
  return text;
}

TEST(SnippetTest, FoldsWhiteSpaceAndKeepsAShortTextWhole) {
  EXPECT_EQ(Snippet("  one\n\n two\tthree \r\n", {}, 100, false), "one two three");
  EXPECT_EQ(Snippet("", {}, 100, false), "");
  EXPECT_EQ(Snippet(" \n\t", {}, 100, false), "");
}

TEST(SnippetTest, BoldsExactlyTheHighlightedWordsOnlyWhenAsked) {
  const std::string text = "Configure the Proxy server.";
  EXPECT_EQ(Snippet(text, {{14, 19}}, 100, true),
            "Configure the " + std::string(kBold) + "Proxy" + kNormal + " server.");
  EXPECT_EQ(Snippet(text, {{14, 19}}, 100, false), text);
  // The offsets are the original text's, before white space is folded.
  EXPECT_EQ(Snippet("a\n\n\nProxy", {{4, 9}}, 100, true),
            "a " + std::string(kBold) + "Proxy" + kNormal);
}

TEST(SnippetTest, NeverPassesControlCharactersOrInvalidBytes) {
  const std::string text =
      "red \033[31mX\a\x7f \xC2\x9B"
      "2J \xff\xfe end \xE2\x80\xAE"
      "evil";
  const std::string plain = Snippet(text, {}, 100, false);
  EXPECT_EQ(plain.find('\033'), std::string::npos) << plain;
  EXPECT_EQ(plain.find('\a'), std::string::npos);
  EXPECT_EQ(plain.find('\x7f'), std::string::npos);
  EXPECT_EQ(plain.find("\xC2\x9B"), std::string::npos);
  EXPECT_EQ(plain.find("\xE2\x80\xAE"), std::string::npos);  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_NE(plain.find("\uFFFD[31mX"), std::string::npos) << plain;
  const std::string bold = Snippet(text, {{0, 3}}, 100, true);
  EXPECT_EQ(Plain(bold).find('\033'), std::string::npos) << bold;
  EXPECT_EQ(TerminalText("a\tb\nc\033d"), "a b c\uFFFDd");
}

TEST(SnippetTest, ShowsTheDensestWindowCutBetweenWords) {
  std::vector<TextSpan> words;
  const std::string text = Words(100, &words);
  const std::vector<TextSpan> highlights = {words[5], words[60], words[62], words[64]};
  const std::string snippet = Snippet(text, highlights, 40, true);
  const std::string plain = Plain(snippet);
  EXPECT_LE(DisplayWidth(plain), 40u);
  EXPECT_EQ(plain.rfind("\u2026", 0), 0u) << plain;  // text was cut before
  EXPECT_EQ(plain.find("w05"), std::string::npos) << plain;
  for (const char* word : {"w60", "w62", "w64"}) {
    EXPECT_NE(snippet.find(kBold + std::string(word) + kNormal), std::string::npos) << word;
  }
  // Whole words only: the window is a run of the text's words.
  const std::string window = Unmarked(plain);
  const size_t at = text.find(window);
  ASSERT_NE(at, std::string::npos) << window;
  EXPECT_TRUE(at == 0 || text[at - 1] == ' ');
  EXPECT_TRUE(at + window.size() == text.size() || text[at + window.size()] == ' ');
  EXPECT_LT(window.find("w60"), 40u / 2) << "some context before the first highlight: " << window;
}

TEST(SnippetTest, StartsAtTheTextWithoutHighlightsAndEndsAtTheLastOne) {
  std::vector<TextSpan> words;
  const std::string text = Words(100, &words);
  const std::string start = Snippet(text, {}, 30, false);
  EXPECT_EQ(start.rfind("w00 w01", 0), 0u) << start;
  EXPECT_EQ(start.substr(start.size() - 3), "\u2026");
  const std::string end = Snippet(text, {words[99]}, 30, false);
  EXPECT_EQ(end.rfind("\u2026", 0), 0u) << end;
  EXPECT_EQ(end.substr(end.size() - 3), "w99") << end;
  EXPECT_LE(DisplayWidth(end), 30u);
}

TEST(SnippetTest, CutsTextWithoutSpacesBetweenCharactersButNotInsideAHighlight) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "\u6f22";  // 漢, 3 bytes, 2 columns
  text.replace(450, 6, "\u5b57\u5b57");            // 字字 at characters 150 and 151
  const std::string snippet = Snippet(text, {{450, 456}}, 21, true);
  const std::string plain = Plain(snippet);
  EXPECT_LE(DisplayWidth(plain), 21u);
  EXPECT_NE(snippet.find(kBold + std::string("\u5b57\u5b57") + kNormal), std::string::npos);
  const std::string window = Unmarked(plain);
  for (size_t i = 0; i < window.size(); i = NextCharBoundary(window, i)) {
    EXPECT_EQ(NextCharBoundary(window, i) - i, 3u) << "a whole character at " << i;
  }
}

TEST(SnippetTest, IgnoresHighlightsOutOfBoundsOrOrder) {
  std::vector<TextSpan> words;
  const std::string text = Words(50, &words);
  const std::vector<TextSpan> bad = {{9, 5}, {0, 100000}, words[40], words[3], {7, 7}};
  const std::string snippet = Snippet(text, bad, 30, true);
  EXPECT_NE(snippet.find(kBold + std::string("w40") + kNormal), std::string::npos) << snippet;
  EXPECT_EQ(snippet.find("w03"), std::string::npos) << snippet;
}

TEST(SnippetTest, FitsEveryWidthWithRandomHighlights) {
  std::mt19937 random(7);
  std::vector<TextSpan> words;
  const std::string text = Words(80, &words) + " \u00e9t\u00e9 \u6f22\u5b57 caf\u00e9s";
  for (int round = 0; round < 300; ++round) {
    std::vector<TextSpan> highlights;
    for (const TextSpan& word : words) {
      if (random() % 5 == 0) highlights.push_back(word);
    }
    const size_t width = 1 + random() % 120;
    const std::string plain = Plain(Snippet(text, highlights, width, true));
    EXPECT_LE(DisplayWidth(plain), width) << plain;
    EXPECT_FALSE(plain.empty());
  }
}

TEST(FormatScoresTest, UsesFourDigitsAndMoreOnlyToTellNeighboursApart) {
  EXPECT_EQ(FormatScores({12.34567f, 0.5f, 0.016393f}),
            (std::vector<std::string>{"12.35", "0.5", "0.01639"}));
  const auto close = FormatScores({0.123451f, 0.123459f, 0.1f});
  EXPECT_NE(close[0], close[1]);
  EXPECT_EQ(close[0], "0.12345");
  EXPECT_EQ(close[2], "0.1");
  EXPECT_EQ(FormatScores({2.0f, 2.0f}), (std::vector<std::string>{"2", "2"}));  // a real tie
  const auto tiny = FormatScores({1.0f, 1.00000012f});
  EXPECT_NE(tiny[0], tiny[1]);
  EXPECT_TRUE(FormatScores({}).empty());
}

}  // namespace
}  // namespace quiver::cli
