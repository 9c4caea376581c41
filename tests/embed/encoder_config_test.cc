// ParseEncoderConfig, Encoder::Create's checks of the tensors, Encode's checks of the input,
// and ReadSafetensorsTensors on the fixture model directories.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "embed/encoder.h"
#include "embed/safetensors.h"
#include "tests/fixtures/test_util.h"

namespace quiver::embed {
namespace {

using nlohmann::json;

json Config(const std::string& name) {
  return json::parse(test::ReadFile(test::EncoderFixture(name) + "/config.json"));
}

bool Mentions(const Status& s, const std::string& what) {
  return s.message().find(what) != std::string::npos;
}

TEST(EncoderConfigTest, ParsesFixtureConfigs) {
  auto bert = ParseEncoderConfig(Config("minilm-like").dump());
  ASSERT_TRUE(bert.ok()) << bert.status().ToString();
  EXPECT_EQ(bert->architecture, EncoderArchitecture::kBert);
  EXPECT_EQ(bert->hidden, 48);
  EXPECT_EQ(bert->layers, 2);
  EXPECT_EQ(bert->heads, 4);
  EXPECT_EQ(bert->intermediate, 96);
  EXPECT_EQ(bert->vocab_size, 1839);
  EXPECT_EQ(bert->max_positions, 64);
  EXPECT_EQ(bert->type_vocab_size, 2);
  EXPECT_FLOAT_EQ(bert->layer_norm_eps, 1e-12f);
  EXPECT_EQ(bert->MaxSequenceLength(), 64);
  auto xlmr = ParseEncoderConfig(Config("xlmr-like").dump());
  ASSERT_TRUE(xlmr.ok()) << xlmr.status().ToString();
  EXPECT_EQ(xlmr->architecture, EncoderArchitecture::kXlmRoberta);
  EXPECT_EQ(xlmr->pad_token_id, 1);
  EXPECT_EQ(xlmr->MaxSequenceLength(), 66 - 2);
  EXPECT_EQ(EncoderArchitectureName(xlmr->architecture), "XLMRobertaModel");
}

TEST(EncoderConfigTest, ArchitectureVariantsAndModelType) {
  json c = Config("minilm-like");
  c["architectures"] = {"BertForMaskedLM"};
  EXPECT_TRUE(ParseEncoderConfig(c.dump()).ok());
  c.erase("architectures");
  c["model_type"] = "xlm-roberta";
  auto r = ParseEncoderConfig(c.dump());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->architecture, EncoderArchitecture::kXlmRoberta);
}

TEST(EncoderConfigTest, UnsupportedArchitectureActivationPositions) {
  json c = Config("minilm-like");
  c["architectures"] = {"DistilBertModel"};
  Status s = ParseEncoderConfig(c.dump()).status();
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_TRUE(Mentions(s, "DistilBertModel")) << s.ToString();
  c = Config("minilm-like");
  c["hidden_act"] = "gelu_new";
  s = ParseEncoderConfig(c.dump()).status();
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_TRUE(Mentions(s, "gelu_new")) << s.ToString();
  c = Config("minilm-like");
  c["position_embedding_type"] = "relative_key";
  s = ParseEncoderConfig(c.dump()).status();
  EXPECT_TRUE(s.IsNotSupported()) << s.ToString();
  EXPECT_TRUE(Mentions(s, "relative_key")) << s.ToString();
}

TEST(EncoderConfigTest, MissingOrMalformedFields) {
  for (const char* field : {"hidden_size", "num_hidden_layers", "num_attention_heads",
                            "intermediate_size", "vocab_size", "max_position_embeddings"}) {
    json c = Config("minilm-like");
    c.erase(field);
    Status s = ParseEncoderConfig(c.dump()).status();
    EXPECT_TRUE(s.IsInvalidArgument()) << field << ": " << s.ToString();
    EXPECT_TRUE(Mentions(s, field)) << s.ToString();
    c[field] = "many";
    s = ParseEncoderConfig(c.dump()).status();
    EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, field)) << s.ToString();
  }
  json c = Config("minilm-like");
  c["num_attention_heads"] = 5;
  Status s = ParseEncoderConfig(c.dump()).status();
  EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, "num_attention_heads")) << s.ToString();
  c = Config("minilm-like");
  c["layer_norm_eps"] = -1;
  s = ParseEncoderConfig(c.dump()).status();
  EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, "layer_norm_eps")) << s.ToString();
  EXPECT_TRUE(ParseEncoderConfig("{not json").status().IsInvalidArgument());
  EXPECT_TRUE(ParseEncoderConfig("[1]").status().IsInvalidArgument());
}

TEST(EncoderConfigTest, PrecisionNames) {
  for (Precision p : {Precision::kF32, Precision::kBF16, Precision::kInt8}) {
    auto parsed = ParsePrecision(PrecisionName(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, p);
  }
  EXPECT_EQ(PrecisionName(Precision::kInt8), "int8");
  EXPECT_TRUE(ParsePrecision("fp16").status().IsInvalidArgument());
}

TEST(SafetensorsTensorsTest, ReadsDirectoriesAndStripsPrefixes) {
  auto bge = ReadSafetensorsTensors(test::EncoderFixture("bge-like"));  // saved with "bert." names
  ASSERT_TRUE(bge.ok()) << bge.status().ToString();
  ASSERT_TRUE(bge->count("embeddings.word_embeddings.weight"));
  EXPECT_FALSE(bge->count("bert.embeddings.word_embeddings.weight"));
  EXPECT_TRUE(bge->count("pooler.dense.weight"));
  const RawTensor& q = bge->at("encoder.layer.0.attention.self.query.weight");
  EXPECT_EQ(q.dtype, "F16");
  EXPECT_EQ(q.shape, (std::vector<int64_t>{64, 64}));
  EXPECT_EQ(q.bytes.size(), 64u * 64 * 2);
  auto file = ReadSafetensorsTensors(test::EncoderFixture("minilm-like") + "/model.safetensors");
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ(file->at("embeddings.position_ids").dtype, "I64");
  EXPECT_TRUE(ReadSafetensorsTensors(test::EncoderFixture("minilm-like") + "/1_Pooling")
                  .status()
                  .IsNotFound());
  EXPECT_TRUE(ReadSafetensorsTensors(test::EncoderFixture("minilm-like") + "/config.json")
                  .status()
                  .IsCorruption());
}

class EncoderErrorsTest : public testing::Test {
 protected:
  void SetUp() override {
    auto c = ParseEncoderConfig(Config("minilm-like").dump());
    ASSERT_TRUE(c.ok());
    config_ = *c;
    auto t = ReadSafetensorsTensors(test::EncoderFixture("minilm-like"));
    ASSERT_TRUE(t.ok());
    tensors_ = *t;
  }
  Status CreateStatus() const { return Encoder::Create(config_, tensors_).status(); }

  EncoderConfig config_;
  TensorMap tensors_;
};

TEST_F(EncoderErrorsTest, MissingTensor) {
  tensors_.erase("encoder.layer.1.intermediate.dense.bias");
  const Status s = CreateStatus();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Mentions(s, "encoder.layer.1.intermediate.dense.bias")) << s.ToString();
  EXPECT_TRUE(Mentions(s, "[96]")) << s.ToString();
}

TEST_F(EncoderErrorsTest, WrongShape) {
  tensors_["encoder.layer.0.attention.self.key.weight"].shape = {24, 96};
  const Status s = CreateStatus();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Mentions(s, "attention.self.key.weight") && Mentions(s, "[24, 96]") &&
              Mentions(s, "[48, 48]"))
      << s.ToString();
  config_.vocab_size = 2000;  // the table has 1839 rows
  tensors_ = *ReadSafetensorsTensors(test::EncoderFixture("minilm-like"));
  const Status v = CreateStatus();
  EXPECT_TRUE(v.IsInvalidArgument() && Mentions(v, "word_embeddings")) << v.ToString();
}

TEST_F(EncoderErrorsTest, NonFiniteWeights) {
  RawTensor& t = tensors_["encoder.layer.1.output.dense.weight"];
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(t.bytes.data() + 40, &nan, 4);
  Status s = CreateStatus();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Mentions(s, "encoder.layer.1.output.dense.weight")) << s.ToString();
  auto bge = ReadSafetensorsTensors(test::EncoderFixture("bge-like"));  // F16: 0x7C00 is +inf
  ASSERT_TRUE(bge.ok());
  (*bge)["embeddings.LayerNorm.bias"].bytes[0] = 0x00;
  (*bge)["embeddings.LayerNorm.bias"].bytes[1] = static_cast<char>(0x7C);
  auto config = ParseEncoderConfig(Config("bge-like").dump());
  s = Encoder::Create(*config, *bge).status();
  EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, "embeddings.LayerNorm.bias")) << s.ToString();
}

TEST_F(EncoderErrorsTest, UnsupportedDtypeAndByteCount) {
  tensors_["embeddings.LayerNorm.weight"].dtype = "F64";
  Status s = CreateStatus();
  EXPECT_TRUE(s.IsNotSupported() && Mentions(s, "embeddings.LayerNorm.weight")) << s.ToString();
  tensors_["embeddings.LayerNorm.weight"].dtype = "F32";
  tensors_["embeddings.LayerNorm.weight"].bytes.resize(10);
  s = CreateStatus();
  EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, "embeddings.LayerNorm.weight")) << s.ToString();
}

TEST_F(EncoderErrorsTest, BadSequences) {
  auto encoder = Encoder::Create(config_, tensors_);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  const EncodeOptions o;
  auto status_of = [&](std::vector<std::vector<int32_t>> seqs) {
    return (*encoder)->Encode(seqs, o).status();
  };
  Status s = status_of({{2, 5, 3}, {2, 1839, 3}});
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_TRUE(Mentions(s, "sequence 1") && Mentions(s, "1839")) << s.ToString();
  s = status_of({{2, -1, 3}});
  EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, "-1")) << s.ToString();
  s = status_of({{2, 3}, {}});
  EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, "sequence 1") && Mentions(s, "empty"))
      << s.ToString();
  s = status_of({std::vector<int32_t>(65, 7)});
  EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, "65") && Mentions(s, "64")) << s.ToString();
  EXPECT_TRUE(status_of({std::vector<int32_t>(64, 7)}).ok());
  EXPECT_TRUE((*encoder)->TokenStates({}).status().IsInvalidArgument());
  auto none = (*encoder)->Encode({}, o);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(EncoderErrorsXlmrTest, PositionLimitLeavesRoomForPadding) {
  auto config = ParseEncoderConfig(Config("xlmr-like").dump());
  auto tensors = ReadSafetensorsTensors(test::EncoderFixture("xlmr-like"));
  ASSERT_TRUE(config.ok() && tensors.ok());
  auto encoder = Encoder::Create(*config, *tensors);
  ASSERT_TRUE(encoder.ok()) << encoder.status().ToString();
  using Seqs = std::vector<std::vector<int32_t>>;
  EXPECT_TRUE((*encoder)->Encode(Seqs{std::vector<int32_t>(64, 7)}, {}).ok());
  const Status s = (*encoder)->Encode(Seqs{std::vector<int32_t>(65, 7)}, {}).status();
  EXPECT_TRUE(s.IsInvalidArgument() && Mentions(s, "64")) << s.ToString();
  // A padding id inside a sequence keeps position pad_token_id, as Hugging Face numbers it.
  EXPECT_TRUE((*encoder)->Encode(Seqs{{0, 1, 1, 2}}, {}).ok());
}

}  // namespace
}  // namespace quiver::embed
