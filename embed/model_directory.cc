// ReadModelDirectory: a sentence-transformers model directory into a spec and its weights.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "embed/safetensors.h"
#include "embed/sentence_model.h"

namespace quiver::embed {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

Result<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path.string());
  return text.str();
}

// The JSON object in `path`; InvalidArgument naming the file when it is missing or malformed.
Result<json> ReadJsonObject(const fs::path& path) {
  if (!Exists(path)) return Status::InvalidArgument(path.string() + " is missing");
  QUIVER_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) {
    return Status::InvalidArgument(path.string() + " is not a JSON object");
  }
  return j;
}

// Where the modules of modules.json live.
struct ModuleLayout {
  fs::path transformer;    // the Transformer module's folder
  fs::path pooling;        // the Pooling module's config.json; empty: mean pooling by default
  bool normalize = false;  // a Normalize module follows
};

Result<ModuleLayout> ReadModules(const fs::path& dir) {
  const fs::path file = dir / "modules.json";
  ModuleLayout layout{dir, {}, false};
  if (!Exists(file)) return layout;  // a plain Hugging Face model: mean pooling
  QUIVER_ASSIGN_OR_RETURN(std::string text, ReadText(file));
  const json modules = json::parse(text, nullptr, false);
  if (!modules.is_array()) return Status::InvalidArgument(file.string() + " is not a JSON array");
  bool has_pooling = false;
  for (const json& m : modules) {
    if (!m.is_object() || !m.contains("type") || !m["type"].is_string()) {
      return Status::InvalidArgument(file.string() + ": every module needs a \"type\"");
    }
    const std::string type = m["type"];
    const fs::path path = dir / m.value("path", "");
    if (type.ends_with(".Transformer")) {
      layout.transformer = path;
    } else if (type.ends_with(".Pooling")) {
      layout.pooling = path / "config.json";
      has_pooling = true;
    } else if (type.ends_with(".Normalize")) {
      layout.normalize = true;
    } else {
      return Status::NotSupported(file.string() + ": module " + type +
                                  " is not supported (quiver runs Transformer, Pooling and "
                                  "Normalize)");
    }
  }
  if (!has_pooling) {
    return Status::NotSupported(file.string() +
                                " has no Pooling module; quiver needs one vector "
                                "per text");
  }
  return layout;
}

Result<PoolingMode> ReadPooling(const fs::path& file, int hidden) {
  QUIVER_ASSIGN_OR_RETURN(json j, ReadJsonObject(file));
  const std::string where = file.string() + ": ";
  if (j.contains("word_embedding_dimension") && j["word_embedding_dimension"] != hidden) {
    return Status::InvalidArgument(where + "word_embedding_dimension is " +
                                   j["word_embedding_dimension"].dump() +
                                   " but config.json's hidden_size is " + std::to_string(hidden));
  }
  if (j.contains("include_prompt") && j["include_prompt"] == false) {
    return Status::NotSupported(where +
                                "include_prompt false (prompt tokens left out of the "
                                "pooling) is not supported");
  }
  const std::pair<const char*, PoolingMode> modes[] = {
      {"pooling_mode_mean_tokens", PoolingMode::kMean},
      {"pooling_mode_cls_token", PoolingMode::kCls},
      {"pooling_mode_lasttoken", PoolingMode::kLastToken},
      {"pooling_mode_max_tokens", PoolingMode::kMax}};
  std::vector<PoolingMode> chosen;
  for (const auto& [key, mode] : modes) {
    if (j.value(key, false) == true) chosen.push_back(mode);
  }
  for (const char* key :
       {"pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens"}) {
    if (j.value(key, false) == true) {
      return Status::NotSupported(where + key +
                                  " is not supported (quiver pools with mean, "
                                  "cls, lasttoken or max)");
    }
  }
  if (chosen.size() != 1) {
    return Status::NotSupported(where + "exactly one pooling mode must be true; found " +
                                std::to_string(chosen.size()));
  }
  return chosen[0];
}

// max_seq_length and do_lower_case from sentence_bert_config.json, when present.
Status ReadSentenceBertConfig(const fs::path& file, SentenceModelSpec* spec) {
  const int limit = spec->encoder.MaxSequenceLength();
  spec->max_seq_length = limit;
  if (!Exists(file)) return Status::OK();
  QUIVER_ASSIGN_OR_RETURN(json j, ReadJsonObject(file));
  if (j.contains("max_seq_length") && !j["max_seq_length"].is_null()) {
    if (!j["max_seq_length"].is_number_integer() || j["max_seq_length"] < 2) {
      return Status::InvalidArgument(file.string() +
                                     ": max_seq_length must be an integer ≥ 2; "
                                     "found " +
                                     j["max_seq_length"].dump());
    }
    if (j["max_seq_length"] > limit) {
      return Status::InvalidArgument(file.string() + ": max_seq_length " +
                                     j["max_seq_length"].dump() + " exceeds the " +
                                     std::to_string(limit) + " positions config.json allows");
    }
    spec->max_seq_length = j["max_seq_length"];
  }
  const json lower = j.value("do_lower_case", json(false));
  if (!lower.is_boolean()) {
    return Status::InvalidArgument(file.string() + ": do_lower_case must be true or false");
  }
  spec->do_lower_case = lower;
  return Status::OK();
}

// The query and document prompts of config_sentence_transformers.json, when present.
Status ReadPrompts(const fs::path& file, SentenceModelSpec* spec) {
  if (!Exists(file)) return Status::OK();
  QUIVER_ASSIGN_OR_RETURN(json j, ReadJsonObject(file));
  const json prompts = j.value("prompts", json::object());
  if (!prompts.is_object()) {
    return Status::InvalidArgument(file.string() + ": \"prompts\" must be an object");
  }
  for (const auto& [name, prompt] : prompts.items()) {
    if (!prompt.is_string()) {
      return Status::InvalidArgument(file.string() + ": prompt \"" + name + "\" is not a string");
    }
  }
  std::string fallback;
  const json default_name = j.value("default_prompt_name", json());
  if (default_name.is_string()) {
    if (!prompts.contains(default_name.get<std::string>())) {
      return Status::InvalidArgument(file.string() + ": default_prompt_name " +
                                     default_name.dump() + " names no prompt");
    }
    fallback = prompts[default_name.get<std::string>()];
  }
  spec->query_prompt = prompts.value("query", fallback);
  spec->document_prompt = fallback;
  for (const char* name : {"document", "passage", "doc", "corpus"}) {
    if (prompts.contains(name)) {
      spec->document_prompt = prompts[name];
      break;
    }
  }
  return Status::OK();
}

// The weights of the Transformer module in `dir`; with `read` false only their file is checked.
Result<TensorMap> ReadWeights(const fs::path& dir, bool read) {
  for (const char* name : {"model.safetensors.index.json", "model.safetensors"}) {
    if (!Exists(dir / name)) continue;
    if (!read) return TensorMap();
    auto tensors = ReadSafetensorsTensors((dir / name).string());
    if (!tensors.ok()) return tensors.status().WithContext((dir / name).string());
    return tensors;
  }
  if (Exists(dir / "pytorch_model.bin")) {
    return Status::NotSupported((dir / "pytorch_model.bin").string() +
                                ": PyTorch pickles are not read; save the model as "
                                "model.safetensors");
  }
  return Status::InvalidArgument((dir / "model.safetensors").string() + " is missing");
}

}  // namespace

Result<ModelDirectory> ReadModelDirectory(const std::string& dir_name, bool read_weights) {
  const fs::path dir(dir_name);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::InvalidArgument("model directory " + dir_name + " is not a directory");
  }
  QUIVER_ASSIGN_OR_RETURN(ModuleLayout layout, ReadModules(dir));
  ModelDirectory model;
  SentenceModelSpec& spec = model.spec;
  const fs::path config = layout.transformer / "config.json";
  if (!Exists(config)) return Status::InvalidArgument(config.string() + " is missing");
  QUIVER_ASSIGN_OR_RETURN(std::string config_text, ReadText(config));
  auto encoder = ParseEncoderConfig(config_text);
  if (!encoder.ok()) return encoder.status().WithContext(config.string());
  spec.encoder = *encoder;
  if (!layout.pooling.empty()) {
    QUIVER_ASSIGN_OR_RETURN(spec.pooling, ReadPooling(layout.pooling, spec.encoder.hidden));
  }
  spec.normalize = layout.normalize;
  QUIVER_RETURN_IF_ERROR(
      ReadSentenceBertConfig(layout.transformer / "sentence_bert_config.json", &spec));
  QUIVER_RETURN_IF_ERROR(ReadPrompts(dir / "config_sentence_transformers.json", &spec));
  const fs::path tokenizer = layout.transformer / "tokenizer.json";
  if (!Exists(tokenizer)) {
    return Status::InvalidArgument(tokenizer.string() +
                                   " is missing (quiver reads the fast tokenizer's "
                                   "tokenizer.json; vocab.txt or a sentencepiece model alone "
                                   "is not enough)");
  }
  model.tokenizer_path = tokenizer.string();
  QUIVER_ASSIGN_OR_RETURN(model.tensors, ReadWeights(layout.transformer, read_weights));
  return model;
}

}  // namespace quiver::embed
