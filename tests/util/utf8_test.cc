#include "util/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

namespace quiver::utf8 {
namespace {

TEST(Utf8Test, IsContinuationByte) {
  EXPECT_FALSE(IsContinuationByte('a'));
  EXPECT_FALSE(IsContinuationByte('\x7F'));
  EXPECT_TRUE(IsContinuationByte('\x80'));
  EXPECT_TRUE(IsContinuationByte('\xBF'));
  EXPECT_FALSE(IsContinuationByte('\xC3'));
  EXPECT_FALSE(IsContinuationByte('\xF0'));
  EXPECT_FALSE(IsContinuationByte('\xFF'));
}

TEST(Utf8Test, IsInsideSequence) {
  const std::string s = "a\u00E9\u65E5\U0001F600";  // bytes: 1 + 2 + 3 + 4
  const std::vector<bool> inside = {false, false, true, false, true, true, false, true, true, true};
  ASSERT_EQ(s.size(), inside.size());
  for (size_t pos = 0; pos < s.size(); ++pos)
    EXPECT_EQ(IsInsideSequence(s, pos), inside[pos]) << pos;
  EXPECT_FALSE(IsInsideSequence(s, s.size()));
  // A stray continuation byte, or one after an ill-formed start, is no character to split.
  EXPECT_FALSE(IsInsideSequence("a\x80", 1));
  EXPECT_FALSE(IsInsideSequence("\xC0\x80", 1));
  EXPECT_FALSE(IsInsideSequence("\xE6\x97", 1));  // truncated: not a well-formed sequence
}

TEST(Utf8Test, CharBoundaryAtOrBefore) {
  const std::string s = "a\u00E9\u65E5";
  EXPECT_EQ(CharBoundaryAtOrBefore(s, 0), 0u);
  EXPECT_EQ(CharBoundaryAtOrBefore(s, 2), 1u);
  EXPECT_EQ(CharBoundaryAtOrBefore(s, 3), 3u);
  EXPECT_EQ(CharBoundaryAtOrBefore(s, 5), 3u);
  EXPECT_EQ(CharBoundaryAtOrBefore(s, s.size()), s.size());
}

TEST(Utf8Test, IsValidPrefix) {
  EXPECT_TRUE(IsValidPrefix(""));
  EXPECT_TRUE(IsValidPrefix("plain ascii"));
  EXPECT_TRUE(IsValidPrefix("\u00E9\u65E5\U0001F600"));
  // Cut anywhere, a well-formed text stays a valid prefix.
  const std::string s = "x\u00E9\u65E5\U0001F600";
  for (size_t n = 0; n <= s.size(); ++n) EXPECT_TRUE(IsValidPrefix(s.substr(0, n))) << n;
  // ... but not when the cut piece is followed by something else.
  EXPECT_FALSE(IsValidPrefix("\xC3z"));
  EXPECT_FALSE(IsValidPrefix("\xE6\x97z"));
  // Bytes that never start a character, anywhere.
  EXPECT_FALSE(IsValidPrefix("\x80"));
  EXPECT_FALSE(IsValidPrefix("a\xFF"));
  EXPECT_FALSE(IsValidPrefix("\xC0"));  // overlong lead
  EXPECT_FALSE(IsValidPrefix("\xF5"));  // beyond U+10FFFF
  // Ill-formed second bytes: overlong, surrogate, beyond U+10FFFF.
  EXPECT_FALSE(IsValidPrefix("\xE0\x80"));
  EXPECT_FALSE(IsValidPrefix("\xED\xA0"));
  EXPECT_FALSE(IsValidPrefix("\xF4\x90"));
  EXPECT_TRUE(IsValidPrefix("\xF4\x8F"));
}

TEST(Utf8Test, NormalizeWholeStrings) {
  EXPECT_EQ(Normalize("e\u0301", NormalizationForm::kNFC), "\u00E9");
  EXPECT_EQ(Normalize("\u00E9", NormalizationForm::kNFD), "e\u0301");
  EXPECT_EQ(Normalize("\uFB01", NormalizationForm::kNFC), "\uFB01");
  EXPECT_EQ(Normalize("\uFB01", NormalizationForm::kNFKC), "fi");
  EXPECT_EQ(Normalize("\u2460", NormalizationForm::kNFKD), "1");
  EXPECT_EQ(Normalize("\u1100\u1161", NormalizationForm::kNFC), "\uAC00");  // Hangul jamo
  // Canonical order of marks: class 220 (U+0316) before class 230 (U+0301).
  EXPECT_EQ(Normalize("a\u0301\u0316", NormalizationForm::kNFD), "a\u0316\u0301");
  EXPECT_EQ(Normalize("a\xFF", NormalizationForm::kNFC), "a\uFFFD");
  EXPECT_EQ(Normalize("", NormalizationForm::kNFKC), "");
}

// The groups of NormalizeByGroups as (begin, end, normalized).
std::vector<std::tuple<size_t, size_t, std::string>> Groups(std::string_view text,
                                                            NormalizationForm form) {
  std::vector<std::tuple<size_t, size_t, std::string>> groups;
  NormalizeByGroups(text, form, [&](size_t b, size_t e, std::string_view normalized) {
    groups.emplace_back(b, e, std::string(normalized));
  });
  return groups;
}

TEST(Utf8Test, NormalizeByGroupsCoversTheTextInOrder) {
  using G = std::tuple<size_t, size_t, std::string>;
  // "-", then e + combining acute (one group, composed), then "!".
  EXPECT_EQ(Groups("-e\u0301!", NormalizationForm::kNFC),
            (std::vector<G>{{0, 1, "-"}, {1, 4, "\u00E9"}, {4, 5, "!"}}));
  EXPECT_EQ(Groups("\uFB01!", NormalizationForm::kNFKC),
            (std::vector<G>{{0, 3, "fi"}, {3, 4, "!"}}));
  // Hangul L + V compose across starters: one group.
  EXPECT_EQ(Groups("\u1100\u1161", NormalizationForm::kNFC), (std::vector<G>{{0, 6, "\uAC00"}}));
  EXPECT_EQ(Groups("\u1100\u1161", NormalizationForm::kNFD),
            (std::vector<G>{{0, 3, "\u1100"}, {3, 6, "\u1161"}}));
  // An ill-formed byte is a U+FFFD of its own.
  EXPECT_EQ(Groups("\xFF"
                   "a",
                   NormalizationForm::kNFC),
            (std::vector<G>{{0, 1, "\uFFFD"}, {1, 2, "a"}}));
  EXPECT_TRUE(Groups("", NormalizationForm::kNFC).empty());
}

TEST(Utf8Test, NormalizeByGroupsConcatenatesToNormalize) {
  const std::vector<std::string> texts = {
      "caf\u00E9",          "e\u0301\u0316x", "\u1100\u1161\u11A8 \uD55C", "\u0B47\u0B3E\u0B57",
      "\uFB01\u2460\u00BD", "\u212B\u2126",   "a\xC3\x80\xE2\x82",         "\U0001D15E\U0001D165"};
  for (NormalizationForm form : {NormalizationForm::kNFC, NormalizationForm::kNFD,
                                 NormalizationForm::kNFKC, NormalizationForm::kNFKD}) {
    for (const std::string& text : texts) {
      std::string joined;
      size_t next = 0;
      NormalizeByGroups(text, form, [&](size_t b, size_t e, std::string_view normalized) {
        EXPECT_EQ(b, next);
        EXPECT_LT(b, e);
        next = e;
        joined.append(normalized);
      });
      EXPECT_EQ(next, text.size());
      EXPECT_EQ(joined, Normalize(text, form));
    }
  }
}

}  // namespace
}  // namespace quiver::utf8
