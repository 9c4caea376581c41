#include "embed/sentence_model.h"

#include <nlohmann/json.hpp>

#include "util/parallel.h"
#include "util/unicode_case.h"

namespace quiver::embed {
namespace {

using nlohmann::json;

json EncoderConfigJson(const EncoderConfig& c) {
  return {{"architecture", EncoderArchitectureName(c.architecture)},
          {"layers", c.layers},
          {"hidden", c.hidden},
          {"heads", c.heads},
          {"intermediate", c.intermediate},
          {"vocab_size", c.vocab_size},
          {"max_positions", c.max_positions},
          {"type_vocab_size", c.type_vocab_size},
          {"layer_norm_eps", c.layer_norm_eps},
          {"pad_token_id", c.pad_token_id}};
}

Result<EncoderArchitecture> ArchitectureNamed(const std::string& name) {
  for (EncoderArchitecture a : {EncoderArchitecture::kBert, EncoderArchitecture::kXlmRoberta}) {
    if (EncoderArchitectureName(a) == name) return a;
  }
  return Status::Corruption("the stored model's architecture '" + name + "' is unknown");
}

Result<PoolingMode> PoolingNamed(const std::string& name) {
  for (PoolingMode m :
       {PoolingMode::kMean, PoolingMode::kCls, PoolingMode::kLastToken, PoolingMode::kMax}) {
    if (PoolingModeName(m) == name) return m;
  }
  return Status::Corruption("the stored model's pooling '" + name + "' is unknown");
}

Result<EncoderConfig> EncoderConfigOf(const json& j) {
  EncoderConfig c;
  QUIVER_ASSIGN_OR_RETURN(c.architecture, ArchitectureNamed(j.at("architecture")));
  c.layers = j.at("layers");
  c.hidden = j.at("hidden");
  c.heads = j.at("heads");
  c.intermediate = j.at("intermediate");
  c.vocab_size = j.at("vocab_size");
  c.max_positions = j.at("max_positions");
  c.type_vocab_size = j.at("type_vocab_size");
  c.layer_norm_eps = j.at("layer_norm_eps");
  c.pad_token_id = j.at("pad_token_id");
  return c;
}

}  // namespace

std::string EncodeSpec(const SentenceModelSpec& spec) {
  return json{{"encoder", EncoderConfigJson(spec.encoder)},
              {"pooling", PoolingModeName(spec.pooling)},
              {"normalize", spec.normalize},
              {"max_seq_length", spec.max_seq_length},
              {"do_lower_case", spec.do_lower_case},
              {"query_prompt", spec.query_prompt},
              {"document_prompt", spec.document_prompt},
              {"precision", PrecisionName(spec.precision)}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<SentenceModelSpec> DecodeSpec(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  const Status malformed =
      Status::Corruption("the stored sentence model's description is malformed");
  if (!j.is_object()) return malformed;
  SentenceModelSpec spec;
  try {
    QUIVER_ASSIGN_OR_RETURN(spec.encoder, EncoderConfigOf(j.at("encoder")));
    QUIVER_ASSIGN_OR_RETURN(spec.pooling, PoolingNamed(j.at("pooling")));
    spec.normalize = j.at("normalize");
    spec.max_seq_length = j.at("max_seq_length");
    spec.do_lower_case = j.at("do_lower_case");
    spec.query_prompt = j.at("query_prompt");
    spec.document_prompt = j.at("document_prompt");
    auto precision = ParsePrecision(j.at("precision").get<std::string>());
    if (!precision.ok()) return malformed;
    spec.precision = *precision;
  } catch (const json::exception&) {
    return malformed;
  }
  return spec;
}

std::string DescribeSpec(const SentenceModelSpec& spec) {
  const EncoderConfig& c = spec.encoder;
  std::string text =
      std::string(EncoderArchitectureName(c.architecture)) + "(layers " + std::to_string(c.layers) +
      ", hidden " + std::to_string(c.hidden) + ", heads " + std::to_string(c.heads) + ", vocab " +
      std::to_string(c.vocab_size) + ", max " + std::to_string(c.MaxSequenceLength()) + ") + " +
      std::string(PoolingModeName(spec.pooling)) + " pooling";
  if (spec.normalize) text += " + normalize";
  if (spec.precision != Precision::kF32)
    text += " (" + std::string(PrecisionName(spec.precision)) + ")";
  return text;
}

SentenceEncoder::SentenceEncoder(SentenceModelSpec spec, const Tokenizer& tokenizer,
                                 std::unique_ptr<Encoder> encoder)
    : spec_(std::move(spec)), tokenizer_(&tokenizer), encoder_(std::move(encoder)) {}

Result<std::unique_ptr<SentenceEncoder>> SentenceEncoder::Create(const SentenceModelSpec& spec,
                                                                 const Tokenizer& tokenizer,
                                                                 const TensorMap& tensors) {
  if (tokenizer.vocab_size() > spec.encoder.vocab_size) {
    return Status::InvalidArgument("the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                                   " entries but the network's vocabulary has " +
                                   std::to_string(spec.encoder.vocab_size));
  }
  if (spec.max_seq_length < 2 || spec.max_seq_length > spec.encoder.MaxSequenceLength()) {
    return Status::InvalidArgument(
        "max_seq_length must be in [2, " + std::to_string(spec.encoder.MaxSequenceLength()) +
        "] (the position table's size); found " + std::to_string(spec.max_seq_length));
  }
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Encoder> encoder,
                          Encoder::Create(spec.encoder, tensors, spec.precision));
  std::unique_ptr<SentenceEncoder> model(new SentenceEncoder(spec, tokenizer, std::move(encoder)));
  QUIVER_ASSIGN_OR_RETURN(std::vector<int32_t> specials, tokenizer.EncodeIds("", {}));
  QUIVER_ASSIGN_OR_RETURN(std::vector<int32_t> prompt,
                          tokenizer.EncodeIds(spec.document_prompt, {.add_special_tokens = false}));
  model->document_budget_ =
      std::max<int>(1, spec.max_seq_length - static_cast<int>(specials.size() + prompt.size()));
  return model;
}

std::string SentenceEncoder::InputText(std::string_view text, TextRole role) const {
  std::string input = PromptOf(role);
  input.append(text);
  return spec_.do_lower_case ? utf8::Lowercase(input) : input;
}

Result<std::vector<int32_t>> SentenceEncoder::InputIds(std::string_view text, TextRole role) const {
  return tokenizer_->EncodeIds(InputText(text, role),
                               {.add_special_tokens = true, .max_length = spec_.max_seq_length});
}

Result<Encoding> SentenceEncoder::InputEncoding(std::string_view text, TextRole role) const {
  QUIVER_ASSIGN_OR_RETURN(
      Encoding encoding,
      tokenizer_->Encode(InputText(text, role),
                         {.add_special_tokens = true, .max_length = spec_.max_seq_length}));
  const auto shift = static_cast<uint32_t>(PromptOf(role).size());
  for (TokenOffset& offset : encoding.offsets) {
    offset.begin = offset.begin < shift ? 0 : offset.begin - shift;
    offset.end = offset.end < shift ? 0 : offset.end - shift;
  }
  return encoding;
}

Result<std::vector<std::vector<float>>> SentenceEncoder::Embed(
    std::span<const std::string_view> texts, TextRole role, int threads) const {
  std::vector<std::vector<int32_t>> inputs(texts.size());
  std::vector<Status> errors(texts.size(), Status::OK());
  util::ParallelFor(texts.size(), util::WorkerCount(threads), [&](size_t i) {
    auto ids = InputIds(texts[i], role);
    if (ids.ok()) {
      inputs[i] = std::move(*ids);
    } else {
      errors[i] = ids.status();
    }
  });
  for (const Status& s : errors) QUIVER_RETURN_IF_ERROR(s);
  return encoder_->Encode(
      inputs, {.pooling = spec_.pooling, .normalize = spec_.normalize, .threads = threads});
}

}  // namespace quiver::embed
