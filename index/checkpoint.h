// The checkpoint file: a fixed header followed by an opaque payload.
//
//   offset size  field
//   0      8     magic "QVRCKPT1"
//   8      4     format version (1)
//   12     4     metric (0 cosine, 1 ip, 2 l2)
//   16     8     operation-log sequence covered
//   24     4     dimension
//   28     4     reserved (0)
//   32     8     live vector count
//   40     8     payload size in bytes
//   48     4     CRC-32C of the payload
//   52     4     CRC-32C of bytes 0..51
//   56     ...   payload
//
// All integers little-endian. A file that fails any check is Corruption.
#ifndef QUIVER_INDEX_CHECKPOINT_H_
#define QUIVER_INDEX_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "quiver/status.h"

namespace quiver::index {

struct CheckpointHeader {
  uint32_t metric = 0;
  uint64_t sequence = 0;
  uint32_t dimension = 0;
  uint64_t live_count = 0;
};

inline constexpr uint32_t kCheckpointFormatVersion = 1;
inline constexpr size_t kCheckpointHeaderSize = 56;

// Writes header + payload to `path` atomically: `path`.tmp, fsync, rename, fsync directory.
Status WriteCheckpointFile(const std::string& path, const CheckpointHeader& header,
                           const std::vector<uint8_t>& payload);

// Reads and checks a checkpoint. NotFound when `path` does not exist.
Status ReadCheckpointFile(const std::string& path, CheckpointHeader* header,
                          std::vector<uint8_t>* payload);

}  // namespace quiver::index

#endif  // QUIVER_INDEX_CHECKPOINT_H_
