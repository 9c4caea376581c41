// config.json parsing and the small name helpers of embed/encoder.h.
#include <nlohmann/json.hpp>
#include <string>

#include "embed/encoder.h"
#include "util/strings.h"

namespace quiver::embed {
namespace {

using nlohmann::json;
using util::Quote;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The architecture an `architectures` entry (or, lacking those, `model_type`) names.
Result<EncoderArchitecture> ArchitectureOf(const json& config) {
  auto list = config.find("architectures");
  if (list != config.end() && !list->is_null()) {
    if (!list->is_array() || list->empty() || !(*list)[0].is_string()) {
      return Status::InvalidArgument(
          "config.json: \"architectures\" must be a non-empty list "
          "of names, found " +
          list->dump());
    }
    const std::string name = (*list)[0].get<std::string>();
    if (StartsWith(name, "Bert")) return EncoderArchitecture::kBert;
    if (StartsWith(name, "XLMRoberta") || StartsWith(name, "Roberta")) {
      return EncoderArchitecture::kXlmRoberta;
    }
    return Status::NotSupported("config.json: architecture " + Quote(name) +
                                " is not supported; expected BertModel or XLMRobertaModel");
  }
  auto type = config.find("model_type");
  if (type == config.end() || !type->is_string()) {
    return Status::InvalidArgument(
        "config.json: neither \"architectures\" nor \"model_type\" names the architecture");
  }
  const std::string name = type->get<std::string>();
  if (name == "bert") return EncoderArchitecture::kBert;
  if (name == "xlm-roberta" || name == "roberta") return EncoderArchitecture::kXlmRoberta;
  return Status::NotSupported("config.json: model_type " + Quote(name) +
                              " is not supported; expected bert or xlm-roberta");
}

// A positive integer field (or `fallback` when absent and fallback ≥ 0).
Status ReadInt(const json& config, const char* field, int64_t min, int64_t fallback, int64_t* out) {
  auto it = config.find(field);
  if (it == config.end() || it->is_null()) {
    if (fallback < 0) {
      return Status::InvalidArgument(std::string("config.json: missing \"") + field + "\"");
    }
    *out = fallback;
    return Status::OK();
  }
  if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > (1 << 30)) {
    return Status::InvalidArgument(std::string("config.json: \"") + field + "\" must be an " +
                                   "integer ≥ " + std::to_string(min) + ", found " + it->dump());
  }
  *out = it->get<int64_t>();
  return Status::OK();
}

// A string field that must equal `only` (its default when absent).
Status RequireString(const json& config, const char* field, const char* only) {
  auto it = config.find(field);
  if (it == config.end() || it->is_null()) return Status::OK();
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string("config.json: \"") + field +
                                   "\" must be a string, found " + it->dump());
  }
  if (it->get<std::string>() != only) {
    return Status::NotSupported(std::string("config.json: ") + field + " " +
                                Quote(it->get<std::string>()) + " is not supported; expected " +
                                Quote(only));
  }
  return Status::OK();
}

Result<EncoderConfig> ParseFields(const json& config) {
  EncoderConfig c;
  QUIVER_ASSIGN_OR_RETURN(c.architecture, ArchitectureOf(config));
  QUIVER_RETURN_IF_ERROR(RequireString(config, "hidden_act", "gelu"));
  QUIVER_RETURN_IF_ERROR(RequireString(config, "position_embedding_type", "absolute"));
  const bool xlmr = c.architecture == EncoderArchitecture::kXlmRoberta;
  int64_t v[8];
  QUIVER_RETURN_IF_ERROR(ReadInt(config, "num_hidden_layers", 1, -1, &v[0]));
  QUIVER_RETURN_IF_ERROR(ReadInt(config, "hidden_size", 1, -1, &v[1]));
  QUIVER_RETURN_IF_ERROR(ReadInt(config, "num_attention_heads", 1, -1, &v[2]));
  QUIVER_RETURN_IF_ERROR(ReadInt(config, "intermediate_size", 1, -1, &v[3]));
  QUIVER_RETURN_IF_ERROR(ReadInt(config, "vocab_size", 1, -1, &v[4]));
  QUIVER_RETURN_IF_ERROR(ReadInt(config, "max_position_embeddings", 1, -1, &v[5]));
  QUIVER_RETURN_IF_ERROR(ReadInt(config, "type_vocab_size", 0, 2, &v[6]));
  QUIVER_RETURN_IF_ERROR(ReadInt(config, "pad_token_id", 0, xlmr ? 1 : 0, &v[7]));
  c.layers = static_cast<int>(v[0]);
  c.hidden = static_cast<int>(v[1]);
  c.heads = static_cast<int>(v[2]);
  c.intermediate = static_cast<int>(v[3]);
  c.vocab_size = v[4];
  c.max_positions = static_cast<int>(v[5]);
  c.type_vocab_size = static_cast<int>(v[6]);
  c.pad_token_id = static_cast<int>(v[7]);
  if (c.hidden % c.heads != 0) {
    return Status::InvalidArgument("config.json: hidden_size " + std::to_string(c.hidden) +
                                   " is not a multiple of num_attention_heads " +
                                   std::to_string(c.heads));
  }
  auto eps = config.find("layer_norm_eps");
  if (eps != config.end() && !eps->is_null()) {
    if (!eps->is_number() || !(eps->get<double>() > 0) || eps->get<double>() > 1) {
      return Status::InvalidArgument(
          "config.json: \"layer_norm_eps\" must be a number in (0, 1]"
          ", found " +
          eps->dump());
    }
    c.layer_norm_eps = static_cast<float>(eps->get<double>());
  }
  if (c.MaxSequenceLength() < 1) {
    return Status::InvalidArgument("config.json: max_position_embeddings " +
                                   std::to_string(c.max_positions) +
                                   " leaves no position after "
                                   "pad_token_id " +
                                   std::to_string(c.pad_token_id));
  }
  return c;
}

}  // namespace

int EncoderConfig::MaxSequenceLength() const {
  if (architecture == EncoderArchitecture::kXlmRoberta) return max_positions - pad_token_id - 1;
  return max_positions;
}

std::string_view EncoderArchitectureName(EncoderArchitecture architecture) {
  return architecture == EncoderArchitecture::kXlmRoberta ? "XLMRobertaModel" : "BertModel";
}

Result<EncoderConfig> ParseEncoderConfig(std::string_view config_json) {
  const json config = json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) return Status::InvalidArgument("config.json: malformed JSON");
  if (!config.is_object()) return Status::InvalidArgument("config.json: not a JSON object");
  try {
    return ParseFields(config);
  } catch (const std::exception& e) {  // nlohmann type errors; not expected after the checks
    return Status::InvalidArgument(std::string("config.json: ") + e.what());
  }
}

std::string_view PrecisionName(Precision precision) {
  switch (precision) {
    case Precision::kBF16:
      return "bf16";
    case Precision::kInt8:
      return "int8";
    case Precision::kF32:
      break;
  }
  return "fp32";
}

Result<Precision> ParsePrecision(std::string_view name) {
  for (Precision p : {Precision::kF32, Precision::kBF16, Precision::kInt8}) {
    if (name == PrecisionName(p)) return p;
  }
  return Status::InvalidArgument("precision " + Quote(name) + ": expected fp32, bf16 or int8");
}

std::string_view PoolingModeName(PoolingMode mode) {
  switch (mode) {
    case PoolingMode::kCls:
      return "cls";
    case PoolingMode::kLastToken:
      return "lasttoken";
    case PoolingMode::kMax:
      return "max";
    case PoolingMode::kMean:
      break;
  }
  return "mean";
}

Result<PoolingMode> ParsePoolingMode(std::string_view name) {
  for (PoolingMode m :
       {PoolingMode::kMean, PoolingMode::kCls, PoolingMode::kLastToken, PoolingMode::kMax}) {
    if (name == PoolingModeName(m)) return m;
  }
  return Status::InvalidArgument("pooling mode " + Quote(name) +
                                 ": expected mean, cls, lasttoken or max");
}

}  // namespace quiver::embed
