#include "index/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "index/crc32c.h"

namespace quiver::index {
namespace {

constexpr char kMagic[8] = {'Q', 'V', 'R', 'C', 'K', 'P', 'T', '1'};

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

Status WriteAll(int fd, const uint8_t* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t written = ::write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
  return Status::OK();
}

Status SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("cannot open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::OK() : Errno("cannot sync directory", dir);
}

Status WriteAndSync(const std::string& path, const uint8_t* header, size_t header_size,
                    const std::vector<uint8_t>& payload) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", path);
  Status s = WriteAll(fd, header, header_size, path);
  if (s.ok()) s = WriteAll(fd, payload.data(), payload.size(), path);
  if (s.ok() && ::fsync(fd) != 0) s = Errno("cannot sync", path);
  if (::close(fd) != 0 && s.ok()) s = Errno("cannot close", path);
  return s;
}

Status ReadExactly(int fd, uint64_t offset, uint8_t* out, size_t size, const std::string& path) {
  size_t done = 0;
  while (done < size) {
    ssize_t got = ::pread(fd, out + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Errno("cannot read", path);
    if (got == 0) return Status::Corruption("checkpoint " + path + " ends early");
    done += static_cast<size_t>(got);
  }
  return Status::OK();
}

// Reads header and payload from `fd`, checking magic, version, sizes and both checksums.
Status ReadChecked(int fd, const std::string& path, CheckpointHeader* header,
                   std::vector<uint8_t>* payload) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("checkpoint " + path + " " + why);
  };
  off_t file_size = ::lseek(fd, 0, SEEK_END);
  if (file_size < 0) return Errno("cannot size", path);
  if (static_cast<uint64_t>(file_size) < kCheckpointHeaderSize) {
    return corrupt("is shorter than its header");
  }
  uint8_t bytes[kCheckpointHeaderSize];
  QUIVER_RETURN_IF_ERROR(ReadExactly(fd, 0, bytes, sizeof(bytes), path));
  if (std::memcmp(bytes, kMagic, 8) != 0) return corrupt("has no checkpoint magic");
  if (Take<uint32_t>(bytes + 52) != Crc32c(0, bytes, 52)) {
    return corrupt("has a header checksum mismatch");
  }
  uint32_t version = Take<uint32_t>(bytes + 8);
  if (version != kCheckpointFormatVersion) {
    return corrupt("has format version " + std::to_string(version) + "; expected " +
                   std::to_string(kCheckpointFormatVersion));
  }
  uint64_t payload_size = Take<uint64_t>(bytes + 40);
  uint64_t stored = static_cast<uint64_t>(file_size) - kCheckpointHeaderSize;
  if (payload_size != stored) {
    return corrupt("holds " + std::to_string(stored) + " payload bytes; its header says " +
                   std::to_string(payload_size));
  }
  payload->resize(payload_size);
  QUIVER_RETURN_IF_ERROR(
      ReadExactly(fd, kCheckpointHeaderSize, payload->data(), payload_size, path));
  if (Take<uint32_t>(bytes + 48) != Crc32c(0, payload->data(), payload_size)) {
    return corrupt("has a payload checksum mismatch");
  }
  header->metric = Take<uint32_t>(bytes + 12);
  header->sequence = Take<uint64_t>(bytes + 16);
  header->dimension = Take<uint32_t>(bytes + 24);
  header->live_count = Take<uint64_t>(bytes + 32);
  return Status::OK();
}

}  // namespace

Status WriteCheckpointFile(const std::string& path, const CheckpointHeader& header,
                           const std::vector<uint8_t>& payload) {
  uint8_t bytes[kCheckpointHeaderSize] = {};
  std::memcpy(bytes, kMagic, 8);
  Put<uint32_t>(bytes + 8, kCheckpointFormatVersion);
  Put<uint32_t>(bytes + 12, header.metric);
  Put<uint64_t>(bytes + 16, header.sequence);
  Put<uint32_t>(bytes + 24, header.dimension);
  Put<uint64_t>(bytes + 32, header.live_count);
  Put<uint64_t>(bytes + 40, payload.size());
  Put<uint32_t>(bytes + 48, Crc32c(0, payload.data(), payload.size()));
  Put<uint32_t>(bytes + 52, Crc32c(0, bytes, 52));

  const std::string temp = path + ".tmp";
  Status s = WriteAndSync(temp, bytes, sizeof(bytes), payload);
  if (s.ok() && std::rename(temp.c_str(), path.c_str()) != 0) s = Errno("cannot rename", temp);
  if (!s.ok()) {
    ::unlink(temp.c_str());
    return s;
  }
  return SyncDirectory(std::filesystem::path(path).parent_path().string());
}

Status ReadCheckpointFile(const std::string& path, CheckpointHeader* header,
                          std::vector<uint8_t>* payload) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound("no checkpoint at " + path);
    return Errno("cannot open", path);
  }
  Status s = ReadChecked(fd, path, header, payload);
  ::close(fd);
  return s;
}

}  // namespace quiver::index
