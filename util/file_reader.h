// Reading files: File (an open descriptor: sequential reads, reads at an offset), FileMapping
// (a read-only mmap of part of a File) and BufferedReader (sequential reads of a File through
// one growable buffer, with line splitting). Errors are IOError or Corruption whose messages
// start with the file's path.
#ifndef QUIVER_UTIL_FILE_READER_H_
#define QUIVER_UTIL_FILE_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"

namespace quiver::util {

// A file open for reading, closed on destruction. Movable, not copyable.
class File {
 public:
  File() = default;
  File(File&& other) noexcept;
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File();

  // Opens `path` for sequential reading; anything but a directory will do (pipes too).
  // IOError "<path>: cannot open: <reason>", "<path>: <reason>" when it cannot be inspected,
  // or "<path>: is a directory, not a file".
  Status Open(const std::string& path);
  // Opens `path`, which must be a regular file (as ReadAt and FileMapping need): the errors of
  // Open, except that anything else, directories included, is "<path>: not a regular file".
  Status OpenRegular(const std::string& path);

  const std::string& path() const { return path_; }
  int fd() const { return fd_; }
  // The size in bytes when opened (what fstat reports: 0 for a pipe).
  uint64_t size() const { return size_; }

  // Reads up to `n` bytes from the current position into `buffer`: how many were read, 0 at
  // the end of the file. IOError "<path>: read failed: <reason>".
  Result<size_t> Read(char* buffer, size_t n);
  // Reads exactly out->size() bytes at `offset`, which the caller has checked exist:
  // Corruption "<path>: file shrank while being read" when they no longer do.
  Status ReadAt(uint64_t offset, std::string* out) const;

 private:
  Status OpenChecked(const std::string& path, bool regular_only);
  void Close();

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// A read-only mapping of bytes [offset, offset + length) of a File, unmapped on destruction.
// It stays valid after the File is closed.
class FileMapping {
 public:
  FileMapping() = default;
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;
  ~FileMapping();

  // Maps the range, which must lie inside the file (checked by the caller) and not be empty,
  // advising the kernel that it will be read sequentially. IOError "<path>: mmap failed:
  // <reason>".
  Status Map(const File& file, uint64_t offset, uint64_t length);
  // The first byte of the range; null before a successful Map.
  const unsigned char* data() const { return data_; }

 private:
  void* base_ = nullptr;
  size_t mapped_ = 0;
  const unsigned char* data_ = nullptr;
};

// Sequential reads of a File through one growable buffer. The bytes Available() and NextLine()
// return stay valid until the next Fill or NextLine.
class BufferedReader {
 public:
  static constexpr size_t kDefaultBufferBytes = size_t{1} << 20;

  // Reads `file` from its current position; the buffer starts at `buffer_bytes` and grows
  // when a Fill asks for more.
  explicit BufferedReader(File file, size_t buffer_bytes = kDefaultBufferBytes);

  const File& file() const { return file_; }
  // The file's size when opened.
  uint64_t size() const { return file_.size(); }

  // Ensures at least `n` bytes are buffered at the cursor, unless the file ends first.
  Status Fill(size_t n);
  // The buffered bytes at the cursor.
  std::string_view Available() const { return {buf_.data() + begin_, end_ - begin_}; }
  // Moves the cursor `n` bytes on; n <= Available().size().
  void Consume(size_t n) { begin_ += n; }
  // True when every byte of the file has been buffered.
  bool eof() const { return eof_; }
  // The file offset of the cursor.
  uint64_t Offset() const { return base_ + begin_; }

  // Sets *line to the next line without its '\n' (a last line may lack one) and moves the
  // cursor past it; *got is false at the end of the file.
  Status NextLine(std::string_view* line, bool* got);

 private:
  File file_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;  // buffered bytes at [begin_, end_)
  uint64_t base_ = 0;           // file offset of buf_[0]
  bool eof_ = false;
};

}  // namespace quiver::util

#endif  // QUIVER_UTIL_FILE_READER_H_
