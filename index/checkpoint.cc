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

bool WriteAll(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data += written;
    size -= static_cast<size_t>(written);
  }
  return true;
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("cannot sync directory", dir);
}

// Buffers the payload into a file descriptor after the header's place, checksumming it.
class FileSink : public PayloadSink {
 public:
  explicit FileSink(int fd) : fd_(fd) { buffer_.reserve(kBufferSize); }

  bool Append(const void* data, size_t size) override {
    if (failed_) return false;
    crc_ = Crc32c(crc_, data, size);
    size_ += size;
    const auto* bytes = static_cast<const uint8_t*>(data);
    if (buffer_.size() + size > kBufferSize && !Flush()) return false;
    if (size >= kBufferSize) {  // large blocks (vector storage) bypass the buffer
      failed_ = !WriteAll(fd_, bytes, size);
      return !failed_;
    }
    buffer_.insert(buffer_.end(), bytes, bytes + size);
    return true;
  }

  bool Flush() {
    if (!failed_ && !buffer_.empty()) failed_ = !WriteAll(fd_, buffer_.data(), buffer_.size());
    buffer_.clear();
    return !failed_;
  }

  uint32_t crc() const { return crc_; }
  uint64_t size() const { return size_; }

 private:
  int fd_;
  std::vector<uint8_t> buffer_;
  uint32_t crc_ = 0;
  uint64_t size_ = 0;
  bool failed_ = false;
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
                      const std::function<Status(PayloadSink&)>& write_payload) {
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", temp);
  uint8_t bytes[kCheckpointHeaderSize] = {};
  FileSink sink(fd);
  Status s = WriteAll(fd, bytes, sizeof(bytes)) ? Status::OK() : Errno("cannot write", temp);
  if (s.ok()) s = write_payload(sink);
  if (s.ok() && !sink.Flush()) s = Errno("cannot write", temp);
  if (s.ok()) {
    EncodeHeader(header, sink.size(), sink.crc(), bytes);
    if (::pwrite(fd, bytes, sizeof(bytes), 0) != static_cast<ssize_t>(sizeof(bytes))) {
      s = Errno("cannot write", temp);
    }
  }
  if (s.ok() && ::fsync(fd) != 0) s = Errno("cannot sync", temp);
  if (::close(fd) != 0 && s.ok()) s = Errno("cannot close", temp);
  return s;
}

}  // namespace

Status WriteCheckpointFile(const std::string& path, const CheckpointHeader& header,
                           const std::function<Status(PayloadSink&)>& write_payload) {
  const std::string temp = path + ".tmp";
  Status s = WriteTemporary(temp, header, write_payload);
  if (s.ok() && std::rename(temp.c_str(), path.c_str()) != 0) s = Errno("cannot rename", temp);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return SyncDirectory(std::filesystem::path(path).parent_path().string());
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
