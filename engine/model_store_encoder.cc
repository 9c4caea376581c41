// The model store's sentence encoders: importing a model directory, loading it back, and
// embedding a text with its tokens.
#include <nlohmann/json.hpp>

#include "embed/tensor_store.h"
#include "embed/token_table.h"
#include "engine/model_store.h"

namespace quiver::engine {
namespace {

namespace model_key = storage::model_key;

// The spec of `dir` with the options' precision and prompts.
Result<embed::SentenceModelSpec> SpecWithOptions(embed::SentenceModelSpec spec,
                                                 const ModelImportOptions& options) {
  QUIVER_ASSIGN_OR_RETURN(spec.precision, embed::ParsePrecision(options.precision));
  if (options.query_prompt) spec.query_prompt = *options.query_prompt;
  if (options.document_prompt) spec.document_prompt = *options.document_prompt;
  return spec;
}

// Equal tokenizer, spec and weights give equal identities.
std::string EncoderIdentity(std::string_view tokenizer_blob, std::string_view spec,
                            const embed::TensorMap& tensors) {
  std::vector<std::string_view> parts = {tokenizer_blob, spec};
  for (const auto& [name, tensor] : tensors) {
    parts.push_back(name);
    parts.push_back(tensor.dtype);
    parts.push_back(tensor.bytes);
  }
  return embed::Fingerprint(parts);
}

}  // namespace

Status ModelStore::ImportModel(const std::string& dir, const ModelImportOptions& options) {
  QUIVER_ASSIGN_OR_RETURN(embed::ModelDirectory model, embed::ReadModelDirectory(dir));
  QUIVER_ASSIGN_OR_RETURN(embed::SentenceModelSpec spec, SpecWithOptions(model.spec, options));
  if (spec.encoder.hidden != dimension_) {
    return Status::InvalidArgument(
        "the model " + dir + " gives " + std::to_string(spec.encoder.hidden) +
        "-dimensional vectors; this database stores " + std::to_string(dimension_));
  }
  auto tokenizer = LoadHuggingFaceFile(model.tokenizer_path);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(model.tokenizer_path);
  // Building the encoder checks every tensor (names, shapes, finite values) before storing;
  // its errors name the tensor and position, the context names the model's weights.
  if (Status built = embed::SentenceEncoder::Create(spec, **tokenizer, model.tensors).status();
      !built.ok()) {
    return built.WithContext("the weights of model " + dir);
  }
  QUIVER_ASSIGN_OR_RETURN(std::string blob, (*tokenizer)->Serialize());
  const std::string spec_json = embed::EncodeSpec(spec);
  const nlohmann::json info = {{"kind", kSentenceEncoderKind},
                               {"source", "model " + dir},
                               {"identity", EncoderIdentity(blob, spec_json, model.tensors)},
                               {"pooling", embed::PoolingModeName(spec.pooling)}};
  storage::WriteBatch batch;
  batch.ClearModel();
  batch.PutModel(model_key::kTokenizer, blob);
  batch.PutModel(model_key::kSentenceModel, spec_json);
  for (const auto& [key, value] : embed::EncodeTensors(model.tensors)) batch.PutModel(key, value);
  batch.PutModel(model_key::kInfo,
                 info.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return store_->Write(batch);
}

Result<std::unique_ptr<LoadedModel>> ModelStore::LoadEncoder(const Tokenizer& tokenizer,
                                                             const ModelInfo& info) {
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> spec_json,
                          store_->GetModel(model_key::kSentenceModel));
  if (!spec_json) return Status::Corruption("the stored sentence encoder has no description");
  QUIVER_ASSIGN_OR_RETURN(embed::SentenceModelSpec spec, embed::DecodeSpec(*spec_json));
  auto tensors =
      embed::DecodeTensors([this](std::string_view key) { return store_->GetModel(key); });
  if (!tensors.ok()) {
    if (tensors.status().IsNotFound()) {
      return Status::Corruption("the stored sentence encoder has no weights");
    }
    return tensors.status().WithContext("the stored sentence encoder");
  }
  auto encoder = embed::SentenceEncoder::Create(spec, tokenizer, *tensors);
  if (!encoder.ok()) return encoder.status().WithContext("the stored sentence encoder");
  auto model = std::make_unique<LoadedModel>();
  model->tokenizer = &tokenizer;
  model->info = info;
  model->info.vocab_size = spec.encoder.vocab_size;
  model->info.dimension = spec.encoder.hidden;
  model->info.architecture = embed::DescribeSpec(spec);
  model->info.max_tokens = spec.max_seq_length;
  model->info.query_prompt = spec.query_prompt;
  model->info.document_prompt = spec.document_prompt;
  model->encoder = std::move(*encoder);
  return model;
}

Result<EmbeddedText> EmbedWithEncoder(const embed::SentenceEncoder& encoder,
                                      std::string_view text) {
  const std::string_view texts[] = {text};
  QUIVER_ASSIGN_OR_RETURN(std::vector<std::vector<float>> vectors,
                          encoder.Embed(texts, embed::TextRole::kQuery));
  QUIVER_ASSIGN_OR_RETURN(Encoding input, encoder.InputEncoding(text, embed::TextRole::kQuery));
  QUIVER_ASSIGN_OR_RETURN(std::vector<float> states, encoder.encoder().TokenStates(input.ids));
  const Tokenization tokens = ToTokenization(encoder.tokenizer(), input);
  const size_t hidden = encoder.spec().encoder.hidden;
  EmbeddedText result;
  result.vector = std::move(vectors[0]);
  for (size_t i = 0; i < input.ids.size(); ++i) {
    const bool inserted = input.offsets[i].begin == input.offsets[i].end;
    if (inserted && encoder.tokenizer().IsSpecial(input.ids[i])) continue;  // [CLS], [SEP]
    result.tokens.push_back(tokens.tokens[i]);
    result.token_vectors.emplace_back(states.begin() + i * hidden,
                                      states.begin() + (i + 1) * hidden);
  }
  result.known_tokens = static_cast<int64_t>(result.tokens.size());
  return result;
}

}  // namespace quiver::engine
