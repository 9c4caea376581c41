// DB::ImportModel and sentence encoders through the engine: model directories imported into
// the database, prompts applied by role, ingest chunks fitted to the model's input length,
// the model surviving a reopen, replacement with reembed, and the errors a bad directory
// gives. Exactness of the vectors themselves against PyTorch is tests/embed/encoder_test.cc's.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "embed/safetensors.h"
#include "embed/sentence_model.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"
#include "tokenizer/tokenizer.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// The fixture model `name`, read and built outside any database.
struct DirectModel {
  embed::ModelDirectory directory;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<embed::SentenceEncoder> encoder;
};

DirectModel LoadDirect(const std::string& name, const std::string& precision = "fp32") {
  DirectModel model;
  auto directory = embed::ReadModelDirectory(test::EncoderFixture(name));
  EXPECT_TRUE(directory.ok()) << directory.status().ToString();
  model.directory = std::move(*directory);
  model.directory.spec.precision = *embed::ParsePrecision(precision);
  auto tokenizer = LoadTokenizerFile(model.directory.tokenizer_path);
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.status().ToString();
  model.tokenizer = std::move(*tokenizer);
  auto encoder = embed::SentenceEncoder::Create(model.directory.spec, *model.tokenizer,
                                                model.directory.tensors);
  EXPECT_TRUE(encoder.ok()) << encoder.status().ToString();
  model.encoder = std::move(*encoder);
  return model;
}

std::vector<float> EmbedDirect(const DirectModel& model, std::string_view text,
                               embed::TextRole role) {
  const std::string_view texts[] = {text};
  auto vectors = model.encoder->Embed(texts, role, 1);
  EXPECT_TRUE(vectors.ok()) << vectors.status().ToString();
  return vectors.ok() ? (*vectors)[0] : std::vector<float>();
}

float MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float diff = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    diff = std::max(diff, std::abs(a[i] - b[i]));
  return diff;
}

int HiddenOf(const std::string& name) {
  std::ifstream in(test::EncoderFixture(name) + "/config.json");
  return nlohmann::json::parse(in).at("hidden_size").get<int>();
}

std::unique_ptr<DB> DatabaseWithModel(const TempDir& dir, const std::string& name,
                                      const ModelImportOptions& options = {}) {
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(HiddenOf(name)));
  Status s = db->ImportModel(test::EncoderFixture(name), options);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return db;
}

// A copy of fixture model `name` under `dir`, to damage.
std::string CopyOfModel(const TempDir& dir, const std::string& name) {
  const std::string copy = dir.Sub("model-" + name);
  fs::copy(test::EncoderFixture(name), copy, fs::copy_options::recursive);
  return copy;
}

void EditJson(const std::string& path, const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j;
  {
    std::ifstream in(path);
    j = nlohmann::json::parse(in);
  }
  edit(j);
  test::WriteFile(path, j.dump(2));
}

const char* const kModels[] = {"minilm-like", "bge-like", "e5-like", "xlmr-like"};

TEST(SentenceEncoderDb, ImportedModelEmbedsQueriesLikeTheDirectModel) {
  for (const char* name : kModels) {
    SCOPED_TRACE(name);
    TempDir dir;
    auto db = DatabaseWithModel(dir, name);
    const DirectModel direct = LoadDirect(name);
    auto info = db->GetModelInfo();
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->architecture, embed::DescribeSpec(direct.directory.spec));
    EXPECT_EQ(info->dimension, direct.directory.spec.encoder.hidden);
    EXPECT_EQ(info->source, "model " + test::EncoderFixture(name));
    for (const char* text : {"how do I set a proxy for apt?", "", "Ünïcödé text, 日本語 too"}) {
      auto embedded = db->Embed(text);
      ASSERT_TRUE(embedded.ok()) << embedded.status().ToString();
      EXPECT_EQ(MaxAbsDiff(embedded->vector, EmbedDirect(direct, text, embed::TextRole::kQuery)),
                0.0f)
          << text;
      EXPECT_EQ(embedded->tokens.size(), embedded->token_vectors.size());
    }
  }
}

// Text in, vector out, through the database: the fixture cases' texts (with the prompt the
// case names) give PyTorch's vectors within 1e-5. Query-prompted cases go through DB::Embed,
// document-prompted ones through ingest.
TEST(SentenceEncoderDb, TextsGiveTheReferenceVectors) {
  for (const char* name : kModels) {
    SCOPED_TRACE(name);
    std::ifstream in(test::EncoderFixture("expected/" + std::string(name) + ".json"));
    const auto expected = nlohmann::json::parse(in);
    TempDir dir;
    auto db = DatabaseWithModel(dir, name);
    const auto info = db->GetModelInfo().value();
    size_t checked = 0;
    for (const auto& c : expected.at("cases")) {
      if (!c["text"].is_string()) continue;  // a case of ids only
      const std::string text = c["text"];
      const std::string prompt = c["prompt"].is_string() ? c["prompt"].get<std::string>() : "";
      if (prompt != info.query_prompt) continue;
      auto embedded = db->Embed(text);
      ASSERT_TRUE(embedded.ok()) << embedded.status().ToString();
      EXPECT_LT(MaxAbsDiff(embedded->vector, c.at("pooled").get<std::vector<float>>()), 1e-5f)
          << text;
      ++checked;
    }
    EXPECT_GE(checked, 3u);
  }
}

TEST(SentenceEncoderDb, DescribesTheNetworkAsPeopleKnowIt) {
  TempDir dir;
  auto db = DatabaseWithModel(dir, "minilm-like");
  auto info = db->GetModelInfo();
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->architecture.starts_with("BertModel(layers ")) << info->architecture;
  EXPECT_NE(info->architecture.find(") + mean pooling + normalize"), std::string::npos)
      << info->architecture;
  EXPECT_EQ(info->pooling, "mean");
  EXPECT_EQ(info->tokenizer_kind, "huggingface-wordpiece");
  TempDir other;
  auto xlmr = DatabaseWithModel(other, "xlmr-like");
  EXPECT_EQ(xlmr->GetModelInfo().value().tokenizer_kind, "huggingface-unigram");
}

TEST(SentenceEncoderDb, QueriesAndDocumentsGetTheirOwnPrompts) {
  TempDir dir;
  auto db = DatabaseWithModel(dir, "e5-like");
  const DirectModel direct = LoadDirect("e5-like");
  ASSERT_EQ(direct.directory.spec.query_prompt, "query: ");
  ASSERT_EQ(direct.directory.spec.document_prompt, "passage: ");
  const std::string text = "the proxy server of the package manager";
  const auto as_query = EmbedDirect(direct, text, embed::TextRole::kQuery);
  const auto as_document = EmbedDirect(direct, text, embed::TextRole::kDocument);
  EXPECT_GT(MaxAbsDiff(as_query, as_document), 1e-4f);
  auto embedded = db->Embed(text);
  ASSERT_TRUE(embedded.ok());
  EXPECT_EQ(MaxAbsDiff(embedded->vector, as_query), 0.0f);

  test::WriteFile(dir.Sub("doc.txt"), text + "\n");
  auto summary = db->Ingest({dir.Sub("doc.txt")}, {});
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_EQ(summary->chunks_added, 1u);
  auto stored = db->Get(dir.Sub("doc.txt") + "#0");
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_LT(
      MaxAbsDiff(stored->vector, EmbedDirect(direct, stored->text, embed::TextRole::kDocument)),
      1e-6f);
}

TEST(SentenceEncoderDb, ImportOptionsReplaceThePrompts) {
  TempDir dir;
  ModelImportOptions options;
  options.query_prompt = "Represent this sentence for searching relevant passages: ";
  options.document_prompt = "";
  auto db = DatabaseWithModel(dir, "bge-like", options);
  auto info = db->GetModelInfo();
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->query_prompt, *options.query_prompt);
  EXPECT_EQ(info->document_prompt, "");
  DirectModel direct = LoadDirect("bge-like");
  auto plain = db->Embed("linux");
  ASSERT_TRUE(plain.ok());
  EXPECT_GT(MaxAbsDiff(plain->vector, EmbedDirect(direct, "linux", embed::TextRole::kQuery)),
            1e-4f);
  EXPECT_EQ(MaxAbsDiff(plain->vector, EmbedDirect(direct, *options.query_prompt + "linux",
                                                  embed::TextRole::kQuery)),
            0.0f);
}

TEST(SentenceEncoderDb, IngestChunksFitTheModelsInputLength) {
  TempDir dir;
  auto db = DatabaseWithModel(dir, "e5-like");
  const DirectModel direct = LoadDirect("e5-like");
  std::string text;
  for (int i = 0; i < 300; ++i) text += "word" + std::to_string(i % 37) + " and more text. ";
  test::WriteFile(dir.Sub("long.txt"), text);
  IngestOptions options;
  options.chunk_tokens = 10000;  // larger than the model takes: ingest must cut to its length
  options.chunk_overlap = 0;
  auto summary = db->Ingest({dir.Sub("long.txt")}, options);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_GT(summary->chunks_added, 1u);
  for (uint64_t c = 0; c < summary->chunks_added; ++c) {
    auto record = db->Get(dir.Sub("long.txt") + "#" + std::to_string(c));
    ASSERT_TRUE(record.ok()) << c;
    auto ids = direct.tokenizer->EncodeIds("passage: " + record->text, {});
    ASSERT_TRUE(ids.ok());
    EXPECT_LE(static_cast<int>(ids->size()), direct.directory.spec.max_seq_length) << c;
  }
}

TEST(SentenceEncoderDb, TheModelLivesInTheDatabase) {
  TempDir dir;
  const std::string copy = CopyOfModel(dir, "xlmr-like");
  std::vector<float> before;
  std::string identity;
  {
    auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(HiddenOf("xlmr-like")));
    ASSERT_TRUE(db->ImportModel(copy).ok());
    before = db->Embed("bonjour le monde").value().vector;
    identity = db->GetModelInfo().value().identity;
    ASSERT_TRUE(db->Close().ok());
  }
  fs::remove_all(copy);  // the directory is not needed any more
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(HiddenOf("xlmr-like")));
  auto after = db->Embed("bonjour le monde");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(MaxAbsDiff(after->vector, before), 0.0f);
  EXPECT_EQ(db->GetModelInfo().value().identity, identity);
}

TEST(SentenceEncoderDb, PrecisionIsPartOfTheModelIdentity) {
  TempDir a, b;
  auto fp32 = DatabaseWithModel(a, "minilm-like");
  ModelImportOptions options;
  options.precision = "int8";
  auto int8 = DatabaseWithModel(b, "minilm-like", options);
  const auto fp32_info = fp32->GetModelInfo().value();
  const auto int8_info = int8->GetModelInfo().value();
  EXPECT_NE(fp32_info.identity, int8_info.identity);
  EXPECT_NE(int8_info.architecture.find("(int8)"), std::string::npos) << int8_info.architecture;
  options.precision = "fp16";
  TempDir c;
  auto db = test::OpenOrDie(c.Sub("db"), test::CreateOptions(HiddenOf("minilm-like")));
  Status s = db->ImportModel(test::EncoderFixture("minilm-like"), options);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST(SentenceEncoderDb, ReplacingTheModelNeedsAReembed) {
  TempDir dir;
  auto db = DatabaseWithModel(dir, "minilm-like");
  test::WriteFile(dir.Sub("doc.txt"), "the quick brown fox\n");
  ASSERT_TRUE(db->Ingest({dir.Sub("doc.txt")}, {}).ok());
  Status refused = db->ImportModel(test::EncoderFixture("xlmr-like"));
  EXPECT_TRUE(refused.IsInvalidArgument()) << refused.ToString();
  ModelImportOptions replace;
  replace.existing = ExistingModel::kReplace;
  ASSERT_EQ(HiddenOf("xlmr-like"), HiddenOf("minilm-like"));
  ASSERT_TRUE(db->ImportModel(test::EncoderFixture("xlmr-like"), replace).ok());
  QueryOptions dense;
  dense.mode = QueryMode::kDense;
  auto stale = db->Query("fox", dense);
  EXPECT_TRUE(stale.status().IsInvalidArgument()) << stale.status().ToString();
  auto reembedded = db->Reembed();
  ASSERT_TRUE(reembedded.ok()) << reembedded.status().ToString();
  EXPECT_EQ(reembedded->records, 1u);
  const DirectModel direct = LoadDirect("xlmr-like");
  auto stored = db->Get(dir.Sub("doc.txt") + "#0");
  ASSERT_TRUE(stored.ok());
  EXPECT_LT(
      MaxAbsDiff(stored->vector, EmbedDirect(direct, stored->text, embed::TextRole::kDocument)),
      1e-6f);
  auto hits = db->Query("fox", dense);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ(hits->size(), 1u);
}

TEST(SentenceEncoderDb, TokenTableCallsAreNotSupported) {
  TempDir dir;
  auto db = DatabaseWithModel(dir, "minilm-like");
  EXPECT_TRUE(db->Neighbors("fox", 5).status().IsNotSupported());
  EXPECT_TRUE(db->TokenVector("fox").status().IsNotSupported());
}

TEST(SentenceEncoderDb, DoLowerCaseLowersTheInput) {
  TempDir dir;
  const std::string copy = CopyOfModel(dir, "xlmr-like");  // a case-sensitive tokenizer
  EditJson(copy + "/sentence_bert_config.json",
           [](nlohmann::json& j) { j["do_lower_case"] = true; });
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(HiddenOf("xlmr-like")));
  ASSERT_TRUE(db->ImportModel(copy).ok());
  const DirectModel direct = LoadDirect("xlmr-like");
  auto lowered = db->Embed("Bonjour LE Monde, ÉCOLE");
  ASSERT_TRUE(lowered.ok());
  EXPECT_EQ(MaxAbsDiff(lowered->vector,
                       EmbedDirect(direct, "bonjour le monde, école", embed::TextRole::kQuery)),
            0.0f);
  EXPECT_GT(MaxAbsDiff(lowered->vector,
                       EmbedDirect(direct, "Bonjour LE Monde, ÉCOLE", embed::TextRole::kQuery)),
            1e-4f);
}

// Writes `tensors` as one safetensors file.
void WriteSafetensors(const std::string& path, const embed::TensorMap& tensors) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const auto& [name, tensor] : tensors) {
    header[name] = {{"dtype", tensor.dtype},
                    {"shape", tensor.shape},
                    {"data_offsets", {data.size(), data.size() + tensor.bytes.size()}}};
    data += tensor.bytes;
  }
  const std::string json = header.dump();
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((json.size() >> (8 * i)) & 0xff);
  test::WriteFile(path, file + json + data);
}

TEST(SentenceEncoderDb, ShardedCheckpointsAreRead) {
  TempDir dir;
  const std::string copy = CopyOfModel(dir, "minilm-like");
  auto tensors = embed::ReadSafetensorsTensors(copy + "/model.safetensors");
  ASSERT_TRUE(tensors.ok()) << tensors.status().ToString();
  embed::TensorMap shards[2];
  nlohmann::json weight_map = nlohmann::json::object();
  size_t i = 0;
  for (auto& [name, tensor] : *tensors) {
    const size_t shard = i++ % 2;
    weight_map[name] = "model-0000" + std::to_string(shard + 1) + "-of-00002.safetensors";
    shards[shard].emplace(name, tensor);
  }
  fs::remove(copy + "/model.safetensors");
  for (size_t shard = 0; shard < 2; ++shard) {
    WriteSafetensors(copy + "/model-0000" + std::to_string(shard + 1) + "-of-00002.safetensors",
                     shards[shard]);
  }
  test::WriteFile(
      copy + "/model.safetensors.index.json",
      nlohmann::json{{"metadata", nlohmann::json::object()}, {"weight_map", weight_map}}.dump());
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(HiddenOf("minilm-like")));
  Status imported = db->ImportModel(copy);
  ASSERT_TRUE(imported.ok()) << imported.ToString();
  const DirectModel direct = LoadDirect("minilm-like");
  auto embedded = db->Embed("sharded weights, same vectors");
  ASSERT_TRUE(embedded.ok());
  EXPECT_EQ(MaxAbsDiff(embedded->vector, EmbedDirect(direct, "sharded weights, same vectors",
                                                     embed::TextRole::kQuery)),
            0.0f);
}

// ---- bad model directories ------------------------------------------------------------------

// The status of importing the fixture copy after `damage`, into a database of the fixture's
// dimension.
Status ImportDamaged(const std::string& name, const std::function<void(const std::string&)>& damage,
                     int dimension = 0) {
  TempDir dir;
  const std::string copy = CopyOfModel(dir, name);
  damage(copy);
  auto db = test::OpenOrDie(dir.Sub("db"),
                            test::CreateOptions(dimension > 0 ? dimension : HiddenOf(name)));
  Status s = db->ImportModel(copy);
  // Nothing half-written: a failed import leaves the database without a model.
  EXPECT_TRUE(db->GetModelInfo().status().IsNotFound());
  return s;
}

void ExpectError(const Status& s, bool (Status::*kind)() const, const std::string& names) {
  EXPECT_TRUE((s.*kind)()) << s.ToString();
  EXPECT_NE(s.ToString().find(names), std::string::npos) << s.ToString();
}

TEST(SentenceEncoderDbErrors, MissingFilesAreNamed) {
  for (const char* file : {"config.json", "tokenizer.json", "model.safetensors"}) {
    SCOPED_TRACE(file);
    ExpectError(
        ImportDamaged("minilm-like", [&](const std::string& d) { fs::remove(d + "/" + file); }),
        &Status::IsInvalidArgument, file);
  }
  TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(HiddenOf("minilm-like")));
  ExpectError(db->ImportModel(dir.Sub("nowhere")), &Status::IsInvalidArgument, "nowhere");
}

TEST(SentenceEncoderDbErrors, PyTorchPicklesAreRefusedWithAHint) {
  ExpectError(ImportDamaged("minilm-like",
                            [](const std::string& d) {
                              fs::rename(d + "/model.safetensors", d + "/pytorch_model.bin");
                            }),
              &Status::IsNotSupported, "pytorch_model.bin");
}

TEST(SentenceEncoderDbErrors, OtherArchitecturesAreNotSupported) {
  ExpectError(ImportDamaged("minilm-like",
                            [](const std::string& d) {
                              EditJson(d + "/config.json", [](nlohmann::json& j) {
                                j["architectures"] = {"GPT2Model"};
                                j["model_type"] = "gpt2";
                              });
                            }),
              &Status::IsNotSupported, "GPT2Model");
}

TEST(SentenceEncoderDbErrors, UnknownModulesAreNotSupported) {
  ExpectError(ImportDamaged("minilm-like",
                            [](const std::string& d) {
                              std::ifstream in(d + "/modules.json");
                              auto modules = nlohmann::json::parse(in);
                              modules.push_back({{"idx", 9},
                                                 {"name", "9"},
                                                 {"path", "3_Dense"},
                                                 {"type", "sentence_transformers.models.Dense"}});
                              test::WriteFile(d + "/modules.json", modules.dump());
                            }),
              &Status::IsNotSupported, "sentence_transformers.models.Dense");
}

TEST(SentenceEncoderDbErrors, ContradictoryFilesAreNamed) {
  ExpectError(ImportDamaged("minilm-like",
                            [](const std::string& d) {
                              EditJson(d + "/1_Pooling/config.json", [](nlohmann::json& j) {
                                j["word_embedding_dimension"] = 7;
                              });
                            }),
              &Status::IsInvalidArgument, "1_Pooling/config.json");
  ExpectError(ImportDamaged("minilm-like",
                            [](const std::string& d) {
                              EditJson(d + "/sentence_bert_config.json",
                                       [](nlohmann::json& j) { j["max_seq_length"] = 100000; });
                            }),
              &Status::IsInvalidArgument, "sentence_bert_config.json");
  ExpectError(ImportDamaged("minilm-like",
                            [](const std::string& d) {
                              EditJson(d + "/1_Pooling/config.json", [](nlohmann::json& j) {
                                j["pooling_mode_cls_token"] = true;
                                j["pooling_mode_mean_tokens"] = true;
                              });
                            }),
              &Status::IsNotSupported, "1_Pooling/config.json");
  ExpectError(ImportDamaged("minilm-like",
                            [](const std::string& d) { test::WriteFile(d + "/config.json", "{"); }),
              &Status::IsInvalidArgument, "config.json");
}

TEST(SentenceEncoderDbErrors, ADimensionMismatchIsRefused) {
  ExpectError(ImportDamaged(
                  "minilm-like", [](const std::string&) {}, 3),
              &Status::IsInvalidArgument, "this database stores 3");
}

TEST(SentenceEncoderDbErrors, DamagedWeightsAreRefused) {
  Status truncated = ImportDamaged("minilm-like", [](const std::string& d) {
    const std::string path = d + "/model.safetensors";
    fs::resize_file(path, fs::file_size(path) - 100);
  });
  EXPECT_TRUE(truncated.IsCorruption()) << truncated.ToString();
  EXPECT_NE(truncated.ToString().find("model.safetensors"), std::string::npos);
}

}  // namespace
}  // namespace quiver
