// Importer of an LLM's token-embedding layer from a safetensors checkpoint.
//
// A safetensors file is: an 8-byte little-endian header size N, N bytes of JSON mapping each
// tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the data
// area that follows the header; the optional "__metadata__" entry is ignored), then the data.
// A sharded checkpoint is a directory of such files plus `model.safetensors.index.json`, whose
// "weight_map" names the shard file holding each tensor.
//
// Only the requested tensor's bytes are memory-mapped and read; every offset is checked
// against the file size first, so a malformed file yields a Status, never a crash.
#ifndef QUIVER_EMBED_SAFETENSORS_H_
#define QUIVER_EMBED_SAFETENSORS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "embed/embedding_matrix.h"
#include "embed/encoder.h"
#include "quiver/status.h"

namespace quiver::embed {

// The token-embedding tensor of Llama-, Mistral-, Qwen- and Gemma-style checkpoints.
inline constexpr std::string_view kDefaultEmbeddingTensor = "model.embed_tokens.weight";

struct SafetensorsTensorInfo {
  std::string file;            // the .safetensors file holding the tensor (its shard)
  std::string name;            // the tensor's name
  std::string dtype;           // as the header spells it: "F32", "F16", "BF16", "I64", ...
  std::vector<int64_t> shape;  // outermost dimension first
  uint64_t offset = 0;         // absolute byte offset of the tensor's data in `file`
  uint64_t bytes = 0;          // length of the tensor's data
};

// Locates `tensor` from `path`, which is one of:
//   * a .safetensors file;
//   * a `*.safetensors.index.json` file: its "weight_map" names the shard (relative to the
//     index's directory);
//   * a directory: its `model.safetensors.index.json` when present, otherwise every
//     *.safetensors file in it, in name order.
// Validates the header of the file holding the tensor: IOError when a file cannot be read;
// Corruption for a truncated file, a header size beyond the file, malformed JSON or entry,
// data offsets outside the data area, or a byte length that differs from shape × dtype size
// (for the dtypes safetensors defines); NotFound when no such tensor exists, naming the
// first few tensors that do.
Result<SafetensorsTensorInfo> FindSafetensorsTensor(
    const std::string& path, std::string_view tensor = kDefaultEmbeddingTensor);

// Reads `tensor` (located as by FindSafetensorsTensor) as a float matrix, converting F32,
// F16 or BF16 (little-endian, as safetensors stores them) exactly; rows = shape[0],
// cols = shape[1]. NotSupported when the tensor is not 2-D or has another dtype, naming the
// dtype and shape; InvalidArgument when it has no elements; Corruption naming the row and
// column of the first value that is NaN or infinite.
Result<EmbeddingMatrix> ReadSafetensorsEmbedding(const std::string& path,
                                                 std::string_view tensor = kDefaultEmbeddingTensor);

// Reads every tensor of `path` (a .safetensors file, a `*.safetensors.index.json` file, or a
// directory, as for FindSafetensorsTensor; a directory without an index contributes all its
// *.safetensors files) with its raw bytes, names stripped of a leading "bert." or "roberta."
// (as Hugging Face saves BertForMaskedLM and the like). Every header is validated as by
// FindSafetensorsTensor (IOError / Corruption); Corruption when two tensors end up with the
// same name; NotFound when there is no .safetensors file.
Result<TensorMap> ReadSafetensorsTensors(const std::string& path);

// The layer as PyTorch prints it: "Embedding(128256, 4096)".
std::string EmbeddingShapeString(int64_t rows, int64_t cols);
// A shape as "[128256, 4096]".
std::string ShapeString(const std::vector<int64_t>& shape);

// IEEE 754 binary16 and bfloat16 to float, exact for every input: subnormals, ±0, ±inf and
// NaN (payload kept) included.
float HalfToFloat(uint16_t h);
float BFloat16ToFloat(uint16_t b);

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_SAFETENSORS_H_
