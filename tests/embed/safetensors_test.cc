#include "embed/safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/fixtures/test_util.h"

namespace quiver::embed {
namespace {

using nlohmann::json;
using test::TempDir;
using test::WriteFile;

struct Tensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;  // little-endian data
};

std::string F32Bytes(const std::vector<float>& v) {
  std::string out(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t u;
    std::memcpy(&u, &v[i], 4);
    for (int b = 0; b < 4; ++b) out[4 * i + b] = static_cast<char>(u >> (8 * b));
  }
  return out;
}

std::string U16Bytes(const std::vector<uint16_t>& v) {
  std::string out;
  for (uint16_t x : v) {
    out += static_cast<char>(x & 0xFF);
    out += static_cast<char>(x >> 8);
  }
  return out;
}

// A safetensors file holding `tensors` back to back, the header padded with spaces to a
// multiple of 8 bytes as the reference writer does.
std::string Safetensors(const std::vector<Tensor>& tensors, const json& metadata = nullptr) {
  json header = json::object();
  if (!metadata.is_null()) header["__metadata__"] = metadata;
  std::string data;
  for (const Tensor& t : tensors) {
    header[t.name] = {{"dtype", t.dtype},
                      {"shape", t.shape},
                      {"data_offsets", {data.size(), data.size() + t.bytes.size()}}};
    data += t.bytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>(uint64_t{text.size()} >> (8 * b));
  return out + text + data;
}

// A file whose header is `header_text` verbatim, followed by `data`.
std::string RawSafetensors(const std::string& header_text, const std::string& data = "") {
  std::string out(8, '\0');
  for (int b = 0; b < 8; ++b) out[b] = static_cast<char>(uint64_t{header_text.size()} >> (8 * b));
  return out + header_text + data;
}

template <typename T>
void ExpectError(const Result<T>& r, Status::Code code, const std::vector<std::string>& parts) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), code) << r.status().ToString();
  for (const std::string& p : parts) {
    EXPECT_NE(r.status().message().find(p), std::string::npos)
        << "missing \"" << p << "\" in: " << r.status().ToString();
  }
}

const std::vector<float> kF32 = {0.5f, -1.25f, 3e-40f, 1e30f, -0.0f, 7.0f};

Tensor Embedding32(const std::string& name = std::string(kDefaultEmbeddingTensor)) {
  return {name, "F32", {3, 2}, F32Bytes(kF32)};
}

TEST(SafetensorsTest, HalfToFloatKnownValues) {
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(HalfToFloat(0x0400), std::ldexp(1.0f, -14));      // smallest normal
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));      // smallest subnormal
  EXPECT_EQ(HalfToFloat(0x83FF), -std::ldexp(1023.0f, -24));  // largest subnormal, negative
  EXPECT_EQ(HalfToFloat(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(HalfToFloat(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0xFC01)));
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
  EXPECT_EQ(HalfToFloat(0x8000), 0.0f);
}

#if defined(__FLT16_MAX__)
TEST(SafetensorsTest, HalfToFloatMatchesTheCompilerForAllInputs) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    _Float16 f;
    const uint16_t bits = static_cast<uint16_t>(h);
    std::memcpy(&f, &bits, 2);
    const float want = static_cast<float>(f);
    const float got = HalfToFloat(bits);
    if (std::isnan(want)) {
      ASSERT_TRUE(std::isnan(got)) << h;
    } else {
      ASSERT_EQ(got, want) << h;
      ASSERT_EQ(std::signbit(got), std::signbit(want)) << h;
    }
  }
}
#endif

TEST(SafetensorsTest, BFloat16ToFloat) {
  EXPECT_EQ(BFloat16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(BFloat16ToFloat(0xC040), -3.0f);
  EXPECT_EQ(BFloat16ToFloat(0x7F7F), 3.3895313892515355e38f);  // largest finite
  EXPECT_EQ(BFloat16ToFloat(0x0001), std::ldexp(1.0f, -133));  // smallest subnormal
  EXPECT_EQ(BFloat16ToFloat(0xFF80), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(BFloat16ToFloat(0x7FC0)));
}

TEST(SafetensorsTest, F32RoundTripWithDefaultName) {
  TempDir dir;
  const std::string path = dir.Sub("model.safetensors");
  WriteFile(path, Safetensors({{"lm_head.weight", "F32", {2}, F32Bytes({9, 9})}, Embedding32()},
                              json{{"format", "pt"}}));
  Result<EmbeddingMatrix> m = ReadSafetensorsEmbedding(path);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->rows, 3);
  EXPECT_EQ(m->cols, 2);
  EXPECT_EQ(m->data, kF32);
  EXPECT_TRUE(std::signbit(m->data[4]));
  EXPECT_EQ(EmbeddingShapeString(m->rows, m->cols), "Embedding(3, 2)");
  EXPECT_EQ(EmbeddingShapeString(128256, 4096), "Embedding(128256, 4096)");

  Result<SafetensorsTensorInfo> info = FindSafetensorsTensor(path);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->file, path);
  EXPECT_EQ(info->dtype, "F32");
  EXPECT_EQ(ShapeString(info->shape), "[3, 2]");
  EXPECT_EQ(info->bytes, 24u);
}

TEST(SafetensorsTest, F16AndBF16Tensors) {
  TempDir dir;
  const std::string path = dir.Sub("half.safetensors");
  // 1, -2, 65504 (largest), 2^-24 (smallest subnormal), -1023·2^-24, 0.333251953125
  const std::vector<uint16_t> f16 = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x83FF, 0x3555};
  // 1, -3, 3.39e38 (largest), 2^-133 (subnormal), -0.5, 0.0078125
  const std::vector<uint16_t> bf16 = {0x3F80, 0xC040, 0x7F7F, 0x0001, 0xBF00, 0x3C00};
  // An odd-sized tensor first puts the others at unaligned offsets.
  WriteFile(path, Safetensors({{"pad", "U8", {3}, "abc"},
                               {"tok.f16", "F16", {2, 3}, U16Bytes(f16)},
                               {"tok.bf16", "BF16", {3, 2}, U16Bytes(bf16)}}));
  Result<EmbeddingMatrix> h = ReadSafetensorsEmbedding(path, "tok.f16");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->rows, 2);
  EXPECT_EQ(h->cols, 3);
  EXPECT_EQ(h->data, (std::vector<float>{1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24),
                                         -std::ldexp(1023.0f, -24), 0.333251953125f}));
  Result<EmbeddingMatrix> b = ReadSafetensorsEmbedding(path, "tok.bf16");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->rows, 3);
  EXPECT_EQ(b->cols, 2);
  EXPECT_EQ(b->data, (std::vector<float>{1.0f, -3.0f, 3.3895313892515355e38f,
                                         std::ldexp(1.0f, -133), -0.5f, 0.0078125f}));
}

// Two shards: the embedding lives in the second.
void WriteTwoShards(const TempDir& dir) {
  WriteFile(dir.Sub("model-00001-of-00002.safetensors"),
            Safetensors({{"model.layers.0.w", "F32", {2, 2}, F32Bytes({1, 2, 3, 4})}}));
  WriteFile(dir.Sub("model-00002-of-00002.safetensors"),
            Safetensors({{"model.norm.weight", "F32", {2}, F32Bytes({5, 6})}, Embedding32()}));
  json index = {{"metadata", {{"total_size", 48}}},
                {"weight_map",
                 {{"model.layers.0.w", "model-00001-of-00002.safetensors"},
                  {"model.norm.weight", "model-00002-of-00002.safetensors"},
                  {std::string(kDefaultEmbeddingTensor), "model-00002-of-00002.safetensors"}}}};
  WriteFile(dir.Sub("model.safetensors.index.json"), index.dump(2));
}

TEST(SafetensorsTest, TwoShardIndex) {
  TempDir dir;
  WriteTwoShards(dir);
  for (const std::string& path : {dir.Sub("model.safetensors.index.json"), dir.path()}) {
    Result<EmbeddingMatrix> m = ReadSafetensorsEmbedding(path);
    ASSERT_TRUE(m.ok()) << path << ": " << m.status().ToString();
    EXPECT_EQ(m->data, kF32);
    Result<SafetensorsTensorInfo> info = FindSafetensorsTensor(path);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(std::filesystem::path(info->file).filename(), "model-00002-of-00002.safetensors");
  }
  Result<EmbeddingMatrix> layer = ReadSafetensorsEmbedding(dir.path(), "model.layers.0.w");
  ASSERT_TRUE(layer.ok()) << layer.status().ToString();
  EXPECT_EQ(layer->data, (std::vector<float>{1, 2, 3, 4}));
}

TEST(SafetensorsTest, DirectoryWithoutIndexSearchesItsFiles) {
  TempDir dir;
  WriteTwoShards(dir);
  std::filesystem::remove(dir.Sub("model.safetensors.index.json"));
  Result<EmbeddingMatrix> m = ReadSafetensorsEmbedding(dir.path());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->data, kF32);
  ExpectError(ReadSafetensorsEmbedding(dir.path(), "wte"), Status::Code::kNotFound,
              {"\"wte\"", "2 .safetensors file(s)", "model.layers.0.w"});
  TempDir empty;
  ExpectError(ReadSafetensorsEmbedding(empty.path()), Status::Code::kNotFound,
              {"no model.safetensors.index.json"});
}

TEST(SafetensorsTest, MissingTensorNamesTheOnesThatExist) {
  TempDir dir;
  std::vector<Tensor> tensors;
  for (int i = 0; i < 12; ++i) {
    tensors.push_back({"layer." + std::to_string(i + 10), "F32", {1}, F32Bytes({1})});
  }
  const std::string path = dir.Sub("m.safetensors");
  WriteFile(path, Safetensors(tensors, json{{"format", "pt"}}));
  ExpectError(
      ReadSafetensorsEmbedding(path), Status::Code::kNotFound,
      {"no tensor \"model.embed_tokens.weight\"", "layer.10, layer.11", "...", "(12 in all)"});
  ExpectError(ReadSafetensorsEmbedding(path, "__metadata__"), Status::Code::kNotFound,
              {"no tensor \"__metadata__\""});
  WriteTwoShards(dir);
  ExpectError(ReadSafetensorsEmbedding(dir.Sub("model.safetensors.index.json"), "wte"),
              Status::Code::kNotFound, {"weight_map", "model.layers.0.w", "(3 in all)"});
}

TEST(SafetensorsTest, UnsupportedDtypeOrRank) {
  TempDir dir;
  const std::string path = dir.Sub("m.safetensors");
  WriteFile(path, Safetensors({{"ids", "I64", {2, 2}, std::string(32, '\1')},
                               {"cube", "F32", {2, 1, 1}, F32Bytes({1, 2})},
                               {"vec", "BF16", {3}, U16Bytes({1, 2, 3})},
                               {"f8", "F8_E4M3", {2, 2}, "abcd"},
                               {"empty", "F16", {0, 8}, ""}}));
  ExpectError(ReadSafetensorsEmbedding(path, "ids"), Status::Code::kNotSupported,
              {"dtype I64", "[2, 2]"});
  ExpectError(ReadSafetensorsEmbedding(path, "f8"), Status::Code::kNotSupported, {"F8_E4M3"});
  ExpectError(ReadSafetensorsEmbedding(path, "cube"), Status::Code::kNotSupported,
              {"[2, 1, 1]", "rank 3", "2-D"});
  ExpectError(ReadSafetensorsEmbedding(path, "vec"), Status::Code::kNotSupported,
              {"[3]", "BF16", "rank 1"});
  ExpectError(ReadSafetensorsEmbedding(path, "empty"), Status::Code::kInvalidArgument,
              {"no elements"});
}

TEST(SafetensorsTest, TruncatedAndOversizedHeaders) {
  TempDir dir;
  const std::string path = dir.Sub("m.safetensors");
  WriteFile(path, "");
  ExpectError(ReadSafetensorsEmbedding(path), Status::Code::kCorruption, {"0 bytes", "8-byte"});
  WriteFile(path, std::string("\x10\0\0", 3));
  ExpectError(ReadSafetensorsEmbedding(path), Status::Code::kCorruption, {"truncated"});
  const std::string good = Safetensors({Embedding32()});
  WriteFile(path, good.substr(0, 20));
  ExpectError(ReadSafetensorsEmbedding(path), Status::Code::kCorruption,
              {"header size", "beyond the end of the file (20 bytes)"});
  std::string huge = good;
  huge[7] = '\x7f';  // header size ~ 9e18
  WriteFile(path, huge);
  ExpectError(ReadSafetensorsEmbedding(path), Status::Code::kCorruption, {"header size"});
  // Data cut short: the offsets now reach past the data area.
  WriteFile(path, good.substr(0, good.size() - 4));
  ExpectError(ReadSafetensorsEmbedding(path), Status::Code::kCorruption,
              {"data_offsets [0, 24]", "outside the data area of 20 bytes"});
  // Cut inside another tensor: the requested one is intact, but the file is truncated.
  const std::string two = Safetensors({Embedding32(), {"x", "F16", {1, 2}, U16Bytes({1, 2})}});
  WriteFile(path, two.substr(0, two.size() - 1));
  ExpectError(ReadSafetensorsEmbedding(path), Status::Code::kCorruption,
              {"truncated", "need 28 data bytes, the file has 27"});
}

TEST(SafetensorsTest, MalformedHeaders) {
  TempDir dir;
  const std::string path = dir.Sub("m.safetensors");
  const std::string name = "\"model.embed_tokens.weight\"";
  struct Case {
    std::string header;
    std::string data;
    std::vector<std::string> parts;
  };
  const std::vector<Case> cases = {
      {"{\"a\": [1, 2", "", {"malformed JSON header"}},
      {"[1, 2, 3]", "", {"not a JSON object"}},
      {"{" + name + ": 5}", "", {"entry is not a JSON object"}},
      {"{" + name + ": {\"shape\": [1, 1], \"data_offsets\": [0, 4]}}", "....", {"\"dtype\""}},
      {"{" + name + ": {\"dtype\": \"F32\", \"shape\": [1, -1], \"data_offsets\": [0, 4]}}",
       "....",
       {"\"shape\" holds -1"}},
      {"{" + name + ": {\"dtype\": \"F32\", \"shape\": 7, \"data_offsets\": [0, 4]}}",
       "....",
       {"\"shape\" is not an array"}},
      {"{" + name + ": {\"dtype\": \"F32\", \"shape\": [1, 1], \"data_offsets\": [4]}}",
       "....",
       {"\"data_offsets\" must be [begin, end]"}},
      {"{" + name + ": {\"dtype\": \"F32\", \"shape\": [1, 1], \"data_offsets\": [4, 0]}}",
       "....",
       {"outside the data area"}},
      {"{" + name + ": {\"dtype\": \"F32\", \"shape\": [1, 1], \"data_offsets\": [0, 8]}}",
       "....",
       {"[0, 8]", "outside the data area of 4 bytes"}},
      {"{" + name + ": {\"dtype\": \"F32\", \"shape\": [2, 1], \"data_offsets\": [0, 4]}}",
       "....",
       {"shape [2, 1] of F32 needs 8 bytes, data_offsets span 4"}},
      {"{" + name +
           ": {\"dtype\": \"F16\", \"shape\": [4294967296, 4294967296], \"data_offsets\": [0, "
           "4]}}",
       "....",
       {"too large"}},
      // Issue 14, defect 7: this said "not a non-negative integer".
      {"{" + name +
           ": {\"dtype\": \"F32\", \"shape\": [4611686018427387905, 1], \"data_offsets\": [0, "
           "4]}}",
       "....",
       {"\"shape\" holds 4611686018427387905, more than the limit of 2^62"}},
  };
  for (const Case& c : cases) {
    WriteFile(path, RawSafetensors(c.header, c.data));
    ExpectError(ReadSafetensorsEmbedding(path), Status::Code::kCorruption, c.parts);
  }
}

// Issue 14, defect 5: a table holding NaN or infinity imported, and every text with such a
// token embedded to a NaN vector.
TEST(SafetensorsTest, NonFiniteValuesAreRefusedWithTheirPosition) {
  TempDir dir;
  const std::string path = dir.Sub("model.safetensors");
  const float nan = std::numeric_limits<float>::quiet_NaN();
  WriteFile(path, Safetensors({{"tok.f32", "F32", {3, 2}, F32Bytes({1, 2, 3, nan, 5, 6})},
                               {"tok.f16", "F16", {2, 2}, U16Bytes({0x3C00, 0x3C00, 0xFC00, 0})},
                               {"tok.bf16", "BF16", {1, 2}, U16Bytes({0x3F80, 0x7FC0})}}));
  ExpectError(ReadSafetensorsEmbedding(path, "tok.f32"), Status::Code::kCorruption,
              {path, "tensor \"tok.f32\"", "row 1, column 1 is not finite (NaN)"});
  ExpectError(ReadSafetensorsEmbedding(path, "tok.f16"), Status::Code::kCorruption,
              {"tensor \"tok.f16\"", "row 1, column 0 is not finite (-inf)"});
  ExpectError(ReadSafetensorsEmbedding(path, "tok.bf16"), Status::Code::kCorruption,
              {"row 0, column 1 is not finite (NaN)"});
}

TEST(SafetensorsTest, BadIndexFiles) {
  TempDir dir;
  WriteTwoShards(dir);
  const std::string index = dir.Sub("model.safetensors.index.json");
  WriteFile(index, "{\"weight_map\": ");
  ExpectError(ReadSafetensorsEmbedding(index), Status::Code::kCorruption, {"malformed JSON"});
  WriteFile(index, "{\"metadata\": {}}");
  ExpectError(ReadSafetensorsEmbedding(dir.path()), Status::Code::kCorruption,
              {"no \"weight_map\""});
  WriteFile(index, "{\"weight_map\": {\"model.embed_tokens.weight\": 3}}");
  ExpectError(ReadSafetensorsEmbedding(index), Status::Code::kCorruption, {"not a file name"});
  WriteFile(index, "{\"weight_map\": {\"model.embed_tokens.weight\": \"gone.safetensors\"}}");
  ExpectError(ReadSafetensorsEmbedding(index), Status::Code::kIOError, {"gone.safetensors"});
  WriteFile(index,
            "{\"weight_map\": {\"model.embed_tokens.weight\": "
            "\"model-00001-of-00002.safetensors\"}}");
  ExpectError(ReadSafetensorsEmbedding(index), Status::Code::kCorruption,
              {"model-00001-of-00002.safetensors, which lacks it"});
}

TEST(SafetensorsTest, EveryPrefixAndByteFlipFailsCleanly) {
  TempDir dir;
  const std::string path = dir.Sub("m.safetensors");
  const std::string good = Safetensors({Embedding32(), {"x", "F16", {1, 2}, U16Bytes({1, 2})}});
  for (size_t n = 0; n < good.size(); ++n) {
    WriteFile(path, good.substr(0, n));
    EXPECT_FALSE(ReadSafetensorsEmbedding(path).ok()) << "prefix of " << n << " bytes";
  }
  // Flipping header bytes must never crash; results may be errors or (rarely) values.
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    WriteFile(path, bad);
    Result<EmbeddingMatrix> r = ReadSafetensorsEmbedding(path);
    if (r.ok()) EXPECT_EQ(r->data.size(), 6u);
  }
}

TEST(SafetensorsTest, MissingPathIsIOError) {
  TempDir dir;
  ExpectError(ReadSafetensorsEmbedding(dir.Sub("nope.safetensors")), Status::Code::kIOError,
              {"nope.safetensors"});
}

}  // namespace
}  // namespace quiver::embed
