// A transformer's checkpoint tensors as a database keeps them in its `model` column family
// (written in one batch with the rest of the model):
//   "tensors.meta"                         JSON array of {"name", "dtype", "shape", "bytes",
//                                          "chunks"}, in name order
//   "tensor/" NAME "/" 4-byte BE chunk i   bytes [i * 4 MiB, ...) of the tensor, as stored in
//                                          the checkpoint (F32, F16 or BF16, little-endian)
// Tensors keep their checkpoint dtype, so a BF16 model takes half the space of its F32 form.
#ifndef QUIVER_EMBED_TENSOR_STORE_H_
#define QUIVER_EMBED_TENSOR_STORE_H_

#include <string>
#include <utility>
#include <vector>

#include "embed/encoder.h"
#include "embed/token_table.h"
#include "quiver/status.h"

namespace quiver::embed {

// The model-family entries that hold `tensors`.
std::vector<std::pair<std::string, std::string>> EncodeTensors(const TensorMap& tensors);

// Reads the tensors back through `get`. NotFound when there are none; Corruption when the
// header is malformed or a chunk is missing or has the wrong size.
Result<TensorMap> DecodeTensors(const ModelLookup& get);

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_TENSOR_STORE_H_
