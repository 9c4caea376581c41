// Sentence-transformers models: a model directory as people have it on disk, read into a spec
// plus weights, and the sentence encoder built from them (prompt → tokenizer → transformer →
// pooling → normalize), reproducing SentenceTransformer.encode.
//
// A model directory (sentence-transformers' own layout):
//   modules.json                       the module list; Transformer, Pooling and Normalize are
//                                      understood, any other module is NotSupported. Without
//                                      it the directory is a plain Hugging Face model, pooled
//                                      with mean as sentence-transformers does then.
//   config.json                        the network (embed::ParseEncoderConfig)
//   tokenizer.json                     the tokenizer (slow-tokenizer files alone are refused)
//   model.safetensors                  the weights, or model.safetensors.index.json + shards
//   sentence_bert_config.json          max_seq_length, do_lower_case (optional)
//   config_sentence_transformers.json  prompts, default_prompt_name (optional)
//   1_Pooling/config.json              the pooling mode (the Pooling module's path)
//   2_Normalize/                       present when vectors are L2-normalized
#ifndef QUIVER_EMBED_SENTENCE_MODEL_H_
#define QUIVER_EMBED_SENTENCE_MODEL_H_

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "embed/encoder.h"
#include "quiver/status.h"
#include "tokenizer/tokenizer.h"

namespace quiver::embed {

// Everything about a sentence model but its weights and tokenizer.
struct SentenceModelSpec {
  EncoderConfig encoder;
  PoolingMode pooling = PoolingMode::kMean;
  bool normalize = false;
  int max_seq_length = 0;  // tokens per input, special tokens included
  bool do_lower_case = false;
  std::string query_prompt;     // prepended to query texts
  std::string document_prompt;  // prepended to document texts at ingest
  Precision precision = Precision::kF32;
};

// The spec as one JSON object (stored beside the weights) and back; Corruption when malformed.
std::string EncodeSpec(const SentenceModelSpec& spec);
Result<SentenceModelSpec> DecodeSpec(std::string_view json);

// The model as people know it: "BertModel(layers 6, hidden 384, heads 12, vocab 30522,
// max 512) + mean pooling + normalize", max being the position table's longest sequence.
std::string DescribeSpec(const SentenceModelSpec& spec);

struct ModelDirectory {
  SentenceModelSpec spec;
  std::string tokenizer_path;  // the directory's tokenizer.json
  TensorMap tensors;
};

// Reads the model directory `dir`. Each error names the file at fault: IOError when a file
// cannot be read, InvalidArgument when a required file is missing, malformed or contradicts
// another (e.g. the pooling dimension against config.json), NotSupported for modules,
// architectures or pooling modes quiver does not run.
// Without `read_weights` the tensors are left empty (the weights file must still exist).
Result<ModelDirectory> ReadModelDirectory(const std::string& dir, bool read_weights = true);

enum class TextRole { kQuery, kDocument };

// A sentence encoder over a tokenizer it does not own (which must outlive it). Thread-safe.
class SentenceEncoder {
 public:
  // InvalidArgument when the tokenizer's vocabulary is larger than the network's, or as
  // Encoder::Create says about the tensors.
  static Result<std::unique_ptr<SentenceEncoder>> Create(const SentenceModelSpec& spec,
                                                         const Tokenizer& tokenizer,
                                                         const TensorMap& tensors);

  // The model's input for `text` in `role`: its prompt and the text, lower-cased when the
  // model says so, tokenized with special tokens and truncated to max_seq_length.
  Result<std::vector<int32_t>> InputIds(std::string_view text, TextRole role) const;
  // The same input with pieces and offsets; offsets are into `text` (the prompt's tokens and
  // the special tokens have empty ranges at 0).
  Result<Encoding> InputEncoding(std::string_view text, TextRole role) const;

  // One vector (hidden floats) per text, as SentenceTransformer.encode gives with the role's
  // prompt. `threads` 0: one per core.
  Result<std::vector<std::vector<float>>> Embed(std::span<const std::string_view> texts,
                                                TextRole role, int threads = 0) const;

  // How many tokens of document text (tokenized without special tokens) fit one input beside
  // the special tokens and the document prompt; at least 1.
  int DocumentTokenBudget() const { return document_budget_; }

  const SentenceModelSpec& spec() const { return spec_; }
  const Encoder& encoder() const { return *encoder_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }

 private:
  SentenceEncoder(SentenceModelSpec spec, const Tokenizer& tokenizer,
                  std::unique_ptr<Encoder> encoder);
  const std::string& PromptOf(TextRole role) const {
    return role == TextRole::kQuery ? spec_.query_prompt : spec_.document_prompt;
  }
  std::string InputText(std::string_view text, TextRole role) const;

  SentenceModelSpec spec_;
  const Tokenizer* tokenizer_;
  std::unique_ptr<Encoder> encoder_;
  int document_budget_ = 1;
};

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_SENTENCE_MODEL_H_
