#include "text/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "util/utf8.h"

namespace quiver::text {
namespace {

std::unique_ptr<Analyzer> Make(const std::string& language) {
  AnalyzerOptions options;
  options.language = language;
  Result<std::unique_ptr<Analyzer>> analyzer = Analyzer::Create(options);
  EXPECT_TRUE(analyzer.ok()) << analyzer.status().ToString();
  return analyzer.ok() ? std::move(analyzer).value() : nullptr;
}

std::vector<Term> TermsOf(const Analyzer& analyzer, std::string_view text) {
  std::vector<Term> terms;
  analyzer.Analyze(text, &terms);
  return terms;
}

// "text@position" for each term, space-separated.
std::string Describe(const std::vector<Term>& terms) {
  std::string out;
  for (const Term& t : terms) {
    if (!out.empty()) out += ' ';
    out += t.text + "@" + std::to_string(t.position);
  }
  return out;
}

// The caller's bytes of each term, space-separated.
std::string Sources(std::string_view text, const std::vector<Term>& terms) {
  std::string out;
  for (const Term& t : terms) {
    if (!out.empty()) out += ' ';
    out += std::string(text.substr(t.begin, t.end - t.begin));
  }
  return out;
}

std::vector<std::string> Texts(const std::vector<Term>& terms) {
  std::vector<std::string> out;
  for (const Term& t : terms) out.push_back(t.text);
  return out;
}

class AnalyzerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    english_ = Make("english");
    none_ = Make("none");
    ASSERT_NE(english_, nullptr);
    ASSERT_NE(none_, nullptr);
  }
  std::string English(std::string_view text) { return Describe(TermsOf(*english_, text)); }
  std::string None(std::string_view text) { return Describe(TermsOf(*none_, text)); }

  std::unique_ptr<Analyzer> english_;
  std::unique_ptr<Analyzer> none_;
};

TEST_F(AnalyzerTest, SegmentationDropsPunctuationAndKeepsExactOffsets) {
  const std::string text = "Hello, world!  (See: the \"manual\"...)\n\tDone.";
  const std::vector<Term> terms = TermsOf(*none_, text);
  EXPECT_EQ(Describe(terms), "hello@0 world@1 see@2 the@3 manual@4 done@5");
  EXPECT_EQ(Sources(text, terms), "Hello world See the manual Done");
  ASSERT_EQ(terms.size(), 6u);
  EXPECT_EQ(terms[0].begin, 0u);
  EXPECT_EQ(terms[0].end, 5u);
  EXPECT_EQ(terms[1].begin, 7u);
  EXPECT_EQ(terms[1].end, 12u);
  EXPECT_EQ(terms[5].begin, text.size() - 5);
  EXPECT_EQ(terms[5].end, text.size() - 1);
  // Apostrophes inside a word keep it whole; emoji and symbols are no words.
  EXPECT_EQ(None("don't \U0001F600 + = O'Reilly"), "don't@0 o'reilly@1");
}

TEST_F(AnalyzerTest, CaseFoldingAndNfkc) {
  const std::string text = "\uFB01le Stra\u00DFe \uFF21\uFF22\uFF23 \u00C9COLE";
  const std::vector<Term> terms = TermsOf(*none_, text);
  EXPECT_EQ(Describe(terms), "file@0 strasse@1 abc@2 \u00E9cole@3");
  EXPECT_EQ(Sources(text, terms), "\uFB01le Stra\u00DFe \uFF21\uFF22\uFF23 \u00C9COLE");
  // Decomposed input is composed; a soft hyphen disappears; fullwidth digits become ASCII.
  EXPECT_EQ(None("e\u0301t\u00E9 co\u00ADoperate \uFF11\uFF12\uFF13"),
            "\u00E9t\u00E9@0 cooperate@1 123@2");
  // A typographic apostrophe is an ASCII one, so both spellings meet (and stem alike).
  EXPECT_EQ(None("user\u2019s"), "user's@0");
  EXPECT_EQ(English("user\u2019s user's"), "user@0 user@1");
}

TEST_F(AnalyzerTest, EnglishStemming) {
  const std::vector<Term> terms = TermsOf(*english_, "proxies proxy Proxies");
  ASSERT_EQ(terms.size(), 3u);
  EXPECT_EQ(terms[0].text, terms[1].text);
  EXPECT_EQ(terms[0].text, terms[2].text);
  EXPECT_EQ(English("configure configuring configured configuration"),
            "configur@0 configur@1 configur@2 configur@3");
  EXPECT_EQ(English("running runs connection"), "run@0 run@1 connect@2");
  EXPECT_EQ(english_->Name(), "english");
}

TEST_F(AnalyzerTest, LanguageNoneDoesNotStem) {
  EXPECT_EQ(None("proxies proxy configuring"), "proxies@0 proxy@1 configuring@2");
  EXPECT_EQ(none_->Name(), "none");
}

TEST_F(AnalyzerTest, OtherLanguages) {
  std::unique_ptr<Analyzer> french = Make("French");
  ASSERT_NE(french, nullptr);
  EXPECT_EQ(french->Name(), "french");
  EXPECT_EQ(Describe(TermsOf(*french, "chevaux")), "cheval@0");
  EXPECT_EQ(English("chevaux"), "chevaux@0");
  std::unique_ptr<Analyzer> german = Make("german");
  ASSERT_NE(german, nullptr);
  EXPECT_EQ(Describe(TermsOf(*german, "H\u00E4user")), "haus@0");
}

TEST(AnalyzerCreateTest, InvalidLanguageIsAnError) {
  for (const std::string language : {"klingon", "", "en_US", "english "}) {
    AnalyzerOptions options;
    options.language = language;
    Result<std::unique_ptr<Analyzer>> analyzer = Analyzer::Create(options);
    ASSERT_FALSE(analyzer.ok()) << language;
    const Status status = analyzer.status();
    EXPECT_TRUE(status.IsInvalidArgument()) << status.ToString();
    const std::string& message = status.message();
    EXPECT_NE(message.find("\"" + language + "\""), std::string::npos) << message;
    EXPECT_NE(message.find("none"), std::string::npos) << message;
    EXPECT_NE(message.find("english"), std::string::npos) << message;
    EXPECT_NE(message.find("french"), std::string::npos) << message;
  }
}

TEST_F(AnalyzerTest, IdentifiersKeptWholeAndSplit) {
  EXPECT_EQ(English("Acquire::http::Proxy"), "acquire::http::proxy@0 acquir@0 http@1 proxi@2");
  EXPECT_EQ(English("snake_case"), "snake_case@0 snake@0 case@1");
  EXPECT_EQ(English("camelCase"), "camelcase@0 camel@0 case@1");
  EXPECT_EQ(English("v1.2.3"), "v1.2.3@0");
  EXPECT_EQ(English("e-mail"), "e-mail@0 e@0 mail@1");
  EXPECT_EQ(English("/etc/apt/apt.conf"), "etc/apt/apt.conf@0 etc@0 apt@1 apt@2 conf@3");
  EXPECT_EQ(English("foo.bar()"), "foo.bar@0 foo@0 bar@1");
  // More shapes: e-mail addresses, URLs, versions and dates, C++ names, dunder names.
  EXPECT_EQ(English("user@example.com"), "user@example.com@0 user@0 exampl@1 com@2");
  EXPECT_EQ(English("https://example.org/a"), "https://example.org/a@0 https@0 exampl@1 org@2 a@3");
  EXPECT_EQ(English("x86-64 2023-01-15"), "x86-64@0 x86@0 64@1 2023-01-15@2 2023@2 01@3 15@4");
  EXPECT_EQ(English("std::vector<int>"), "std::vector@0 std@0 vector@1 int@2");
  EXPECT_EQ(English("__init__ _private_var"), "init@0 private_var@1 privat@1 var@2");
  EXPECT_EQ(English("C:\\Windows\\System32"), "c:\\windows\\system32@0 c@0 window@1 system32@2");
  EXPECT_EQ(English("getElementById HTTPServer"),
            "getelementbyid@0 get@0 element@1 by@2 id@3 httpserver@4");
  // Not identifiers: words apart, or joined by other punctuation.
  EXPECT_EQ(English("foo - bar foo,bar foo(bar)"), "foo@0 bar@1 foo@2 bar@3 foo@4 bar@5");
}

TEST_F(AnalyzerTest, IdentifierInASentence) {
  const std::string text = "Set Acquire::http::Proxy. Then (--no-install-recommends) runs.";
  const std::vector<Term> terms = TermsOf(*english_, text);
  EXPECT_EQ(Describe(terms),
            "set@0 acquire::http::proxy@1 acquir@1 http@2 proxi@3 then@4 "
            "no-install-recommends@5 no@5 instal@6 recommend@7 run@8");
  EXPECT_EQ(Sources(text, terms),
            "Set Acquire::http::Proxy Acquire http Proxy Then no-install-recommends no install "
            "recommends runs");
}

TEST_F(AnalyzerTest, NumbersAreKeptAndNotStemmed) {
  EXPECT_EQ(English("3.14 1,000 42 1990s x86 mp3s"), "3.14@0 1,000@1 42@2 1990s@3 x86@4 mp3s@5");
  EXPECT_EQ(English("$100 -5 50%"), "100@0 5@1 50@2");
}

TEST_F(AnalyzerTest, ChineseIsSegmentedIntoWords) {
  const std::string text = "\u6211\u559C\u6B22\u5317\u4EAC";  // 我喜欢北京
  const std::vector<Term> terms = TermsOf(*english_, text);
  ASSERT_GT(terms.size(), 1u);
  EXPECT_LT(terms.size(), 5u);  // words, not one term per character
  uint32_t at = 0;
  for (size_t i = 0; i < terms.size(); ++i) {
    EXPECT_EQ(terms[i].position, i);
    EXPECT_EQ(terms[i].begin, at);
    EXPECT_EQ(terms[i].text, text.substr(terms[i].begin, terms[i].end - terms[i].begin));
    at = terms[i].end;
  }
  EXPECT_EQ(at, text.size());
  EXPECT_EQ(terms.back().text, "\u5317\u4EAC");  // 北京
}

TEST_F(AnalyzerTest, JapaneseKoreanThai) {
  // 東京都に住んでいます: dictionary words, starting with 東京.
  const std::vector<Term> japanese =
      TermsOf(*english_, "\u6771\u4EAC\u90FD\u306B\u4F4F\u3093\u3067\u3044\u307E\u3059");
  ASSERT_GT(japanese.size(), 2u);
  EXPECT_EQ(japanese[0].text, "\u6771\u4EAC");
  // Korean has spaces between words; Thai has none and goes through ICU's dictionary.
  EXPECT_EQ(English("\uC548\uB155\uD558\uC138\uC694 \uC138\uACC4"),
            "\uC548\uB155\uD558\uC138\uC694@0 \uC138\uACC4@1");
  EXPECT_EQ(English("\u0E20\u0E32\u0E29\u0E32\u0E44\u0E17\u0E22"),
            "\u0E20\u0E32\u0E29\u0E32@0 \u0E44\u0E17\u0E22@1");  // ภาษา | ไทย
  // Scripts mixed without spaces.
  const std::vector<Term> mixed = TermsOf(*english_, "Linux\u5185\u6838");
  ASSERT_GE(mixed.size(), 2u);
  EXPECT_EQ(mixed[0].text, "linux");
  EXPECT_EQ(mixed[0].end, 5u);
}

TEST_F(AnalyzerTest, InvalidUtf8KeepsOffsetsOnTheCallersBytes) {
  const std::string text =
      "ab\xFF"
      "cd \xC3(e-mail\x80) caf\xC3\xA9\xE6\x97";
  const std::vector<Term> terms = TermsOf(*none_, text);
  EXPECT_EQ(Describe(terms), "ab@0 cd@1 e-mail@2 e@2 mail@3 caf\u00E9@4");
  EXPECT_EQ(Sources(text, terms), "ab cd e-mail e mail caf\u00E9");
  ASSERT_EQ(terms.size(), 6u);
  EXPECT_EQ(terms[1].begin, 3u);
  EXPECT_EQ(terms[1].end, 5u);
  EXPECT_EQ(None("\xFF\xFE\xC0\xAF"), "");
  EXPECT_EQ(None("\xE6\x97"), "");
}

// Random bytes around words: no crash, offsets in bounds and on valid text, and each term is
// what its source bytes analyze to.
TEST_F(AnalyzerTest, InvalidUtf8RandomBytes) {
  const std::vector<std::string> pieces = {
      "a",        "Word",         "x1",          "42", ".",    "-",    "::",   "_",
      " ",        "\n",           "'",           "(",  "\xFF", "\x80", "\xC3", "\xE6\x97",
      "\xC3\xA9", "\xED\xA0\x80", "\xF0\x9F\x98"};
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    const std::vector<Term> terms = TermsOf(*none_, text);
    uint32_t last_position = 0;
    for (const Term& t : terms) {
      ASSERT_LT(t.begin, t.end) << text;
      ASSERT_LE(t.end, text.size()) << text;
      ASSERT_GE(t.position, last_position) << text;
      last_position = t.position;
      const std::string source = text.substr(t.begin, t.end - t.begin);
      ASSERT_TRUE(utf8::IsValid(source)) << text;
      const std::vector<std::string> again = Texts(TermsOf(*none_, source));
      EXPECT_NE(std::find(again.begin(), again.end(), t.text), again.end())
          << "term " << t.text << " of " << testing::PrintToString(text);
    }
  }
}

TEST_F(AnalyzerTest, EmptyAndWhitespaceOnlyInput) {
  std::vector<Term> terms = {Term{"stale", 0, 0, 1}};
  english_->Analyze("", &terms);
  EXPECT_TRUE(terms.empty());
  for (const char* text : {" ", "  \n\t \r\n", "\u3000\u00A0", "...!!! --- ::", "\U0001F600"}) {
    english_->Analyze(text, &terms);
    EXPECT_TRUE(terms.empty()) << text;
  }
}

TEST_F(AnalyzerTest, OverlongTermsAreDropped) {
  const std::string long_word(Analyzer::kMaxTermBytes + 1, 'b');
  EXPECT_EQ(None("a " + long_word + " c"), "a@0 c@1");
  EXPECT_EQ(None(std::string(Analyzer::kMaxTermBytes, 'b')),
            std::string(Analyzer::kMaxTermBytes, 'b') + "@0");
  // A long identifier keeps its parts.
  std::string path;
  for (int i = 0; i < 100; ++i) path += "/dir";
  const std::vector<Term> terms = TermsOf(*none_, path);
  ASSERT_EQ(terms.size(), 100u);
  EXPECT_EQ(terms[99].text, "dir");
  EXPECT_EQ(terms[99].position, 99u);
}

TEST_F(AnalyzerTest, OneMegabyte) {
  const std::string paragraph =
      "Set Acquire::http::Proxy in /etc/apt/apt.conf; proxies are configured per host. "
      "Version v1.2.3 costs 3.14 \u6211\u559C\u6B22\u5317\u4EAC, caf\u00E9 \uFB01le.\n";
  const std::vector<Term> one = TermsOf(*english_, paragraph);
  ASSERT_FALSE(one.empty());
  const uint32_t positions_per_paragraph = one.back().position + 1;
  std::string text;
  while (text.size() < (1u << 20)) text += paragraph;
  const size_t repeats = text.size() / paragraph.size();
  const auto start = std::chrono::steady_clock::now();
  const std::vector<Term> terms = TermsOf(*english_, text);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(terms.size(), one.size() * repeats);
  const Term& last = terms.back();
  EXPECT_EQ(last.text, one.back().text);
  EXPECT_EQ(last.position, positions_per_paragraph * repeats - 1);
  EXPECT_EQ(last.begin, one.back().begin + (repeats - 1) * paragraph.size());
  EXPECT_LT(seconds, 10.0);
  // One megabyte without a space: one word, too long; an identifier of 262144 parts.
  EXPECT_TRUE(TermsOf(*english_, std::string(1u << 20, 'a')).empty());
  std::string dashes;
  while (dashes.size() < (1u << 20)) dashes += "a-";
  EXPECT_EQ(TermsOf(*english_, dashes).size(), dashes.size() / 2);
}

TEST_F(AnalyzerTest, TextsLongerThanAWindow) {
  // 17 MiB: segmented in two windows, positions and offsets continuing across them.
  std::string text = "alpha";
  text.append(size_t{17} << 20, ' ');
  text += "beta gamma";
  const std::vector<Term> terms = TermsOf(*none_, text);
  EXPECT_EQ(Describe(terms), "alpha@0 beta@1 gamma@2");
  EXPECT_EQ(Sources(text, terms), "alpha beta gamma");
  // A window cut where there is no space falls on a character boundary.
  std::string letters;
  while (letters.size() < (size_t{17} << 20)) letters += "a\u00E9";
  letters += " end";
  const std::vector<Term> end = TermsOf(*none_, letters);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].text, "end");
  EXPECT_EQ(end[0].begin, letters.size() - 3);
}

TEST_F(AnalyzerTest, ConcurrentAnalyzeMatchesSingleThreaded) {
  std::vector<std::string> texts = {
      "Set Acquire::http::Proxy in /etc/apt/apt.conf; proxies are configured per host.",
      "snake_case camelCase v1.2.3 e-mail foo.bar() user@example.com",
      "\u6211\u559C\u6B22\u5317\u4EAC \u6771\u4EAC\u90FD\u306B\u4F4F\u3093\u3067\u3044\u307E\u3059",
      "\uFB01le Stra\u00DFe \uFF21\uFF22\uFF23 caf\xC3\xA9\xFF\x80 ab\xC3",
      "",
  };
  std::string big;
  while (big.size() < (64u << 10)) big += texts[0] + ' ' + texts[1] + ' ' + texts[2] + '\n';
  texts.push_back(big);
  std::unique_ptr<Analyzer> french = Make("french");
  ASSERT_NE(french, nullptr);
  std::vector<std::vector<Term>> expected, expected_french;
  for (const std::string& text : texts) {
    expected.push_back(TermsOf(*english_, text));
    expected_french.push_back(TermsOf(*french, text));
  }
  constexpr int kThreads = 4;
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Term> terms;
      for (int round = 0; round < 30; ++round) {
        for (size_t i = 0; i < texts.size(); ++i) {
          const size_t k = (i + t + round) % texts.size();  // threads out of step
          english_->Analyze(texts[k], &terms);
          if (terms != expected[k]) ++mismatches[t];
          french->Analyze(texts[k], &terms);
          if (terms != expected_french[k]) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  EXPECT_NE(expected[0], expected_french[0]);  // the two analyzers really differ
}

}  // namespace
}  // namespace quiver::text
