#include "ingest/source_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "ingest/gzip.h"
#include "ingest/record_readers.h"
#include "ingest/text_sniff.h"
#include "util/hash.h"
#include "util/utf8.h"

namespace quiver::ingest {
namespace {

namespace fs = std::filesystem;

// ---- Names and formats ----------------------------------------------------------------------

enum class Format { kText, kJsonl, kCsv };

struct NameInfo {
  bool gzip = false;
  std::optional<Format> format;  // nullopt: not a supported extension
};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

NameInfo ClassifyName(std::string_view file_name) {
  NameInfo info;
  std::string name = AsciiLower(file_name);
  if (name.ends_with(".gz")) {
    info.gzip = true;
    name.resize(name.size() - 3);
  }
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return info;
  const std::string_view ext = std::string_view(name).substr(dot + 1);
  if (ext == "txt" || ext == "md" || ext == "markdown") {
    info.format = Format::kText;
  } else if (ext == "jsonl" || ext == "ndjson") {
    info.format = Format::kJsonl;
  } else if (ext == "csv") {
    info.format = Format::kCsv;
  }
  return info;
}

// ---- Listing --------------------------------------------------------------------------------

class Lister {
 public:
  explicit Lister(std::vector<std::string>* warnings) : warnings_(warnings) {}

  void Add(const fs::path& path) {
    if (seen_.insert(path.lexically_normal().string()).second) {
      listing_.files.push_back(path.string());
    }
  }

  void Walk(const fs::path& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return Warn(dir.string() + ": cannot list directory: " + ec.message() + "; skipped");
    std::vector<std::pair<std::string, fs::directory_entry>> entries;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      std::string name = it->path().filename().string();
      if (!name.empty()) entries.emplace_back(std::move(name), *it);
    }
    if (ec) Warn(dir.string() + ": error while listing directory: " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [name, entry] : entries) Visit(name, entry);
  }

  SourceListing Take() { return std::move(listing_); }

 private:
  // One entry of a walked directory: walked, listed or skipped (with its reason).
  void Visit(const std::string& name, const fs::directory_entry& entry) {
    std::error_code ec;
    const fs::file_status own = entry.symlink_status(ec);
    if (ec) return Skip(entry.path(), "cannot examine: " + ec.message());
    const bool directory = fs::is_directory(own);
    if (name[0] == '.') return Skip(entry.path(), directory ? "hidden directory" : "hidden file");
    if (directory) return Walk(entry.path());
    const fs::file_status target = fs::status(entry.path(), ec);
    if (ec || !fs::exists(target)) return Skip(entry.path(), "a link to nothing");
    if (fs::is_directory(target)) return Skip(entry.path(), "a link to a directory (not followed)");
    if (!fs::is_regular_file(target)) return Skip(entry.path(), "not a regular file");
    auto reason = SniffFile(entry.path().string());
    if (!reason.ok()) return Skip(entry.path(), SkipReason(entry.path().string(), reason.status()));
    if (!reason->empty()) return Skip(entry.path(), *reason);
    Add(entry.path());
  }

  void Skip(const fs::path& path, std::string reason) {
    if (seen_.insert(path.lexically_normal().string()).second) {
      listing_.skipped.push_back({path.string(), std::move(reason)});
    }
  }

  void Warn(std::string message) {
    if (warnings_ != nullptr) warnings_->push_back(std::move(message));
  }

  std::vector<std::string>* warnings_;
  std::set<std::string> seen_;
  SourceListing listing_;
};

// ---- Reading bytes --------------------------------------------------------------------------

std::string ErrnoText(int err) { return std::strerror(err); }

Status ReadWholeFile(const std::string& path, std::string* out, int64_t* mtime, uint64_t* size) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + ErrnoText(errno));
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Status::IOError(path + ": cannot stat: " + ErrnoText(errno));
  if (S_ISDIR(st.st_mode)) return Status::IOError(path + ": is a directory");
  *mtime = static_cast<int64_t>(st.st_mtim.tv_sec);
  *size = static_cast<uint64_t>(st.st_size);
  out->clear();
  if (S_ISREG(st.st_mode) && st.st_size > 0) out->reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(path + ": read failed: " + ErrnoText(errno));
    }
    if (n == 0) break;
    out->append(buffer, static_cast<size_t>(n));
  }
  if (!S_ISREG(st.st_mode)) *size = out->size();
  return Status::OK();
}

// ---- Content checks -------------------------------------------------------------------------

Status CheckNotBinary(const std::string& path, std::string_view content) {
  const std::string reason = NotTextReason(content);
  if (reason.empty()) return Status::OK();
  return Status::NotSupported(path + ": " + reason + "; skipped");
}

// Replaces every byte that is not part of a well-formed UTF-8 sequence with U+FFFD; returns
// how many were replaced.
uint64_t RepairUtf8(std::string* text) {
  if (utf8::IsValid(*text)) return 0;
  std::vector<uint32_t> replaced;
  *text = utf8::Sanitize(*text, &replaced);
  return replaced.size();
}

}  // namespace

Result<SourceListing> ListCollection(const std::vector<std::string>& paths,
                                     std::vector<std::string>* warnings) {
  Lister lister(warnings);
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) {
      if (ec && ec != std::errc::no_such_file_or_directory) {
        return Status::IOError(path + ": " + ec.message());
      }
      return Status::NotFound(path + ": no such file or directory");
    }
    if (fs::is_directory(st)) {
      lister.Walk(path);
    } else {
      lister.Add(path);
    }
  }
  return lister.Take();
}

std::string SkipReason(const std::string& path, const Status& status) {
  const std::string prefix = path + ": ";
  const std::string& message = status.message();
  std::string reason = message.starts_with(prefix) ? message.substr(prefix.size()) : message;
  if (reason.ends_with("; skipped")) reason.resize(reason.size() - 9);
  return reason;
}

Result<std::vector<std::string>> ListSources(const std::vector<std::string>& paths,
                                             std::vector<std::string>* warnings) {
  QUIVER_ASSIGN_OR_RETURN(SourceListing listing, ListCollection(paths, warnings));
  return std::move(listing.files);
}

Result<SourceFile> ReadSource(const std::string& path, const ReaderOptions& options) {
  SourceFile file;
  file.path = path;
  std::string content;
  QUIVER_RETURN_IF_ERROR(ReadWholeFile(path, &content, &file.mtime, &file.size));
  const NameInfo name = ClassifyName(fs::path(path).filename().string());
  if (name.gzip && !content.empty()) {
    std::string raw = std::move(content);
    QUIVER_RETURN_IF_ERROR(Gunzip(path, raw, &content));
  }
  file.content_hash = util::Hex64(util::Xxh64(content));
  QUIVER_RETURN_IF_ERROR(CheckNotBinary(path, content));
  file.repaired_bytes = RepairUtf8(&content);
  if (content.starts_with("\xEF\xBB\xBF")) content.erase(0, 3);

  switch (name.format.value_or(Format::kText)) {
    case Format::kText:
      ReadText(path, std::move(content), &file);
      break;
    case Format::kJsonl:
      QUIVER_RETURN_IF_ERROR(ReadJsonl(path, content, options, &file));
      break;
    case Format::kCsv:
      QUIVER_RETURN_IF_ERROR(ReadCsv(path, content, options, &file));
      break;
  }
  return file;
}

}  // namespace quiver::ingest
