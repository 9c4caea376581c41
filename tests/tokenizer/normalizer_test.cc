// The NFC, NFD, NFKC and NFKD normalizers of tokenizer.json: known results, agreement with
// whole-string normalization, the byte alignment back to the caller's text, and their use in a
// tokenizer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "tokenizer/hf_components.h"
#include "tokenizer/tokenizer.h"
#include "util/utf8.h"

namespace quiver {
namespace {

using hf::NormText;
using hf::UnicodeForm;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr UnicodeForm kForms[] = {UnicodeForm::kNFC, UnicodeForm::kNFD, UnicodeForm::kNFKC,
                                  UnicodeForm::kNFKD};

const char* FormName(UnicodeForm f) {
  switch (f) {
    case UnicodeForm::kNFC:
      return "NFC";
    case UnicodeForm::kNFD:
      return "NFD";
    case UnicodeForm::kNFKC:
      return "NFKC";
    case UnicodeForm::kNFKD:
      return "NFKD";
  }
  return "";
}

// `text` run through the tokenizer.json normalizer `type`, tracking offsets (the identity
// alignment to start with).
NormText Normalize(const std::string& type, const std::string& text) {
  auto n = hf::ParseNormalizer(json{{"type", type}});
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  NormText t;
  t.text = text;
  t.track = true;
  for (uint32_t i = 0; i < text.size(); ++i) {
    t.ob.push_back(i);
    t.oe.push_back(i + 1);
  }
  if (n.ok()) EXPECT_TRUE(n.value()->Apply(t).ok());
  return t;
}

std::string NormalizedText(const std::string& type, const std::string& text) {
  return Normalize(type, text).text;
}

// The original byte range of each output byte, as (begin, end) pairs.
std::vector<std::pair<uint32_t, uint32_t>> Alignment(const NormText& t) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (size_t i = 0; i < t.text.size(); ++i) out.push_back({t.ob[i], t.oe[i]});
  return out;
}

TEST(UnicodeNormalizer, KnownResults) {
  EXPECT_EQ(NormalizedText("NFC", "e\u0301"), "\u00E9");
  EXPECT_EQ(NormalizedText("NFC", "\u00E9"), "\u00E9");
  EXPECT_EQ(NormalizedText("NFD", "\u00C5"), "A\u030A");
  EXPECT_EQ(NormalizedText("NFD", "\u212B"), "A\u030A");  // ANGSTROM SIGN
  EXPECT_EQ(NormalizedText("NFC", "\u212B"), "\u00C5");
  EXPECT_EQ(NormalizedText("NFKC", "\uFB01"), "fi");
  EXPECT_EQ(NormalizedText("NFKC", "\u2460"), "1");
  EXPECT_EQ(NormalizedText("NFKD", "\uFB01\u00E9"), "fie\u0301");
  // Canonical equivalents only: compatibility characters survive NFC and NFD.
  EXPECT_EQ(NormalizedText("NFC", "\uFB01\u2460"), "\uFB01\u2460");
  EXPECT_EQ(NormalizedText("NFD", "\uFB01\u2460"), "\uFB01\u2460");
  // Marks are put in canonical order before composing: a + dot below + circumflex = U+1EAD.
  EXPECT_EQ(NormalizedText("NFC", "a\u0302\u0323"), "\u1EAD");
  EXPECT_EQ(NormalizedText("NFD", "\u1EAD"), "a\u0323\u0302");
  // Hangul: conjoining jamo compose to a syllable, which decomposes back.
  EXPECT_EQ(NormalizedText("NFC", "\u1112\u1161\u11AB"), "\uD55C");
  EXPECT_EQ(NormalizedText("NFD", "\uD55C"), "\u1112\u1161\u11AB");
  // The classic example: long s with dot above + dot below.
  EXPECT_EQ(NormalizedText("NFC", "\u1E9B\u0323"), "\u1E9B\u0323");
  EXPECT_EQ(NormalizedText("NFKC", "\u1E9B\u0323"), "\u1E69");
  // Composition exclusions stay decomposed.
  EXPECT_EQ(NormalizedText("NFC", "\u0958"), "\u0915\u093C");
  EXPECT_EQ(NormalizedText("NFKC", ""), "");
  EXPECT_EQ(NormalizedText("NFKC", "plain ascii"), "plain ascii");
}

TEST(UnicodeNormalizer, AlignmentPointsAtTheSourceCharacters) {
  // "xe\u0301y": é came from bytes [1, 4); x and y keep their own bytes.
  const NormText nfc = Normalize("NFC", "xe\u0301y");
  EXPECT_EQ(nfc.text, "x\u00E9y");
  EXPECT_THAT(Alignment(nfc), ElementsAre(std::pair{0u, 1u}, std::pair{1u, 4u}, std::pair{1u, 4u},
                                          std::pair{4u, 5u}));
  // Both letters of the ligature belong to its three bytes.
  const NormText nfkc = Normalize("NFKC", "\uFB01!");
  EXPECT_EQ(nfkc.text, "fi!");
  EXPECT_THAT(Alignment(nfkc),
              ElementsAre(std::pair{0u, 3u}, std::pair{0u, 3u}, std::pair{3u, 4u}));
  // A decomposition: A and the ring both come from Å (bytes [1, 3)).
  const NormText nfd = Normalize("NFD", "-\u00C5");
  EXPECT_EQ(nfd.text, "-A\u030A");
  EXPECT_THAT(Alignment(nfd), ElementsAre(std::pair{0u, 1u}, std::pair{1u, 3u}, std::pair{1u, 3u},
                                          std::pair{1u, 3u}));
}

// Characters that exercise decomposition, reordering, composition across starters (Hangul,
// Kannada, Oriya), compatibility forms, exclusions and invalid bytes.
const std::vector<std::string>& Alphabet() {
  static const std::vector<std::string> alphabet = {
      "a",      "e",       "A",      " ",          "s",          "\u00E9",     "\u00C5", "\u212B",
      "\u0301", "\u0302",  "\u0316", "\u0323",     "\u0327",     "\u031B",     "\u0345", "\u0344",
      "\u0F73", "\u0F71",  "\u0F72", "\u0F75",     "\u1E9B",     "\u1EAD",     "\u1100", "\u1112",
      "\u1161", "\u11AB",  "\u11A8", "\uD55C",     "\uAC00",     "\u0B47",     "\u0B3E", "\u0B57",
      "\u0CC6", "\u0CC2",  "\u0CD5", "\u0958",     "\u2ADC",     "\u2126",     "\uFB01", "\u2460",
      "\u00BD", "\uFB2C",  "\u3099", "\u304B",     "\uFF76",     "\uFF9E",     "\u1F80", "\u0399",
      "\u03B9", "\u0308",  "\uFDFA", "\U0001D15E", "\U0001D165", "\U0001D16E", "\xFF",   "\xC3",
      "\x80",   "\xE2\x82"};
  return alphabet;
}

TEST(UnicodeNormalizer, TextEqualsWholeStringNormalization) {
  std::mt19937 rng(7);
  const auto& alphabet = Alphabet();
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1), length(0, 14);
  for (UnicodeForm form : kForms) {
    SCOPED_TRACE(FormName(form));
    for (int round = 0; round < 3000; ++round) {
      std::string text;
      for (size_t n = length(rng); n > 0; --n) text += alphabet[pick(rng)];
      const NormText out = Normalize(FormName(form), text);
      ASSERT_EQ(out.text, utf8::Normalize(text, form))
          << "input: " << json(utf8::Sanitize(text, nullptr));
      ASSERT_EQ(out.ob.size(), out.text.size());
      ASSERT_EQ(out.oe.size(), out.text.size());
      for (size_t i = 0; i < out.text.size(); ++i) {
        ASSERT_LT(out.ob[i], out.oe[i]);
        ASSERT_LE(out.oe[i], text.size());
        if (i > 0) ASSERT_LE(out.ob[i - 1], out.ob[i]);
      }
    }
  }
}

TEST(UnicodeNormalizer, LongMarkRunsAreOrderedQuickly) {
  // 200,000 alternating marks of classes 230 and 220: canonical order moves every 220 first,
  // keeping equal classes in their order.
  std::string text = "a", expected = "a";
  for (int i = 0; i < 100000; ++i) text += "\u0301\u0316";
  for (int i = 0; i < 100000; ++i) expected += "\u0316";
  for (int i = 0; i < 100000; ++i) expected += "\u0301";
  EXPECT_EQ(NormalizedText("NFD", text), expected);
  // NFC composes a + acute (the first 230 mark is unblocked once the 220s are moved before it).
  EXPECT_EQ(NormalizedText("NFC", text), utf8::Normalize(expected, UnicodeForm::kNFC));
}

TEST(UnicodeNormalizer, InvalidUtf8BecomesReplacementCharacters) {
  const std::string text =
      "\xFF"
      "e\u0301\xC3";
  const NormText out = Normalize("NFKC", text);
  EXPECT_EQ(out.text, "\uFFFD\u00E9\uFFFD");
  EXPECT_EQ(out.text, utf8::Normalize(text, UnicodeForm::kNFKC));
  EXPECT_EQ(out.ob.front(), 0u);
  EXPECT_EQ(out.oe.back(), text.size());
}

TEST(UnicodeNormalizer, OtherNormalizersAreStillRefused) {
  auto n = hf::ParseNormalizer(json{{"type", "Nmt"}});
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().IsNotSupported());
  EXPECT_THAT(n.status().message(), HasSubstr("Nmt"));
}

// ---- In a tokenizer.json ---------------------------------------------------------------------

// A sentencepiece-style BPE whose normalizer is NFKC followed by Replace(" " → "▁").
json NfkcTokenizerJson() {
  return json::parse(R"({
    "version": "1.0", "truncation": null, "padding": null,
    "added_tokens": [{"id": 0, "content": "<unk>", "special": true, "normalized": false,
                      "lstrip": false, "rstrip": false, "single_word": false}],
    "normalizer": {"type": "Sequence", "normalizers": [
      {"type": "NFKC"},
      {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
    "pre_tokenizer": null,
    "post_processor": null,
    "decoder": {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
    "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "fuse_unk": true,
      "byte_fallback": false,
      "vocab": {"<unk>": 0, "▁": 1, "f": 2, "i": 3, "fi": 4, "1": 5, "▁1": 6, "é": 7,
                "\uFFFD": 8},
      "merges": ["f i", "▁ 1"]}
  })");
}

TEST(UnicodeNormalizerInTokenizer, NfkcThenReplaceGivesIdsAndOffsets) {
  auto tok = LoadHuggingFaceJson(NfkcTokenizerJson().dump());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  // "ﬁ ① é" (é as e + combining acute) → NFKC "fi 1 é" → "fi▁1▁é".
  const std::string text = "\uFB01 \u2460 e\u0301";
  auto enc = tok.value()->Encode(text);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_THAT(enc->ids, ElementsAre(4, 6, 1, 7));
  EXPECT_THAT(enc->offsets, ElementsAre(TokenOffset{0, 3},     // fi ← ﬁ
                                        TokenOffset{3, 7},     // ▁1 ← " ①"
                                        TokenOffset{7, 8},     // ▁ ← " "
                                        TokenOffset{8, 11}));  // é ← e + U+0301
  EXPECT_EQ(tok.value()->Decode(enc->ids).value(), "fi 1 \u00E9");
}

TEST(UnicodeNormalizerInTokenizer, InvalidUtf8WithNfkcDoesNotCrash) {
  auto tok = LoadHuggingFaceJson(NfkcTokenizerJson().dump());
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  const std::string text = "\xFF\xFE \uFB01\xC3";
  auto enc = tok.value()->Encode(text);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_THAT(enc->ids, ElementsAre(8, 8, 1, 4, 8));
  for (const TokenOffset& o : enc->offsets) {
    EXPECT_LE(o.begin, o.end);
    EXPECT_LE(o.end, text.size());
  }
  EXPECT_EQ(enc->offsets.back(), (TokenOffset{6, 7}));
  auto ids = tok.value()->EncodeIds(text);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids.value(), enc->ids);
}

}  // namespace
}  // namespace quiver
