// Transformer sentence encoders: the forward pass of Hugging Face's `BertModel` and
// `XLMRobertaModel` (absolute position embeddings, token types, post-layer-norm blocks, GELU
// with erf), then pooling and optional L2 normalization as sentence-transformers does it.
//
// Data layout: activations are row-major [tokens × hidden] float32 per sequence; weights keep
// PyTorch's nn.Linear layout [out × in] as the checkpoint stores them.
//
// The encoder holds its weights converted to the compute precision; it is immutable after
// Create and Encode may be called from several threads at once.
#ifndef QUIVER_EMBED_ENCODER_H_
#define QUIVER_EMBED_ENCODER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"

namespace quiver::embed {

enum class EncoderArchitecture { kBert, kXlmRoberta };

// "BertModel" or "XLMRobertaModel".
std::string_view EncoderArchitectureName(EncoderArchitecture architecture);

// What config.json says about the network.
struct EncoderConfig {
  EncoderArchitecture architecture = EncoderArchitecture::kBert;
  int layers = 0;           // num_hidden_layers
  int hidden = 0;           // hidden_size
  int heads = 0;            // num_attention_heads; divides hidden
  int intermediate = 0;     // intermediate_size
  int64_t vocab_size = 0;   // rows of embeddings.word_embeddings
  int max_positions = 0;    // max_position_embeddings (rows of the position table)
  int type_vocab_size = 0;  // rows of embeddings.token_type_embeddings (0: none)
  float layer_norm_eps = 1e-12f;
  int pad_token_id = 0;  // XLM-R numbers positions from pad_token_id + 1, skipping padding

  // The longest sequence (special tokens included) the position table allows: max_positions,
  // less pad_token_id + 1 for XLM-R.
  int MaxSequenceLength() const;
};

// Parses config.json. InvalidArgument naming the field for a missing or malformed value;
// NotSupported naming the entry for architectures other than BertModel / XLMRobertaModel
// (BertForMaskedLM and the like count as BertModel, Roberta* as XLMRobertaModel, which has the
// same network), hidden_act other than "gelu", or position_embedding_type other than
// "absolute". Without "architectures", model_type ("bert", "xlm-roberta") decides. Defaults
// as Hugging Face's: type_vocab_size 2, layer_norm_eps 1e-12, pad_token_id 0 (BERT) or 1
// (XLM-R), hidden_act "gelu", position_embedding_type "absolute".
Result<EncoderConfig> ParseEncoderConfig(std::string_view config_json);

// A checkpoint tensor as stored: dtype "F32", "F16" or "BF16" (little-endian), shape outermost
// first, the raw bytes.
struct RawTensor {
  std::string dtype;
  std::vector<int64_t> shape;
  std::string bytes;
};

// Tensors by their name in the checkpoint, with any "bert." / "roberta." prefix removed
// (e.g. "embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight",
// "pooler.*" tensors may be present and are ignored).
using TensorMap = std::map<std::string, RawTensor>;

enum class Precision {
  kF32,   // float32 weights and activations (the reference)
  kBF16,  // bfloat16 weights for the matrix products, float32 accumulation
  kInt8,  // int8 weights (per output row scales), 7-bit activations per row, int32 accumulation
};
// "fp32", "bf16", "int8"; ParsePrecision accepts these (InvalidArgument otherwise).
std::string_view PrecisionName(Precision precision);
Result<Precision> ParsePrecision(std::string_view name);

enum class PoolingMode { kMean, kCls, kLastToken, kMax };
// "mean", "cls", "lasttoken", "max" (sentence-transformers' pooling_mode_* names without the
// prefix); ParsePoolingMode accepts these (InvalidArgument otherwise).
std::string_view PoolingModeName(PoolingMode mode);
Result<PoolingMode> ParsePoolingMode(std::string_view name);

struct EncodeOptions {
  PoolingMode pooling = PoolingMode::kMean;
  bool normalize = false;  // L2-normalize each pooled vector (the 2_Normalize module)
  int threads = 0;         // 0: one per core
};

class Encoder {
 public:
  // Checks that `tensors` holds every weight the config needs with the shapes it implies
  // (InvalidArgument naming the tensor, its shape and the expected one; a missing tensor is
  // InvalidArgument too, naming it and its expected shape), that every value is finite
  // (InvalidArgument naming the tensor), that dtypes are F32/F16/BF16 (NotSupported naming the
  // tensor otherwise), and converts them to `precision`. LayerNorm tensors may also be called
  // *.gamma / *.beta (old checkpoints). Embedding tables stay float32 in every precision; the
  // matrix products of the blocks use the precision (int8: 8-bit weights with a scale per
  // output row, activations quantized per token row to 7 bits plus a zero point, see
  // encoder_kernels.h; attention scores and softmax stay float32). The element-wise kernels are
  // chosen here (see kernel()).
  static Result<std::unique_ptr<Encoder>> Create(const EncoderConfig& config,
                                                 const TensorMap& tensors,
                                                 Precision precision = Precision::kF32);
  virtual ~Encoder() = default;

  // One pooled vector (config().hidden floats) per sequence, in the order given. Each sequence
  // is token ids with the special tokens already added, 1 ≤ length ≤ MaxSequenceLength(),
  // ids in [0, vocab_size): InvalidArgument naming the sequence otherwise. Sequences are
  // grouped by similar length internally; the result does not depend on the grouping.
  virtual Result<std::vector<std::vector<float>>> Encode(
      std::span<const std::vector<int32_t>> sequences, const EncodeOptions& options) const = 0;

  // The last layer's hidden states of one sequence ([length × hidden], row-major), for tests
  // and token-level uses.
  virtual Result<std::vector<float>> TokenStates(std::span<const int32_t> ids) const = 0;

  virtual const EncoderConfig& config() const = 0;
  virtual Precision precision() const = 0;
  // The instruction set the kernels run on — the fp32 and bf16 weight products (embed/gemm.h,
  // weights packed at Create) and the element-wise kernels (layer norm, GELU, softmax,
  // quantization) — chosen at Create from the CPU ("avx2" or "generic"; the environment
  // variable QUIVER_ENCODER_KERNEL=generic forces "generic"), for benchmarks. The attention
  // products go to OpenBLAS and the int8 products to oneDNN, which pick their own kernels.
  virtual std::string_view kernel() const = 0;
};

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_ENCODER_H_
