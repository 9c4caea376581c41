#include "util/file_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace quiver::util {
namespace {

Status ErrnoStatus(const char* verb, const std::string& path, int error) {
  return Status::IOError(std::string("cannot ") + verb + " " + path + ": " + std::strerror(error));
}

// The injected error for `op` on `path`, else the result of `attempt` (0 or an errno).
template <typename Fn>
int Attempt(FaultInjector* faults, FileOp op, const std::string& path, uint64_t bytes,
            Fn&& attempt) {
  if (faults != nullptr) {
    if (int injected = faults->Check(op, path, bytes); injected != 0) return injected;
  }
  return attempt();
}

// Writes all of `data` at `offset`, or at the file position when `offset` is negative.
int WriteFully(int fd, const char* data, size_t size, int64_t offset) {
  while (size > 0) {
    ssize_t n = offset < 0 ? ::write(fd, data, size) : ::pwrite(fd, data, size, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;  // no progress: the device takes no more
    data += n;
    size -= static_cast<size_t>(n);
    if (offset >= 0) offset += n;
  }
  return 0;
}

}  // namespace

FileWriter::~FileWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Status FileWriter::Fail(const char* verb, int error) const {
  return ErrnoStatus(verb, path_, error);
}

Status FileWriter::Create(const std::string& path) {
  path_ = path;
  const int error = Attempt(faults_, kFileCreate, path, 0, [&] {
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return fd_ < 0 ? errno : 0;
  });
  return error == 0 ? Status::OK() : Fail("create", error);
}

Status FileWriter::Append(const void* data, size_t size) {
  const int error = Attempt(faults_, kFileWrite, path_, size, [&] {
    return WriteFully(fd_, static_cast<const char*>(data), size, -1);
  });
  return error == 0 ? Status::OK() : Fail("write", error);
}

Status FileWriter::WriteAt(uint64_t offset, const void* data, size_t size) {
  const int error = Attempt(faults_, kFileWrite, path_, size, [&] {
    return WriteFully(fd_, static_cast<const char*>(data), size, static_cast<int64_t>(offset));
  });
  return error == 0 ? Status::OK() : Fail("write", error);
}

Status FileWriter::Sync() {
  const int error =
      Attempt(faults_, kFileSync, path_, 0, [&] { return ::fsync(fd_) == 0 ? 0 : errno; });
  return error == 0 ? Status::OK() : Fail("sync", error);
}

Status FileWriter::Close() {
  if (fd_ < 0) return Status::OK();
  const int rc = ::close(fd_);
  fd_ = -1;
  return rc == 0 ? Status::OK() : Fail("close", errno);
}

Status RenameFile(const std::string& from, const std::string& to, FaultInjector* faults) {
  const int error = Attempt(faults, kFileRename, to, 0,
                            [&] { return std::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno; });
  return error == 0 ? Status::OK() : ErrnoStatus("rename", from, error);
}

Status SyncDirectory(const std::string& dir, FaultInjector* faults) {
  const int error = Attempt(faults, kFileSync, dir, 0, [&] {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    const int result = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return result;
  });
  return error == 0 ? Status::OK() : ErrnoStatus("sync directory", dir, error);
}

}  // namespace quiver::util
