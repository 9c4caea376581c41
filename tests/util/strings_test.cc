#include "util/strings.h"

#include <gtest/gtest.h>

#include <string>

namespace quiver::util {
namespace {

TEST(QuoteTest, QuotesPlainText) {
  EXPECT_EQ(Quote(""), "\"\"");
  EXPECT_EQ(Quote("lang"), "\"lang\"");
  EXPECT_EQ(Quote("model.embed_tokens.weight"), "\"model.embed_tokens.weight\"");
  EXPECT_EQ(Quote("caf\u00E9 \u65E5\u672C \U0001F600"), "\"caf\u00E9 \u65E5\u672C \U0001F600\"");
}

TEST(QuoteTest, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(Quote("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(Quote("C:\\dir"), R"("C:\\dir")");
}

TEST(QuoteTest, EscapesControlCharactersOntoOneLine) {
  EXPECT_EQ(Quote("a\nb"), R"("a\nb")");
  EXPECT_EQ(Quote("\t\r\b\f"), R"("\t\r\b\f")");
  EXPECT_EQ(Quote(std::string("\0", 1)), R"("\u0000")");
  EXPECT_EQ(Quote("\x1B[31mred"), R"("\u001b[31mred")");  // no terminal escape gets through
  EXPECT_EQ(Quote("\x7F"), R"("\u007f")");
  EXPECT_EQ(Quote("\u0085 \u009B"), R"("\u0085 \u009b")");  // C1 controls (NEL, CSI)
  EXPECT_EQ(Quote("\u00A0"), "\"\u00A0\"");                 // the first non-control
  for (int c = 0; c < 0x20; ++c) {
    const std::string quoted = Quote(std::string(1, static_cast<char>(c)));
    EXPECT_EQ(quoted.find_first_of(std::string("\0\n\r\x1B", 4)), std::string::npos) << c;
  }
}

TEST(QuoteTest, ReplacesIllFormedBytes) {
  EXPECT_EQ(Quote("a\xFF"
                  "b"),
            "\"a\uFFFDb\"");
  EXPECT_EQ(Quote("\xC3"), "\"\uFFFD\"");                      // truncated sequence
  EXPECT_EQ(Quote("\xED\xA0\x80"), "\"\uFFFD\uFFFD\uFFFD\"");  // a surrogate, byte by byte
}

TEST(QuoteTest, TruncatesAfterMaxBytes) {
  EXPECT_EQ(Quote("abcdef", 3), "\"abc...\"");
  EXPECT_EQ(Quote("abc", 3), "\"abc\"");
  EXPECT_EQ(Quote("abcd", 0), "\"...\"");
  EXPECT_EQ(Quote(std::string(100, 'w'), 40), "\"" + std::string(40, 'w') + "...\"");
  // The limit counts input bytes, before escaping.
  EXPECT_EQ(Quote("\n\n\n\n", 2), R"("\n\n...")");
}

TEST(QuoteTest, NeverSplitsACharacterWhenTruncating) {
  // "é" is 2 bytes, "日" 3, "😀" 4: a limit inside one drops the whole character.
  EXPECT_EQ(Quote("a\u00E9", 2), "\"a...\"");
  EXPECT_EQ(Quote("a\u00E9", 3), "\"a\u00E9\"");
  EXPECT_EQ(Quote("\u65E5\u672C", 4), "\"\u65E5...\"");
  EXPECT_EQ(Quote("\u65E5\u672C", 5), "\"\u65E5...\"");
  EXPECT_EQ(Quote("\u65E5\u672C", 6), "\"\u65E5\u672C\"");
  EXPECT_EQ(Quote("x\U0001F600y", 4), "\"x...\"");
  EXPECT_EQ(Quote("x\U0001F600y", 5), "\"x\U0001F600...\"");
  // Every cut of a mixed text is a whole-character prefix.
  const std::string text = "a\u00E9\u65E5\U0001F600b";
  for (size_t max = 0; max <= text.size(); ++max) {
    const std::string quoted = Quote(text, max);
    std::string inner = quoted.substr(1, quoted.size() - 2);
    if (inner.size() >= 3 && inner.compare(inner.size() - 3, 3, "...") == 0) {
      inner.resize(inner.size() - 3);
    }
    EXPECT_LE(inner.size(), max);
    EXPECT_EQ(text.compare(0, inner.size(), inner), 0) << max;
    EXPECT_EQ(inner.find("\uFFFD"), std::string::npos) << max;
  }
}

TEST(EndsWithTest, ComparesTheTail) {
  EXPECT_TRUE(EndsWith("model.safetensors.index.json", ".safetensors.index.json"));
  EXPECT_TRUE(EndsWith("vocab.txt", ".txt"));
  EXPECT_TRUE(EndsWith("abc", ""));
  EXPECT_TRUE(EndsWith("", ""));
  EXPECT_TRUE(EndsWith(".txt", ".txt"));
  EXPECT_FALSE(EndsWith("txt", ".txt"));
  EXPECT_FALSE(EndsWith("vocab.txt.gz", ".txt"));
  EXPECT_FALSE(EndsWith("", "a"));
}

}  // namespace
}  // namespace quiver::util
