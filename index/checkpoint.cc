#include "index/checkpoint.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "util/crc32c.h"
#include "util/file_writer.h"

namespace quiver::index {
namespace {

using util::Crc32c;

constexpr char kMagic[8] = {'Q', 'V', 'R', 'C', 'K', 'P', 'T', '1'};
constexpr size_t kBufferSize = 1 << 20;

template <typename T>
void Put(uint8_t* at, T value) {
  std::memcpy(at, &value, sizeof(T));
}
template <typename T>
T Take(const uint8_t* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

// Buffers the payload into the file after the header's place, checksumming it. The first
// failed write is kept: it, not what the payload's producer makes of a short write, is the
// checkpoint's error.
class FileSink : public PayloadSink {
 public:
  explicit FileSink(util::FileWriter* file) : file_(file) { buffer_.reserve(kBufferSize); }

  bool Append(const void* data, size_t size) override {
    if (!status_.ok()) return false;
    crc_ = Crc32c(crc_, data, size);
    size_ += size;
    const auto* bytes = static_cast<const uint8_t*>(data);
    if (buffer_.size() + size > kBufferSize && !Flush()) return false;
    if (size >= kBufferSize) {  // large blocks (vector storage) bypass the buffer
      status_ = file_->Append(bytes, size);
      return status_.ok();
    }
    buffer_.insert(buffer_.end(), bytes, bytes + size);
    return true;
  }

  bool Flush() {
    if (status_.ok() && !buffer_.empty()) status_ = file_->Append(buffer_.data(), buffer_.size());
    buffer_.clear();
    return status_.ok();
  }

  const Status& status() const { return status_; }
  uint32_t crc() const { return crc_; }
  uint64_t size() const { return size_; }

 private:
  util::FileWriter* file_;
  std::vector<uint8_t> buffer_;
  uint32_t crc_ = 0;
  uint64_t size_ = 0;
  Status status_;
};

void EncodeHeader(const CheckpointHeader& header, uint64_t payload_size, uint32_t payload_crc,
                  uint8_t* bytes) {
  std::memset(bytes, 0, kCheckpointHeaderSize);
  std::memcpy(bytes, kMagic, 8);
  Put<uint32_t>(bytes + 8, kCheckpointFormatVersion);
  Put<uint32_t>(bytes + 12, header.metric);
  Put<uint64_t>(bytes + 16, header.sequence);
  Put<uint32_t>(bytes + 24, header.dimension);
  Put<uint64_t>(bytes + 32, header.live_count);
  Put<uint64_t>(bytes + 40, payload_size);
  Put<uint32_t>(bytes + 48, payload_crc);
  Put<uint32_t>(bytes + 52, Crc32c(0, bytes, 52));
}

// Streams header placeholder and payload into `temp`, then the real header, then fsyncs.
Status WriteTemporary(const std::string& temp, const CheckpointHeader& header,
                      const std::function<Status(PayloadSink&)>& write_payload,
                      util::FaultInjector* faults) {
  util::FileWriter file(faults);
  QUIVER_RETURN_IF_ERROR(file.Create(temp));
  uint8_t bytes[kCheckpointHeaderSize] = {};
  QUIVER_RETURN_IF_ERROR(file.Append(bytes, sizeof(bytes)));
  FileSink sink(&file);
  Status s = write_payload(sink);
  sink.Flush();
  // A failed write explains any error the producer reported after it (FAISS, for one,
  // throws on a short write).
  QUIVER_RETURN_IF_ERROR(sink.status());
  QUIVER_RETURN_IF_ERROR(s);
  EncodeHeader(header, sink.size(), sink.crc(), bytes);
  QUIVER_RETURN_IF_ERROR(file.WriteAt(0, bytes, sizeof(bytes)));
  QUIVER_RETURN_IF_ERROR(file.Sync());
  return file.Close();
}

}  // namespace

Status WriteCheckpointFile(const std::string& path, const CheckpointHeader& header,
                           util::FaultInjector* faults,
                           const std::function<Status(PayloadSink&)>& write_payload) {
  const std::string temp = path + ".tmp";
  Status s = WriteTemporary(temp, header, write_payload, faults);
  if (s.ok()) s = util::RenameFile(temp, path, faults);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return util::SyncDirectory(std::filesystem::path(path).parent_path().string(), faults);
}

Result<std::unique_ptr<MappedCheckpoint>> MappedCheckpoint::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no checkpoint at " + path);
    return Errno("cannot open", path);
  }
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    Status s = Errno("cannot stat", path);
    ::close(fd);
    return s;
  }
  const size_t size = static_cast<size_t>(info.st_size);
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("checkpoint " + path + " " + why);
  };
  if (size < kCheckpointHeaderSize) {
    ::close(fd);
    return corrupt("is shorter than its header");
  }
  void* base = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  ::close(fd);
  if (base == MAP_FAILED) return Errno("cannot map", path);
  std::unique_ptr<MappedCheckpoint> mapped(
      new MappedCheckpoint(static_cast<const uint8_t*>(base), size));
  const uint8_t* bytes = mapped->base_;
  if (std::memcmp(bytes, kMagic, 8) != 0) return corrupt("has no checkpoint magic");
  if (Take<uint32_t>(bytes + 52) != Crc32c(0, bytes, 52)) {
    return corrupt("has a header checksum mismatch");
  }
  const uint32_t version = Take<uint32_t>(bytes + 8);
  if (version != kCheckpointFormatVersion) {
    return corrupt("has format version " + std::to_string(version) + "; expected " +
                   std::to_string(kCheckpointFormatVersion));
  }
  const uint64_t payload_size = Take<uint64_t>(bytes + 40);
  if (payload_size != mapped->payload_size()) {
    return corrupt("holds " + std::to_string(mapped->payload_size()) +
                   " payload bytes; its header says " + std::to_string(payload_size));
  }
  if (Take<uint32_t>(bytes + 48) != Crc32c(0, mapped->payload(), payload_size)) {
    return corrupt("has a payload checksum mismatch");
  }
  mapped->header_.metric = Take<uint32_t>(bytes + 12);
  mapped->header_.sequence = Take<uint64_t>(bytes + 16);
  mapped->header_.dimension = Take<uint32_t>(bytes + 24);
  mapped->header_.live_count = Take<uint64_t>(bytes + 32);
  return mapped;
}

MappedCheckpoint::~MappedCheckpoint() {
  ::munmap(const_cast<uint8_t*>(base_), size_);
}

}  // namespace quiver::index
