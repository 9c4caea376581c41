#include "engine/source_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

#include "tokenizer/utf8.h"

namespace quiver::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

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
    if (seen_.insert(path.lexically_normal().string()).second) files_.push_back(path.string());
  }

  void Walk(const fs::path& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) return Warn(dir.string() + ": cannot list directory: " + ec.message() + "; skipped");
    std::vector<std::pair<std::string, fs::directory_entry>> entries;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) break;
      std::string name = it->path().filename().string();
      if (name.empty() || name[0] == '.') continue;
      entries.emplace_back(std::move(name), *it);
    }
    if (ec) Warn(dir.string() + ": error while listing directory: " + ec.message());
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [name, entry] : entries) {
      std::error_code entry_ec;
      const fs::file_status own = entry.symlink_status(entry_ec);
      if (entry_ec) continue;
      if (fs::is_directory(own)) {
        Walk(entry.path());
        continue;
      }
      if (!ClassifyName(name).format.has_value()) continue;
      // A regular file, or a link to one (dangling links and special files are left out).
      if (fs::is_regular_file(fs::status(entry.path(), entry_ec)) && !entry_ec) Add(entry.path());
    }
  }

  std::vector<std::string> TakeFiles() { return std::move(files_); }

 private:
  void Warn(std::string message) {
    if (warnings_ != nullptr) warnings_->push_back(std::move(message));
  }

  std::vector<std::string>* warnings_;
  std::set<std::string> seen_;
  std::vector<std::string> files_;
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

bool HasGzipMagic(std::string_view s) {
  return s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0x1f &&
         static_cast<unsigned char>(s[1]) == 0x8b;
}

// Decompresses one or more concatenated gzip members; zero bytes after the last are ignored.
Status Gunzip(const std::string& path, std::string_view in, std::string* out) {
  if (!HasGzipMagic(in)) {
    return Status::Corruption(path + ": not gzip data (it does not start with the bytes 1f 8b)");
  }
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return Status::IOError(path + ": cannot start zlib");
  struct Ender {
    z_stream* zs;
    ~Ender() { inflateEnd(zs); }
  } ender{&zs};

  constexpr size_t kMaxFeed = size_t{1} << 30;  // avail_in is 32 bits wide
  size_t fed = 0;                               // bytes of `in` handed to zlib so far
  auto feed = [&](size_t from) {
    const size_t n = std::min(in.size() - from, kMaxFeed);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + from));
    zs.avail_in = static_cast<uInt>(n);
    fed = from + n;
  };
  feed(0);
  out->clear();
  size_t produced = 0;
  while (true) {
    if (zs.avail_in == 0 && fed < in.size()) feed(fed);
    if (out->size() - produced < (1 << 16)) {
      out->resize(std::max<size_t>(out->size() * 2, produced + (1 << 16)));
    }
    const size_t room = std::min(out->size() - produced, kMaxFeed);
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs.avail_out = static_cast<uInt>(room);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    produced += room - zs.avail_out;
    if (rc == Z_OK) continue;
    if (rc == Z_STREAM_END) {
      const size_t consumed = fed - zs.avail_in;
      const std::string_view rest = in.substr(consumed);
      if (rest.empty()) break;
      if (HasGzipMagic(rest)) {  // another member follows
        if (inflateReset(&zs) != Z_OK) return Status::IOError(path + ": zlib reset failed");
        feed(consumed);
        continue;
      }
      if (rest.find_first_not_of('\0') == std::string_view::npos) break;  // padding
      return Status::Corruption(path + ": unexpected bytes after the gzip data at offset " +
                                std::to_string(consumed));
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && fed == in.size()) {
      return Status::Corruption(path + ": truncated gzip data");
    }
    if (rc == Z_MEM_ERROR) return Status::IOError(path + ": out of memory while decompressing");
    return Status::Corruption(
        path + ": corrupt gzip data (" +
        (zs.msg != nullptr ? std::string(zs.msg) : "zlib error " + std::to_string(rc)) + ")");
  }
  out->resize(produced);
  return Status::OK();
}

// ---- Content checks -------------------------------------------------------------------------

// XXH64 with seed 0.
uint64_t Xxh64(std::string_view data) {
  constexpr uint64_t kP1 = 0x9E3779B185EBCA87ULL;
  constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
  constexpr uint64_t kP3 = 0x165667B19E3779F9ULL;
  constexpr uint64_t kP4 = 0x85EBCA77C2B2AE63ULL;
  constexpr uint64_t kP5 = 0x27D4EB2F165667C5ULL;
  auto rotl = [](uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  auto read64 = [](const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;  // little-endian hosts only (x86-64, aarch64)
  };
  auto read32 = [](const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return static_cast<uint64_t>(v);
  };
  auto round = [&](uint64_t acc, uint64_t input) { return rotl(acc + input * kP2, 31) * kP1; };
  auto merge = [&](uint64_t acc, uint64_t v) { return (acc ^ round(0, v)) * kP1 + kP4; };

  const char* p = data.data();
  const char* const end = p + data.size();
  uint64_t h;
  if (data.size() >= 32) {
    uint64_t v1 = kP1 + kP2, v2 = kP2, v3 = 0, v4 = 0 - kP1;
    for (; end - p >= 32; p += 32) {
      v1 = round(v1, read64(p));
      v2 = round(v2, read64(p + 8));
      v3 = round(v3, read64(p + 16));
      v4 = round(v4, read64(p + 24));
    }
    h = rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18);
    h = merge(merge(merge(merge(h, v1), v2), v3), v4);
  } else {
    h = kP5;
  }
  h += static_cast<uint64_t>(data.size());
  for (; end - p >= 8; p += 8) h = rotl(h ^ round(0, read64(p)), 27) * kP1 + kP4;
  if (end - p >= 4) {
    h = rotl(h ^ (read32(p) * kP1), 23) * kP2 + kP3;
    p += 4;
  }
  for (; p < end; ++p) h = rotl(h ^ (static_cast<unsigned char>(*p) * kP5), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

std::string Hex64(uint64_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[i] = kDigits[v & 0xF];
  return out;
}

Status CheckNotBinary(const std::string& path, std::string_view content) {
  if (content.size() >= 2 && ((static_cast<unsigned char>(content[0]) == 0xFF &&
                               static_cast<unsigned char>(content[1]) == 0xFE) ||
                              (static_cast<unsigned char>(content[0]) == 0xFE &&
                               static_cast<unsigned char>(content[1]) == 0xFF))) {
    return Status::NotSupported(path +
                                ": looks like UTF-16 text, which is not supported (convert it to "
                                "UTF-8); skipped");
  }
  constexpr size_t kSample = 8192;
  const size_t sample = std::min(content.size(), kSample);
  const size_t nul = content.substr(0, sample).find('\0');
  if (nul != std::string_view::npos) {
    return Status::NotSupported(path + ": looks binary (a NUL byte at offset " +
                                std::to_string(nul) + "); skipped");
  }
  size_t invalid = 0;
  for (size_t i = 0; i < sample;) {
    const size_t len = utf8::ValidSequenceLength(content, i);
    if (len == 0) {
      ++invalid;
      ++i;
    } else {
      i += len;
    }
  }
  if (invalid * 10 > sample * 3) {
    return Status::NotSupported(path + ": looks binary (" + std::to_string(invalid) +
                                " of the first " + std::to_string(sample) +
                                " bytes are not UTF-8); skipped");
  }
  return Status::OK();
}

// Replaces every byte that is not part of a well-formed UTF-8 sequence with U+FFFD; returns
// how many were replaced.
uint64_t RepairUtf8(std::string* text) {
  if (utf8::IsValid(*text)) return 0;
  const std::string_view in = *text;
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  uint64_t repaired = 0;
  size_t run_start = 0;
  for (size_t i = 0; i < in.size();) {
    if (static_cast<unsigned char>(in[i]) < 0x80) {
      ++i;
      continue;
    }
    const size_t len = utf8::ValidSequenceLength(in, i);
    if (len > 0) {
      i += len;
      continue;
    }
    out.append(in.substr(run_start, i - run_start));
    out.append("\xEF\xBF\xBD");
    ++repaired;
    run_start = ++i;
  }
  out.append(in.substr(run_start));
  *text = std::move(out);
  return repaired;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsBlank(std::string_view s) { return std::all_of(s.begin(), s.end(), IsAsciiSpace); }

std::string Location(const std::string& path, uint64_t line) {
  return path + ":" + std::to_string(line);
}

std::string Quoted(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  out.append(name);
  out.push_back('"');
  return out;
}

// "a, b, c", at most 20 names.
template <typename Names>
std::string NameList(const Names& names) {
  std::string out;
  size_t count = 0;
  for (const auto& name : names) {
    if (count == 20) {
      out += ", ...";
      break;
    }
    if (count++ > 0) out += ", ";
    out += name;
  }
  return count == 0 ? "(none)" : out;
}

// "null", "a number", "an array", ...
std::string TypeWithArticle(const json& j) {
  const std::string name = j.type_name();
  if (j.is_null()) return name;
  return (name[0] == 'a' || name[0] == 'o' ? "an " : "a ") + name;
}

std::string DumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Collects records, or the first error, honouring skip_bad.
class RecordSink {
 public:
  RecordSink(const ReaderOptions& options, SourceFile* file) : options_(options), file_(file) {}
  // Returns non-OK when the file must fail.
  Status Bad(Status status) {
    if (!options_.skip_bad) return status;
    if (file_->skipped_records++ == 0) file_->first_skip_reason = status.message();
    return Status::OK();
  }

 private:
  const ReaderOptions& options_;
  SourceFile* file_;
};

// ---- JSON Lines -----------------------------------------------------------------------------

// nlohmann's message, without its "[json.exception...] parse error at line 1, " prefix and at
// most ~200 bytes long.
std::string ShortJsonError(const char* what) {
  std::string_view msg = what;
  if (const size_t column = msg.find("column "); column != std::string_view::npos) {
    msg.remove_prefix(column);
  } else if (const size_t bracket = msg.find("] "); bracket != std::string_view::npos) {
    msg.remove_prefix(bracket + 2);
  }
  constexpr size_t kMax = 200;
  if (msg.size() <= kMax) return std::string(msg);
  return std::string(msg.substr(0, utf8::CharBoundaryAtOrBefore(msg, kMax))) + "...";
}

Status ParseJsonRecord(const std::string& path, uint64_t line, std::string_view record,
                       const ReaderOptions& options, SourceDocument* doc) {
  const std::string where = Location(path, line);
  json j;
  try {
    j = json::parse(record);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(where + ": invalid JSON: " + ShortJsonError(e.what()));
  }
  if (!j.is_object()) {
    return Status::InvalidArgument(where + ": expected a JSON object, found " + TypeWithArticle(j));
  }
  auto text = j.find(options.text_field);
  if (text == j.end()) {
    std::vector<std::string> keys;
    for (const auto& item : j.items()) keys.push_back(item.key());
    return Status::InvalidArgument(where + ": no " + Quoted(options.text_field) +
                                   " field (a string); found keys: " + NameList(keys));
  }
  if (!text->is_string()) {
    return Status::InvalidArgument(where + ": field " + Quoted(options.text_field) + " is " +
                                   TypeWithArticle(*text) + "; expected a string");
  }
  doc->line = line;
  auto id = j.find(options.id_field);
  if (id == j.end() || id->is_null()) {
    doc->id = where;
  } else if (id->is_string()) {
    doc->id = id->get<std::string>();
    if (doc->id.empty()) {
      return Status::InvalidArgument(where + ": field " + Quoted(options.id_field) +
                                     " is an empty string");
    }
  } else if (id->is_number()) {
    doc->id = id->dump();
  } else {
    return Status::InvalidArgument(where + ": field " + Quoted(options.id_field) + " is " +
                                   TypeWithArticle(*id) + "; expected a string or a number");
  }
  json metadata = json::object();
  if (options.metadata_fields.empty()) {
    for (auto& item : j.items()) {
      if (item.key() != options.id_field && item.key() != options.text_field) {
        metadata[item.key()] = std::move(item.value());
      }
    }
  } else {
    for (const std::string& field : options.metadata_fields) {
      if (auto it = j.find(field); it != j.end()) metadata[field] = *it;
    }
  }
  doc->text = std::move(text->get_ref<std::string&>());
  doc->metadata_json = DumpJson(metadata);
  return Status::OK();
}

Status ReadJsonl(const std::string& path, std::string_view content, const ReaderOptions& options,
                 SourceFile* file) {
  RecordSink sink(options, file);
  uint64_t line = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    ++line;
    const size_t newline = content.find('\n', pos);
    const size_t end = newline == std::string_view::npos ? content.size() : newline;
    std::string_view record = content.substr(pos, end - pos);
    pos = newline == std::string_view::npos ? content.size() : newline + 1;
    if (IsBlank(record)) continue;
    SourceDocument doc;
    Status status = ParseJsonRecord(path, line, record, options, &doc);
    if (!status.ok()) {
      QUIVER_RETURN_IF_ERROR(sink.Bad(std::move(status)));
      continue;
    }
    file->documents.push_back(std::move(doc));
  }
  return Status::OK();
}

// ---- CSV (RFC 4180) -------------------------------------------------------------------------

class CsvParser {
 public:
  explicit CsvParser(std::string_view s) : s_(s) {}

  struct Record {
    std::vector<std::string> fields;
    uint64_t line = 0;   // where it starts
    bool blank = false;  // an empty line
    bool unterminated = false;
  };

  // The next record, or false at the end of the input.
  bool Next(Record* record) {
    if (pos_ >= s_.size()) return false;
    record->fields.clear();
    record->line = line_;
    record->unterminated = false;
    const size_t start = pos_;
    std::string field;
    bool field_start = true;
    while (true) {
      if (pos_ >= s_.size()) {  // the end of the input ends the record
        record->fields.push_back(std::move(field));
        break;
      }
      if (field_start && s_[pos_] == '"') {
        field_start = false;
        if (!ReadQuoted(&field)) {
          record->fields.push_back(std::move(field));
          record->unterminated = true;
          break;
        }
        continue;
      }
      field_start = false;
      const size_t stop = s_.find_first_of(",\r\n", pos_);
      const size_t end = stop == std::string_view::npos ? s_.size() : stop;
      field.append(s_.substr(pos_, end - pos_));
      pos_ = end;
      if (pos_ >= s_.size()) continue;
      const char c = s_[pos_];
      if (c == ',') {
        record->fields.push_back(std::move(field));
        field.clear();
        field_start = true;
        ++pos_;
      } else if (c == '\n') {
        record->fields.push_back(std::move(field));
        ++pos_;
        ++line_;
        break;
      } else if (pos_ + 1 == s_.size() || s_[pos_ + 1] == '\n') {  // CRLF, or CR at the end
        record->fields.push_back(std::move(field));
        pos_ = std::min(pos_ + 2, s_.size());
        ++line_;
        break;
      } else {  // a lone CR is data
        field.push_back(c);
        ++pos_;
      }
    }
    record->blank = record->fields.size() == 1 && record->fields[0].empty() &&
                    !record->unterminated && s_[start] != '"';
    return true;
  }

 private:
  // At an opening quote: appends the field's content up to the closing quote (a doubled quote
  // is one quote). False when the input ends first. Text after the closing quote, up to the
  // delimiter, is then read as unquoted data (lenient).
  bool ReadQuoted(std::string* field) {
    ++pos_;
    while (true) {
      const size_t quote = s_.find('"', pos_);
      const size_t end = quote == std::string_view::npos ? s_.size() : quote;
      const std::string_view chunk = s_.substr(pos_, end - pos_);
      line_ += static_cast<uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
      field->append(chunk);
      if (quote == std::string_view::npos) {
        pos_ = s_.size();
        return false;
      }
      pos_ = quote + 1;
      if (pos_ < s_.size() && s_[pos_] == '"') {
        field->push_back('"');
        ++pos_;
        continue;
      }
      return true;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
  uint64_t line_ = 1;
};

std::string TrimAscii(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && IsAsciiSpace(s[b])) ++b;
  while (e > b && IsAsciiSpace(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

Status ReadCsv(const std::string& path, std::string_view content, const ReaderOptions& options,
               SourceFile* file) {
  CsvParser parser(content);
  CsvParser::Record record;
  // The header: the first non-blank record.
  bool have_header = false;
  while (parser.Next(&record)) {
    if (!record.blank) {
      have_header = true;
      break;
    }
  }
  if (!have_header) return Status::OK();
  if (record.unterminated) {
    return Status::InvalidArgument(Location(path, record.line) +
                                   ": unterminated quoted field in the header");
  }
  std::vector<std::string> header;
  for (const std::string& name : record.fields) header.push_back(TrimAscii(name));
  std::set<std::string> names;
  for (const std::string& name : header) {
    if (!name.empty() && !names.insert(name).second) {
      return Status::InvalidArgument(path + ": column " + Quoted(name) +
                                     " appears twice in the header");
    }
  }
  auto column = [&](const std::string& name) -> int {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  const int text_column = column(options.text_field);
  if (text_column < 0) {
    return Status::InvalidArgument(path + ": no " + Quoted(options.text_field) +
                                   " column in the header; columns: " + NameList(header));
  }
  const int id_column = column(options.id_field);
  std::vector<int> metadata_columns;
  if (options.metadata_fields.empty()) {
    for (int i = 0; i < static_cast<int>(header.size()); ++i) {
      if (i != text_column && i != id_column && !header[i].empty()) metadata_columns.push_back(i);
    }
  } else {
    for (const std::string& field : options.metadata_fields) {
      if (const int i = column(field); i >= 0) metadata_columns.push_back(i);
    }
  }

  RecordSink sink(options, file);
  while (parser.Next(&record)) {
    if (record.blank) continue;
    const std::string where = Location(path, record.line);
    if (record.unterminated) {
      QUIVER_RETURN_IF_ERROR(sink.Bad(
          Status::InvalidArgument(where + ": unterminated quoted field (no closing '\"')")));
      continue;
    }
    if (record.fields.size() != header.size()) {
      QUIVER_RETURN_IF_ERROR(sink.Bad(
          Status::InvalidArgument(where + ": row has " + std::to_string(record.fields.size()) +
                                  " fields; the header has " + std::to_string(header.size()))));
      continue;
    }
    SourceDocument doc;
    doc.line = record.line;
    doc.id = id_column >= 0 && !record.fields[id_column].empty() ? record.fields[id_column] : where;
    json metadata = json::object();
    for (int i : metadata_columns) metadata[header[i]] = record.fields[i];
    doc.metadata_json = DumpJson(metadata);
    doc.text = std::move(record.fields[text_column]);
    file->documents.push_back(std::move(doc));
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<std::string>> ListSources(const std::vector<std::string>& paths,
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
  return lister.TakeFiles();
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
  file.content_hash = Hex64(Xxh64(content));
  QUIVER_RETURN_IF_ERROR(CheckNotBinary(path, content));
  file.repaired_bytes = RepairUtf8(&content);
  if (content.starts_with("\xEF\xBB\xBF")) content.erase(0, 3);

  switch (name.format.value_or(Format::kText)) {
    case Format::kText:
      if (!IsBlank(content)) {
        SourceDocument doc;
        doc.id = path;
        doc.text = std::move(content);
        doc.metadata_json = "{}";
        file.documents.push_back(std::move(doc));
      }
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

}  // namespace quiver::engine
