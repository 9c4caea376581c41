// The byte format of a shared index training (see VectorIndex::Train): which config it was
// made for, wrapped around FAISS's serialization of the trained, empty index, with a
// checksum. Knows nothing of FAISS.
#ifndef QUIVER_INDEX_TRAINING_FORMAT_H_
#define QUIVER_INDEX_TRAINING_FORMAT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "quiver/status.h"

namespace quiver::index {

struct IndexConfig;

inline constexpr uint8_t kTrainingFormatVersion = 1;

// The training bytes of `faiss_bytes`, an index of `config`.
std::string EncodeTraining(const IndexConfig& config, std::string_view faiss_bytes);

// The FAISS bytes inside `training` (a view into it). InvalidArgument when the bytes are not
// a training (magic, version, sizes, checksum), or were made for another spec, dimension or
// metric than `config`'s (naming both).
Result<std::string_view> DecodeTraining(const IndexConfig& config, std::string_view training);

}  // namespace quiver::index

#endif  // QUIVER_INDEX_TRAINING_FORMAT_H_
