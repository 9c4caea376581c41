// quiver/display.h: terminal widths, cutting by width, character boundaries.
#include "quiver/display.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace quiver {
namespace {

constexpr std::string_view kCjk = "\xE4\xB8\xAD\xE6\x96\x87";  // 中文: two wide characters
constexpr std::string_view kCombining = "e\xCC\x81";           // e + U+0301 COMBINING ACUTE
constexpr std::string_view kEmoji = "\xF0\x9F\xA6\x99";        // U+1F999 llama, wide

TEST(DisplayWidth, AsciiCountsOnePerByteControlsIncluded) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("hello, world"), 12u);
  EXPECT_EQ(DisplayWidth("a\tb\nc\x01\x7F"), 7u);
}

TEST(DisplayWidth, WideCharactersCountTwo) {
  EXPECT_EQ(DisplayWidth(kCjk), 4u);
  EXPECT_EQ(DisplayWidth("\xEF\xBC\xA1"), 2u);  // U+FF21 FULLWIDTH LATIN CAPITAL A
  EXPECT_EQ(DisplayWidth(kEmoji), 2u);
  EXPECT_EQ(DisplayWidth(std::string("id ") + std::string(kCjk)), 7u);
}

TEST(DisplayWidth, CombiningAndZeroWidthCountZero) {
  EXPECT_EQ(DisplayWidth(kCombining), 1u);
  EXPECT_EQ(DisplayWidth("\xCC\x81"), 0u);  // a lone combining mark
  EXPECT_EQ(DisplayWidth("a\xE2\x80\x8B"
                         "b"),
            2u);                                // U+200B ZERO WIDTH SPACE
  EXPECT_EQ(DisplayWidth("\xC3\xA9"), 1u);      // é precomposed
  EXPECT_EQ(DisplayWidth("\xE2\x80\xA6"), 1u);  // … (the CLI's ellipsis)
}

TEST(DisplayWidth, InvalidBytesCountOneEach) {
  EXPECT_EQ(DisplayWidth("\xFF"), 1u);
  EXPECT_EQ(DisplayWidth("\x80\x80"), 2u);          // stray continuation bytes
  EXPECT_EQ(DisplayWidth("a\xE4\xB8"), 3u);         // a truncated 3-byte sequence: two bytes
  EXPECT_EQ(DisplayWidth("\xC0\xAF"), 2u);          // overlong '/'
  EXPECT_EQ(DisplayWidth("\xED\xA0\x80"), 3u);      // a UTF-16 surrogate
  EXPECT_EQ(DisplayWidth("\xFF\xE4\xB8\xAD"), 3u);  // invalid byte, then 中
}

TEST(PrefixByWidth, AsciiIsAPlainPrefix) {
  EXPECT_EQ(PrefixByWidth("abcdef", 3), "abc");
  EXPECT_EQ(PrefixByWidth("abcdef", 0), "");
  EXPECT_EQ(PrefixByWidth("abc", 10), "abc");
  EXPECT_EQ(PrefixByWidth("", 5), "");
}

TEST(PrefixByWidth, LeavesOutAWideCharacterThatWouldCrossTheLimit) {
  const std::string text = "a" + std::string(kCjk);  // widths 1, 2, 2
  EXPECT_EQ(PrefixByWidth(text, 1), "a");
  EXPECT_EQ(PrefixByWidth(text, 2), "a");  // 中 needs two columns, one is left
  EXPECT_EQ(PrefixByWidth(text, 3), "a\xE4\xB8\xAD");
  EXPECT_EQ(PrefixByWidth(text, 4), "a\xE4\xB8\xAD");
  EXPECT_EQ(PrefixByWidth(text, 5), text);
}

TEST(PrefixByWidth, KeepsCombiningMarksWithTheirCharacter) {
  const std::string text = std::string(kCombining) + "x";
  EXPECT_EQ(PrefixByWidth(text, 1), kCombining);
  EXPECT_EQ(PrefixByWidth(text, 0), "");
}

TEST(PrefixByWidth, NeverSplitsACharacter) {
  const std::string text = "a\xC3\xA9" + std::string(kCjk) + std::string(kEmoji) + "\xFF" +
                           std::string(kCombining) + "\xE4\xB8" + "z";
  size_t previous = 0;
  for (size_t width = 0; width <= DisplayWidth(text) + 1; ++width) {
    const std::string_view prefix = PrefixByWidth(text, width);
    EXPECT_EQ(prefix.data(), text.data());
    EXPECT_LE(DisplayWidth(prefix), width);
    EXPECT_TRUE(IsCharBoundary(text, prefix.size())) << "width " << width;
    EXPECT_GE(prefix.size(), previous);  // grows with the width
    previous = prefix.size();
    // The longest such prefix: one more character would not fit.
    if (prefix.size() < text.size()) {
      const size_t next = NextCharBoundary(text, prefix.size());
      EXPECT_GT(DisplayWidth(std::string_view(text).substr(0, next)), width) << "width " << width;
    }
  }
  EXPECT_EQ(PrefixByWidth(text, DisplayWidth(text)), text);
}

TEST(SuffixByWidth, KeepsTheEndWholeCharactersOnly) {
  EXPECT_EQ(SuffixByWidth("abcdef", 3), "def");
  EXPECT_EQ(SuffixByWidth("abc", 5), "abc");
  EXPECT_EQ(SuffixByWidth("abc", 0), "");
  const std::string text = std::string(kCjk) + "a";  // widths 2, 2, 1
  EXPECT_EQ(SuffixByWidth(text, 1), "a");
  EXPECT_EQ(SuffixByWidth(text, 2), "a");
  EXPECT_EQ(SuffixByWidth(text, 3),
            "\xE6\x96\x87"
            "a");
  // Does not start with a combining mark cut off from its base.
  EXPECT_EQ(SuffixByWidth(std::string(kCombining) + "xy", 2), "xy");
  EXPECT_EQ(SuffixByWidth(std::string(kCombining) + "xy", 3), std::string(kCombining) + "xy");
}

TEST(CharBoundary, ValidText) {
  const std::string text = "a\xC3\xA9\xE4\xB8\xAD" + std::string(kEmoji);
  // a | é (2 bytes) | 中 (3) | 🦙 (4)
  const std::vector<size_t> boundaries = {0, 1, 3, 6, 10};
  for (size_t pos = 0; pos <= text.size() + 2; ++pos) {
    const bool expected = std::find(boundaries.begin(), boundaries.end(), pos) != boundaries.end();
    EXPECT_EQ(IsCharBoundary(text, pos), expected) << pos;
  }
  EXPECT_EQ(CharBoundaryAtOrBefore(text, 2), 1u);
  EXPECT_EQ(CharBoundaryAtOrBefore(text, 5), 3u);
  EXPECT_EQ(CharBoundaryAtOrBefore(text, 9), 6u);
  EXPECT_EQ(CharBoundaryAtOrBefore(text, 6), 6u);
  EXPECT_EQ(CharBoundaryAtOrBefore(text, 99), text.size());
  EXPECT_EQ(CharBoundaryAtOrAfter(text, 2), 3u);
  EXPECT_EQ(CharBoundaryAtOrAfter(text, 7), 10u);
  EXPECT_EQ(CharBoundaryAtOrAfter(text, 99), text.size());
  std::vector<size_t> visited;
  for (size_t pos = 0; pos < text.size(); pos = NextCharBoundary(text, pos)) visited.push_back(pos);
  visited.push_back(text.size());
  EXPECT_EQ(visited, boundaries);
  EXPECT_EQ(NextCharBoundary(text, 4), 6u);  // from inside 中: its end
  EXPECT_EQ(NextCharBoundary(text, text.size()), text.size());
}

TEST(CharBoundary, InvalidBytesAreCharactersOfTheirOwn) {
  // 'a', stray continuation, stray continuation, truncated lead 0xE4 0xB8 (two characters),
  // then 中.
  const std::string text = "a\x80\x80\xE4\xB8\xE4\xB8\xAD";
  const std::vector<size_t> boundaries = {0, 1, 2, 3, 4, 5, 8};
  std::vector<size_t> visited;
  for (size_t pos = 0; pos < text.size(); pos = NextCharBoundary(text, pos)) visited.push_back(pos);
  visited.push_back(text.size());
  EXPECT_EQ(visited, boundaries);
  for (size_t pos = 0; pos <= text.size(); ++pos) {
    const bool expected = std::find(boundaries.begin(), boundaries.end(), pos) != boundaries.end();
    EXPECT_EQ(IsCharBoundary(text, pos), expected) << pos;
  }
  EXPECT_EQ(CharBoundaryAtOrBefore(text, 7), 5u);
  EXPECT_EQ(CharBoundaryAtOrAfter(text, 6), 8u);
}

}  // namespace
}  // namespace quiver
