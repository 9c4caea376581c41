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
#include <functional>
#include <memory>
#include <string>

#include "quiver/status.h"
#include "util/fault_injection.h"

namespace quiver::index {

struct CheckpointHeader {
  uint32_t metric = 0;
  uint64_t sequence = 0;
  uint32_t dimension = 0;
  uint64_t live_count = 0;
};

inline constexpr uint32_t kCheckpointFormatVersion = 1;
inline constexpr size_t kCheckpointHeaderSize = 56;

// Receives the payload of a checkpoint being written, buffering it to the file and
// checksumming it on the way.
class PayloadSink {
 public:
  virtual ~PayloadSink() = default;
  // False once a write has failed; later appends are ignored.
  virtual bool Append(const void* data, size_t size) = 0;
};

// Writes a checkpoint to `path` atomically: `path`.tmp, fsync, rename, fsync directory.
// `write_payload` streams the payload into the sink; its error (or the sink's) aborts the
// write and leaves any previous checkpoint in place. A failed write, sync or rename is
// IOError naming the file and the system's reason (ENOSPC: "No space left on device"), even
// when `write_payload` reported the short write as something else. `faults` (tests only;
// may be null) may fail any of the file operations.
Status WriteCheckpointFile(const std::string& path, const CheckpointHeader& header,
                           util::FaultInjector* faults,
                           const std::function<Status(PayloadSink&)>& write_payload);

// A checkpoint file mapped into memory, its header and payload checksums verified.
class MappedCheckpoint {
 public:
  // NotFound when `path` does not exist; Corruption when any check fails.
  static Result<std::unique_ptr<MappedCheckpoint>> Open(const std::string& path);
  ~MappedCheckpoint();
  MappedCheckpoint(const MappedCheckpoint&) = delete;
  MappedCheckpoint& operator=(const MappedCheckpoint&) = delete;

  const CheckpointHeader& header() const { return header_; }
  const uint8_t* payload() const { return base_ + kCheckpointHeaderSize; }
  size_t payload_size() const { return size_ - kCheckpointHeaderSize; }

 private:
  MappedCheckpoint(const uint8_t* base, size_t size) : base_(base), size_(size) {}
  CheckpointHeader header_;
  const uint8_t* base_;
  size_t size_;
};

}  // namespace quiver::index

#endif  // QUIVER_INDEX_CHECKPOINT_H_
