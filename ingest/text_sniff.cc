#include "ingest/text_sniff.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ingest/gzip.h"
#include "util/utf8.h"

namespace quiver::ingest {
namespace {

struct Signature {
  std::string_view magic;
  const char* what;
};

// Formats whose leading bytes name them (the NUL and UTF-8 checks would catch most of them
// too, but a name says more than an offset).
constexpr Signature kSignatures[] = {
    {"\x89PNG\r\n\x1a\n", "a PNG image"},
    {"\xFF\xD8\xFF", "a JPEG image"},
    {"GIF87a", "a GIF image"},
    {"GIF89a", "a GIF image"},
    {"%PDF-", "a PDF document"},
    {"PK\x03\x04", "a ZIP archive"},
    {"\x7F"
     "ELF",
     "an ELF executable"},
    {"\x1F\x8B", "gzip data"},
    {"BZh", "bzip2 data"},
    {"\xFD"
     "7zXZ",
     "xz data"},
    {"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"},
    {"\x28\xB5\x2F\xFD", "zstd data"},
    {std::string_view("SQLite format 3\0", 16), "an SQLite database"},
};

bool StartsWithByte(std::string_view s, unsigned char a, unsigned char b) {
  return s.size() >= 2 && static_cast<unsigned char>(s[0]) == a &&
         static_cast<unsigned char>(s[1]) == b;
}

// Up to `limit` bytes from the start of the file at `path`.
Status ReadPrefix(const std::string& path, size_t limit, std::string* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  out->assign(limit, '\0');
  size_t got = 0;
  while (got < limit) {
    const ssize_t n = ::read(fd, out->data() + got, limit - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::IOError(path + ": read failed: " + std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out->resize(got);
  return Status::OK();
}

bool EndsWithGz(std::string_view path) {
  if (path.size() < 3) return false;
  const std::string_view ext = path.substr(path.size() - 3);
  return ext[0] == '.' && (ext[1] == 'g' || ext[1] == 'G') && (ext[2] == 'z' || ext[2] == 'Z');
}

}  // namespace

std::string NotTextReason(std::string_view content) {
  if (StartsWithByte(content, 0xFF, 0xFE) || StartsWithByte(content, 0xFE, 0xFF)) {
    return "looks like UTF-16 text, which is not supported (convert it to UTF-8)";
  }
  for (const Signature& signature : kSignatures) {
    if (content.starts_with(signature.magic)) {
      // "BZh" and "%PDF-" are also how some text could start: only with binary bytes after.
      if (signature.magic == "BZh" && (content.size() < 4 || content[3] < '1' || content[3] > '9'))
        continue;
      return std::string("looks binary (") + signature.what + ")";
    }
  }
  const std::string_view sample = content.substr(0, std::min(content.size(), kSniffBytes));
  const size_t nul = sample.find('\0');
  if (nul != std::string_view::npos) {
    return "looks binary (a NUL byte at offset " + std::to_string(nul) + ")";
  }
  size_t invalid = 0;
  for (size_t i = 0; i < sample.size();) {
    const size_t len = utf8::ValidSequenceLength(sample, i);
    // A sequence cut by the end of the sample is not held against it.
    if (len == 0 && sample.size() - i >= 4) ++invalid;
    i += len == 0 ? 1 : len;
  }
  if (invalid * 10 > sample.size() * 3) {
    return "looks binary (" + std::to_string(invalid) + " of the first " +
           std::to_string(sample.size()) + " bytes are not UTF-8)";
  }
  return "";
}

Result<std::string> SniffFile(const std::string& path) {
  std::string head;
  if (!EndsWithGz(path)) {
    QUIVER_RETURN_IF_ERROR(ReadPrefix(path, kSniffBytes, &head));
    return NotTextReason(head);
  }
  // Compressed text shrinks about fourfold; 64 KiB of it gives the sample in one go.
  QUIVER_RETURN_IF_ERROR(ReadPrefix(path, 1 << 16, &head));
  if (head.empty()) return std::string();
  std::string content;
  QUIVER_RETURN_IF_ERROR(GunzipPrefix(path, head, kSniffBytes, &content));
  return NotTextReason(content);
}

}  // namespace quiver::ingest
