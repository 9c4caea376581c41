#include "util/file_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace quiver::util {

// ---- File -----------------------------------------------------------------------------------

File::File(File&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    Close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

File::~File() { Close(); }

void File::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  size_ = 0;
}

Status File::Open(const std::string& path) { return OpenChecked(path, /*regular_only=*/false); }

Status File::OpenRegular(const std::string& path) {
  return OpenChecked(path, /*regular_only=*/true);
}

Status File::OpenChecked(const std::string& path, bool regular_only) {
  Close();
  path_ = path;
  fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  struct stat st;
  if (fstat(fd_, &st) != 0) return Status::IOError(path + ": " + std::strerror(errno));
  if (regular_only && !S_ISREG(st.st_mode)) {
    return Status::IOError(path + ": not a regular file");
  }
  if (S_ISDIR(st.st_mode)) return Status::IOError(path + ": is a directory, not a file");
  size_ = static_cast<uint64_t>(st.st_size);
  return Status::OK();
}

Result<size_t> File::Read(char* buffer, size_t n) {
  for (;;) {
    const ssize_t got = read(fd_, buffer, n);
    if (got >= 0) return static_cast<size_t>(got);
    if (errno != EINTR) return Status::IOError(path_ + ": read failed: " + std::strerror(errno));
  }
}

Status File::ReadAt(uint64_t offset, std::string* out) const {
  size_t done = 0;
  while (done < out->size()) {
    const ssize_t got =
        pread(fd_, out->data() + done, out->size() - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return Status::IOError(path_ + ": read failed: " + std::strerror(errno));
    if (got == 0) return Status::Corruption(path_ + ": file shrank while being read");
    done += static_cast<size_t>(got);
  }
  return Status::OK();
}

// ---- FileMapping ----------------------------------------------------------------------------

FileMapping::~FileMapping() {
  if (base_ != nullptr) munmap(base_, mapped_);
}

Status FileMapping::Map(const File& file, uint64_t offset, uint64_t length) {
  if (base_ != nullptr) munmap(base_, mapped_);
  base_ = nullptr;
  data_ = nullptr;
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  const uint64_t start = offset / page * page;
  mapped_ = static_cast<size_t>(offset + length - start);
  void* p = mmap(nullptr, mapped_, PROT_READ, MAP_PRIVATE, file.fd(), static_cast<off_t>(start));
  if (p == MAP_FAILED) {
    mapped_ = 0;
    return Status::IOError(file.path() + ": mmap failed: " + std::strerror(errno));
  }
  base_ = p;
  madvise(base_, mapped_, MADV_SEQUENTIAL);
  data_ = static_cast<const unsigned char*>(base_) + (offset - start);
  return Status::OK();
}

// ---- BufferedReader -------------------------------------------------------------------------

BufferedReader::BufferedReader(File file, size_t buffer_bytes)
    : file_(std::move(file)), buf_(std::max<size_t>(buffer_bytes, 1)) {}

Status BufferedReader::Fill(size_t n) {
  if (end_ - begin_ >= n || eof_) return Status::OK();
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    base_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() < n) buf_.resize(std::max(n, 2 * buf_.size()));
  while (end_ < n && !eof_) {
    QUIVER_ASSIGN_OR_RETURN(const size_t got, file_.Read(buf_.data() + end_, buf_.size() - end_));
    if (got == 0) eof_ = true;
    end_ += got;
  }
  return Status::OK();
}

Status BufferedReader::NextLine(std::string_view* line, bool* got) {
  size_t scanned = 0;
  for (;;) {
    const char* start = buf_.data() + begin_;
    const size_t avail = end_ - begin_;
    const void* nl = std::memchr(start + scanned, '\n', avail - scanned);
    if (nl != nullptr) {
      const size_t len = static_cast<const char*>(nl) - start;
      *line = {start, len};
      begin_ += len + 1;
      *got = true;
      return Status::OK();
    }
    if (eof_) {
      *got = avail > 0;
      *line = {start, avail};
      begin_ = end_;
      return Status::OK();
    }
    scanned = avail;
    QUIVER_RETURN_IF_ERROR(Fill(avail + 1));
  }
}

}  // namespace quiver::util
