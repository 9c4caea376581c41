// Hugging Face tokenizer.json (BPE): exactness against the real Mistral-7B and Llama-3 files,
// and each pipeline component on small hand-written files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/tokenizer/tokenizer_test_util.h"
#include "tokenizer/tokenizer.h"

namespace quiver {
namespace {

using nlohmann::json;
using test::CacheHas;
using test::CachePath;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Checks every case of a generated fixture section: ids, pieces and decoded text.
void ExpectMatchesFixture(const Tokenizer& tok, const json& cases) {
  ASSERT_GE(cases.size(), 40u);
  for (const json& c : cases) {
    const std::string text = c["text"];
    SCOPED_TRACE("text: " + text.substr(0, 60));
    auto enc = tok.Encode(text);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    EXPECT_EQ(enc->ids, test::Ids(c["ids"]));
    std::vector<std::string> pieces(enc->pieces.begin(), enc->pieces.end());
    EXPECT_EQ(pieces, c["tokens"].get<std::vector<std::string>>());
    auto ids = tok.EncodeIds(text);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(ids.value(), enc->ids);
    auto decoded = tok.Decode(test::Ids(c["ids"]), /*skip_special_tokens=*/false);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded.value(), c["decoded"].get<std::string>());
    for (const TokenOffset& o : enc->offsets) {
      EXPECT_LE(o.begin, o.end);
      EXPECT_LE(o.end, text.size());
    }
  }
}

TEST(MistralTokenizerJson, MatchesMistralTokenizerJsCases) {
  auto tok = test::LoadCached("mistral_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  ASSERT_TRUE(CacheHas("mistral_tokenizer_js_cases.json"));
  const json cases = test::LoadJson(CachePath("mistral_tokenizer_js_cases.json"))["cases"];
  ASSERT_EQ(cases.size(), 12u);
  for (const json& c : cases) {
    const std::string text = c["text"];
    SCOPED_TRACE(text.substr(0, 40));
    auto ids = tok->EncodeIds(text);
    ASSERT_TRUE(ids.ok()) << ids.status().ToString();
    EXPECT_EQ(ids.value(), test::Ids(c["ids"]));
    EXPECT_EQ(tok->Decode(ids.value()).value(), text);
  }
}

TEST(MistralTokenizerJson, MatchesHuggingFaceTokenizers) {
  auto tok = test::LoadCached("mistral_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  ExpectMatchesFixture(*tok, test::HfExpected()["mistral"]);
}

TEST(MistralTokenizerJson, Metadata) {
  auto tok = test::LoadCached("mistral_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->kind(), TokenizerKind::kHuggingFaceBpe);
  EXPECT_EQ(tok->vocab_size(), 32000);
  EXPECT_TRUE(tok->adds_bos());
  EXPECT_EQ(tok->special_tokens().bos, 1);
  EXPECT_EQ(tok->special_tokens().eos, 2);
  EXPECT_EQ(tok->special_tokens().unk, 0);
  EXPECT_TRUE(tok->IsSpecial(1));
  EXPECT_FALSE(tok->IsSpecial(13300));
  EXPECT_EQ(tok->PieceToId("\u2581grabbed"), 13300);
}

TEST(MistralTokenizerJson, OffsetsPointIntoTheText) {
  auto tok = test::LoadCached("mistral_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  const std::string text = "Hello world";
  auto enc = tok->Encode(text);
  ASSERT_TRUE(enc.ok());
  ASSERT_EQ(enc->ids.size(), 3u);
  EXPECT_EQ(enc->offsets[0], (TokenOffset{0, 0}));   // <s>
  EXPECT_EQ(enc->offsets[1], (TokenOffset{0, 5}));   // ▁Hello (the ▁ belongs to "H")
  EXPECT_EQ(enc->offsets[2], (TokenOffset{5, 11}));  // ▁world (the ▁ is the space)
  auto no_bos = tok->EncodeIds(text, EncodeOptions{.add_special_tokens = false});
  ASSERT_TRUE(no_bos.ok());
  EXPECT_THAT(no_bos.value(), ElementsAre(22557, 1526));
}

TEST(Llama3TokenizerJson, MatchesHuggingFaceTokenizers) {
  auto tok = test::LoadCached("llama3_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  ExpectMatchesFixture(*tok, test::HfExpected()["llama3"]);
}

TEST(Llama3TokenizerJson, MetadataOffsetsAndSpecialTokens) {
  auto tok = test::LoadCached("llama3_tokenizer.json");
  ASSERT_NE(tok, nullptr);
  EXPECT_EQ(tok->vocab_size(), 128256);
  // This file's post-processor is ByteLevel: no BOS is added.
  EXPECT_FALSE(tok->adds_bos());
  EXPECT_EQ(tok->special_tokens().bos, 128000);
  EXPECT_EQ(tok->special_tokens().eos, 128001);
  const std::string text = "<|begin_of_text|>Hello world";
  auto enc = tok->Encode(text);
  ASSERT_TRUE(enc.ok());
  EXPECT_THAT(enc->ids, ElementsAre(128000, 9906, 1917));
  EXPECT_EQ(enc->offsets[0], (TokenOffset{0, 17}));
  EXPECT_EQ(enc->offsets[1], (TokenOffset{17, 22}));
  EXPECT_EQ(enc->offsets[2], (TokenOffset{22, 28}));
  EXPECT_EQ(tok->Decode(enc->ids).value(), "Hello world");
  EXPECT_EQ(tok->Decode(enc->ids, false).value(), text);
}

// ---- Small hand-written tokenizer.json files ------------------------------------------------

// A byte-level BPE over the alphabet {a, b, c, space} with merges a+b, ab+c, Ġ+a.
json TinyByteLevel() {
  return json::parse(R"({
    "version": "1.0", "truncation": null, "padding": null,
    "added_tokens": [
      {"id": 9, "content": "<eos>", "special": true, "normalized": false,
       "lstrip": false, "rstrip": false, "single_word": false},
      {"id": 10, "content": "[M]", "special": false, "normalized": false,
       "lstrip": true, "rstrip": true, "single_word": false}
    ],
    "normalizer": null,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
                      "use_regex": true},
    "post_processor": {"type": "TemplateProcessing",
      "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<eos>", "type_id": 0}}],
      "pair": [], "special_tokens": {"<eos>": {"id": "<eos>", "ids": [9], "tokens": ["<eos>"]}}},
    "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
    "model": {"type": "BPE", "dropout": null, "unk_token": null, "fuse_unk": false,
      "byte_fallback": false,
      "vocab": {"a": 0, "b": 1, "c": 2, "Ġ": 3, "ab": 4, "abc": 5, "Ġa": 6, "bc": 7, "x": 8},
      "merges": ["a b", "ab c", "Ġ a", "b c"]}
  })");
}

std::unique_ptr<Tokenizer> Load(const json& j) {
  auto tok = LoadHuggingFaceJson(j.dump());
  EXPECT_TRUE(tok.ok()) << tok.status().ToString();
  return tok.ok() ? std::move(tok.value()) : nullptr;
}

TEST(HfBpe, MergesInRankOrderAndTemplateAddsEos) {
  auto tok = Load(TinyByteLevel());
  ASSERT_NE(tok, nullptr);
  // "abc": a+b (rank 0) first, then ab+c. " abc" → "Ġabc": a+b (rank 0) beats Ġ+a (rank 2),
  // and then nothing joins Ġ to "abc".
  auto enc = tok->Encode("abc abc");
  ASSERT_TRUE(enc.ok());
  EXPECT_THAT(enc->ids, ElementsAre(5, 3, 5, 9));
  EXPECT_EQ(enc->offsets.back(), (TokenOffset{7, 7}));
  EXPECT_FALSE(tok->adds_bos());
  EXPECT_EQ(tok->special_tokens().eos, 9);
  EXPECT_EQ(tok->Decode(enc->ids).value(), "abc abc");
}

TEST(HfBpe, ArrayMergesEqualStringMerges) {
  json j = TinyByteLevel();
  j["model"]["merges"] = json::parse(R"([["a", "b"], ["ab", "c"], ["Ġ", "a"], ["b", "c"]])");
  auto array_form = Load(j);
  auto string_form = Load(TinyByteLevel());
  ASSERT_NE(array_form, nullptr);
  ASSERT_NE(string_form, nullptr);
  for (const char* text : {"abc abc", "cab bca", "a b c"}) {
    EXPECT_EQ(array_form->EncodeIds(text).value(), string_form->EncodeIds(text).value()) << text;
  }
}

TEST(HfBpe, AddedTokensMatchBeforeBpeWithStrip) {
  auto tok = Load(TinyByteLevel());
  ASSERT_NE(tok, nullptr);
  // "[M]" strips the spaces around it (lstrip/rstrip); "<eos>" in the text is the token.
  auto enc = tok->Encode("ab  [M]  c<eos>", EncodeOptions{.add_special_tokens = false});
  ASSERT_TRUE(enc.ok());
  EXPECT_THAT(enc->ids, ElementsAre(4, 10, 2, 9));
  EXPECT_EQ(enc->offsets[1], (TokenOffset{2, 9}));
  EXPECT_EQ(tok->Decode(enc->ids).value(), "ab[M]c");
  EXPECT_EQ(tok->Decode(enc->ids, false).value(), "ab[M]c<eos>");
}

TEST(HfBpe, IgnoreMergesUsesWholeWordFromVocab) {
  json j = TinyByteLevel();
  // "bc" would be merged first (rank 0 below) leaving a + bc; with ignore_merges the whole
  // word "abc" is in the vocabulary and wins.
  j["model"]["merges"] = json::parse(R"(["b c", "a b", "ab c", "Ġ a"])");
  auto without = Load(j);
  j["model"]["ignore_merges"] = true;
  auto with = Load(j);
  ASSERT_NE(without, nullptr);
  ASSERT_NE(with, nullptr);
  const EncodeOptions plain{.add_special_tokens = false};
  EXPECT_THAT(without->EncodeIds("abc", plain).value(), ElementsAre(0, 7));
  EXPECT_THAT(with->EncodeIds("abc", plain).value(), ElementsAre(5));
}

// A sentencepiece-style file: Prepend + Replace normalizers, byte fallback, unknown tokens.
json TinyMetaspace(bool byte_fallback) {
  json j = json::parse(R"({
    "version": "1.0", "truncation": null, "padding": null,
    "added_tokens": [{"id": 0, "content": "<unk>", "special": true, "normalized": false,
                      "lstrip": false, "rstrip": false, "single_word": false},
                     {"id": 1, "content": "<s>", "special": true, "normalized": false,
                      "lstrip": false, "rstrip": false, "single_word": false}],
    "normalizer": {"type": "Sequence", "normalizers": [
      {"type": "Prepend", "prepend": "▁"},
      {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
    "pre_tokenizer": null,
    "post_processor": {"type": "TemplateProcessing",
      "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
      "pair": [], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
    "decoder": {"type": "Sequence", "decoders": [
      {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
      {"type": "ByteFallback"}, {"type": "Fuse"},
      {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
    "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "fuse_unk": true,
      "vocab": {"<unk>": 0, "<s>": 1, "▁": 2, "h": 3, "i": 4, "▁h": 5, "▁hi": 6,
                "<0xC3>": 7, "<0xA9>": 8},
      "merges": ["▁ h", "▁h i"]}
  })");
  j["model"]["byte_fallback"] = byte_fallback;
  return j;
}

TEST(HfBpe, ByteFallbackAndFusedUnknowns) {
  auto with_bytes = Load(TinyMetaspace(true));
  auto without = Load(TinyMetaspace(false));
  ASSERT_NE(with_bytes, nullptr);
  ASSERT_NE(without, nullptr);
  // "é" is C3 A9: bytes with fallback; "xyz" has no byte tokens: one fused <unk>.
  EXPECT_THAT(with_bytes->EncodeIds("hi é").value(), ElementsAre(1, 6, 2, 7, 8));
  EXPECT_THAT(with_bytes->EncodeIds("hi xyz").value(), ElementsAre(1, 6, 2, 0));
  EXPECT_THAT(without->EncodeIds("hi é").value(), ElementsAre(1, 6, 2, 0));
  EXPECT_EQ(with_bytes->Decode(std::vector<int32_t>{1, 6, 2, 7, 8}).value(), "hi é");
  // A lone continuation byte decodes to U+FFFD.
  EXPECT_EQ(with_bytes->Decode(std::vector<int32_t>{6, 8}).value(), "hi\xEF\xBF\xBD");
}

TEST(HfBpe, SplitBehaviors) {
  json j = TinyByteLevel();
  j["pre_tokenizer"] = json::parse(R"({"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"String": "c"}, "behavior": "Removed", "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]})");
  auto removed = Load(j);
  ASSERT_NE(removed, nullptr);
  const EncodeOptions plain{.add_special_tokens = false};
  EXPECT_THAT(removed->EncodeIds("abcab", plain).value(), ElementsAre(4, 4));
  j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "MergedWithNext";
  auto next = Load(j);
  ASSERT_NE(next, nullptr);
  // "ab" | "cab": c joins the following piece, so a+b merges but ab+c cannot form.
  EXPECT_THAT(next->EncodeIds("abcab", plain).value(), ElementsAre(4, 2, 4));
  j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "MergedWithPrevious";
  auto prev = Load(j);
  ASSERT_NE(prev, nullptr);
  EXPECT_THAT(prev->EncodeIds("abcab", plain).value(), ElementsAre(5, 4));
  j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Bogus";
  EXPECT_TRUE(LoadHuggingFaceJson(j.dump()).status().IsNotSupported());
}

TEST(HfBpe, MetaspacePreTokenizerAndDecoder) {
  json j = TinyMetaspace(true);
  j["normalizer"] = nullptr;
  j["pre_tokenizer"] = json::parse(
      R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true})");
  j["decoder"] = json::parse(
      R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": true})");
  auto tok = Load(j);
  ASSERT_NE(tok, nullptr);
  auto enc = tok->Encode("hi hi");
  ASSERT_TRUE(enc.ok());
  EXPECT_THAT(enc->ids, ElementsAre(1, 6, 6));
  EXPECT_EQ(tok->Decode(enc->ids).value(), "hi hi");
}

TEST(HfBpe, LowercaseAndStripNormalizers) {
  json j = TinyByteLevel();
  j["normalizer"] = json::parse(R"({"type": "Sequence", "normalizers": [
      {"type": "Strip", "strip_left": true, "strip_right": true}, {"type": "Lowercase"}]})");
  auto tok = Load(j);
  ASSERT_NE(tok, nullptr);
  auto enc = tok->Encode("  ABC ", EncodeOptions{.add_special_tokens = false});
  ASSERT_TRUE(enc.ok());
  EXPECT_THAT(enc->ids, ElementsAre(5));
  EXPECT_EQ(enc->offsets[0], (TokenOffset{2, 5}));
}

// ---- Refusals ----------------------------------------------------------------------------------

TEST(HfBpeLoad, UnsupportedComponentsAreNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"normalizer", R"({"type": "Nmt"})"},
      {"pre_tokenizer", R"({"type": "Whitespace"})"},
      {"decoder", R"({"type": "CTC"})"},
      {"model", R"({"type": "WordLevel", "vocab": {}, "unk_token": "<unk>"})"},
  };
  for (const auto& [section, value] : cases) {
    json j = TinyByteLevel();
    j[section] = json::parse(value);
    auto tok = LoadHuggingFaceJson(j.dump());
    ASSERT_FALSE(tok.ok()) << section;
    EXPECT_TRUE(tok.status().IsNotSupported()) << tok.status().ToString();
    const std::string name =
        j[section].contains("type") ? j[section]["type"].get<std::string>() : section;
    EXPECT_THAT(tok.status().message(), HasSubstr(name));
  }
}

TEST(HfBpeLoad, MalformedFilesAreInvalidArgument) {
  EXPECT_TRUE(LoadHuggingFaceJson("").status().IsInvalidArgument());
  EXPECT_TRUE(LoadHuggingFaceJson("not json at all").status().IsInvalidArgument());
  EXPECT_TRUE(LoadHuggingFaceJson("[1, 2, 3]").status().IsInvalidArgument());
  const std::string full = TinyByteLevel().dump();
  for (size_t cut : {full.size() / 4, full.size() / 2, full.size() - 1}) {
    EXPECT_TRUE(LoadHuggingFaceJson(full.substr(0, cut)).status().IsInvalidArgument()) << cut;
  }
  json j = TinyByteLevel();
  j["model"]["merges"].push_back("a zz");  // names a token not in the vocabulary
  EXPECT_TRUE(LoadHuggingFaceJson(j.dump()).status().IsInvalidArgument());
  j = TinyByteLevel();
  j["model"]["vocab"] = "not an object";
  EXPECT_TRUE(LoadHuggingFaceJson(j.dump()).status().IsInvalidArgument());
  j = TinyByteLevel();
  j["pre_tokenizer"] = json::parse(R"({"type": "Split", "pattern": {"Regex": "(unclosed"},
                                      "behavior": "Isolated", "invert": false})");
  EXPECT_TRUE(LoadHuggingFaceJson(j.dump()).status().IsInvalidArgument());
  EXPECT_TRUE(LoadHuggingFaceFile("/nonexistent/tokenizer.json").status().IsIOError());
}

TEST(HfBpeLoad, TruncatedRealFileIsInvalidArgument) {
  ASSERT_TRUE(CacheHas("mistral_tokenizer.json"));
  const std::string full = test::Slurp(CachePath("mistral_tokenizer.json"));
  auto tok = LoadHuggingFaceJson(std::string_view(full).substr(0, full.size() / 2));
  ASSERT_FALSE(tok.ok());
  EXPECT_TRUE(tok.status().IsInvalidArgument());
}

}  // namespace
}  // namespace quiver
