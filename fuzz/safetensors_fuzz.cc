// libFuzzer target for the safetensors loader (embed/safetensors.h), built by scripts/fuzz.sh.
// The input is a whole .safetensors file: it is located, read as an embedding and read as a
// tensor map. Every result must be a Status or a value consistent with its header.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "embed/safetensors.h"
#include "fuzz/fuzz_input_file.h"

namespace {

// Small tensors keep the run fast and memory flat; a first byte of 'T' asks for the tensor
// name "t" so that small hand-made seeds reach the data path.
std::string_view TensorName(const uint8_t* data, size_t size) {
  return size > 0 && data[0] == 'T' ? std::string_view("t")
                                    : quiver::embed::kDefaultEmbeddingTensor;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static quiver::fuzz::InputFile file(".safetensors");
  const size_t skip = size > 0 && data[0] == 'T' ? 1 : 0;
  const std::string& path = file.Write(data + skip, size - skip);
  const std::string_view tensor = TensorName(data, size);
  auto info = quiver::embed::FindSafetensorsTensor(path, tensor);
  if (info.ok() && info->offset + info->bytes > size - skip) __builtin_trap();
  auto matrix = quiver::embed::ReadSafetensorsEmbedding(path, tensor);
  if (matrix.ok()) {
    if (!info.ok()) __builtin_trap();  // readable as a matrix but not locatable
    if (matrix->rows * matrix->cols != static_cast<int64_t>(matrix->data.size())) {
      __builtin_trap();
    }
  }
  auto tensors = quiver::embed::ReadSafetensorsTensors(path);
  if (tensors.ok()) {
    for (const auto& [name, raw] : *tensors) {
      if (raw.bytes.size() > size) __builtin_trap();
    }
  }
  return 0;
}
