#include "embed/word_vectors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <unordered_set>
#include <utility>

namespace quiver::embed {
namespace {

constexpr size_t kBufferBytes = size_t{4} << 20;  // read granularity
constexpr size_t kSniffBytes = size_t{1} << 20;   // what format detection looks at
constexpr size_t kMaxBinaryWordBytes = size_t{1} << 16;
constexpr int64_t kMaxDim = int64_t{1} << 20;
constexpr uint32_t kFastTextMagic = 793712314;  // first int32 of a fastText .bin model

bool IsSep(char c) { return c == ' ' || c == '\t'; }

// A byte that never occurs in a text file (all C0 controls except \t \n \r, and DEL).
bool IsControl(unsigned char c) {
  return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
}

// True when `s` is well-formed UTF-8, except that it may end inside a sequence (it may be cut
// from a longer text). Checks lead and continuation bytes only.
bool IsUtf8Prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || (len == 2 && c < 0xC2) || c > 0xF4) return false;
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out = "\"";
  out.append(s.substr(0, kMax));
  if (s.size() > kMax) out += "...";
  return out + "\"";
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (IsSep(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Sequential reads of a file through one growable buffer. The cursor's bytes stay valid until
// the next Fill or NextLine.
class Reader {
 public:
  Reader() = default;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader() {
    if (fd_ >= 0) close(fd_);
  }

  Status Open(const std::string& path) {
    path_ = path;
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
    struct stat st;
    if (fstat(fd_, &st) != 0) return Status::IOError(path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return Status::IOError(path + ": is a directory, not a file");
    size_ = static_cast<uint64_t>(st.st_size);
    buf_.resize(kBufferBytes);
    return Status::OK();
  }

  uint64_t size() const { return size_; }
  // Ensures at least `n` bytes are buffered at the cursor, unless the file ends first.
  Status Fill(size_t n) {
    if (end_ - begin_ >= n || eof_) return Status::OK();
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      base_ += begin_;
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() < n) buf_.resize(std::max(n, 2 * buf_.size()));
    while (end_ < n && !eof_) {
      ssize_t got = read(fd_, buf_.data() + end_, buf_.size() - end_);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Status::IOError(path_ + ": read failed: " + std::strerror(errno));
      if (got == 0) eof_ = true;
      end_ += static_cast<size_t>(got);
    }
    return Status::OK();
  }
  std::string_view Available() const { return {buf_.data() + begin_, end_ - begin_}; }
  void Consume(size_t n) { begin_ += n; }
  // True when every byte of the file has been buffered.
  bool eof() const { return eof_; }
  // The file offset of the cursor.
  uint64_t Offset() const { return base_ + begin_; }

  // Sets *line to the next line without its '\n'; *got is false at the end of the file.
  Status NextLine(std::string_view* line, bool* got) {
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

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;  // buffered bytes at [begin_, end_)
  uint64_t base_ = 0;           // file offset of buf_[0]
  bool eof_ = false;
};

// Parses `text` (the whole token) as a float; false when it is not a number. Values too small
// for a float become 0 or a subnormal; too large ones and non-finite ones are errors.
enum class NumberError { kNone, kNotNumber, kOutOfRange, kNonFinite };
NumberError ParseFloat(const char* p, const char* end, float* out) {
  if (p < end && *p == '+') ++p;
  auto [q, ec] = std::from_chars(p, end, *out);
  if (ec == std::errc::result_out_of_range) {
    double d = 0;
    auto [q2, ec2] = std::from_chars(p, end, d);
    if (ec2 != std::errc() || q2 != end) return NumberError::kOutOfRange;
    if (std::fabs(d) >= std::numeric_limits<float>::min()) return NumberError::kOutOfRange;
    *out = static_cast<float>(d);
    return NumberError::kNone;
  }
  if (ec != std::errc() || q != end) return NumberError::kNotNumber;
  if (!std::isfinite(*out)) return NumberError::kNonFinite;
  return NumberError::kNone;
}

// One text record `word v1 ... vD`, with `line` already right-trimmed.
struct TextRecord {
  std::string_view word;
  const char* numbers;  // just after the word
};

TextRecord SplitWord(std::string_view line) {
  const char* p = line.data();
  const char* end = p + line.size();
  const char* w = p;
  while (p < end && !IsSep(*p)) ++p;
  return {std::string_view(w, p - w), p};
}

int64_t CountFields(const char* p, const char* end) {
  int64_t n = 0;
  while (p < end) {
    while (p < end && IsSep(*p)) ++p;
    if (p == end) break;
    ++n;
    while (p < end && !IsSep(*p)) ++p;
  }
  return n;
}

// Parses exactly `dim` numbers from [p, end) into out. On failure returns a message (without
// location) describing what was expected and found.
Status ParseNumbers(const char* p, const char* end, int64_t dim, std::string_view word,
                    float* out) {
  int64_t n = 0;
  for (;;) {
    while (p < end && IsSep(*p)) ++p;
    if (p == end) break;
    const char* q = p;
    while (q < end && !IsSep(*q)) ++q;
    if (n == dim) {
      return Status::Corruption("expected " + std::to_string(dim) + " components after " +
                                Quote(word) + ", found " + std::to_string(n + CountFields(p, end)));
    }
    switch (ParseFloat(p, q, &out[n])) {
      case NumberError::kNone:
        break;
      case NumberError::kNotNumber:
        return Status::Corruption("component " + std::to_string(n + 1) + " of " + Quote(word) +
                                  " is not a number: " + Quote(std::string_view(p, q - p)));
      case NumberError::kOutOfRange:
        return Status::Corruption("component " + std::to_string(n + 1) + " of " + Quote(word) +
                                  " is out of float range: " + Quote(std::string_view(p, q - p)));
      case NumberError::kNonFinite:
        return Status::Corruption("component " + std::to_string(n + 1) + " of " + Quote(word) +
                                  " is not finite: " + Quote(std::string_view(p, q - p)));
    }
    ++n;
    p = q;
  }
  if (n != dim) {
    return Status::Corruption("expected " + std::to_string(dim) + " components after " +
                              Quote(word) + ", found " + std::to_string(n));
  }
  return Status::OK();
}

bool ParseInt(std::string_view s, int64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 0;
}

// A `count dim` header line: exactly two non-negative integers.
bool ParseHeader(std::string_view line, int64_t* count, int64_t* dim) {
  line = TrimRight(line);
  size_t i = 0;
  while (i < line.size() && IsSep(line[i])) ++i;
  line.remove_prefix(i);
  size_t sep = 0;
  while (sep < line.size() && !IsSep(line[sep])) ++sep;
  if (sep == line.size()) return false;
  std::string_view rest = line.substr(sep);
  while (!rest.empty() && IsSep(rest.front())) rest.remove_prefix(1);
  for (char c : rest) {
    if (IsSep(c)) return false;
  }
  return ParseInt(line.substr(0, sep), count) && ParseInt(rest, dim);
}

// The format of a file whose first bytes are `head` (all of it when the file is that short).
Result<WordVectorFormat> DetectFromHead(const std::string& path, std::string_view head) {
  if (head.empty()) return Status::Corruption(path + ": empty file");
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1F &&
      static_cast<unsigned char>(head[1]) == 0x8B) {
    return Status::NotSupported(path + ": gzip-compressed; decompress it first");
  }
  if (head.size() >= 4) {
    uint32_t magic;
    std::memcpy(&magic, head.data(), 4);
    if (magic == kFastTextMagic) {
      return Status::NotSupported(path + ": a fastText .bin model; import its .vec file instead");
    }
  }
  const size_t nl = head.find('\n');
  int64_t count = 0, dim = 0;
  if (!ParseHeader(head.substr(0, nl), &count, &dim)) return WordVectorFormat::kGloveText;
  if (nl == std::string_view::npos || dim <= 0 || dim > kMaxDim) {
    return WordVectorFormat::kWord2VecText;  // the reader reports the problem
  }
  std::string_view body = head.substr(nl + 1);
  std::string_view first = TrimRight(body.substr(0, body.find('\n')));
  TextRecord rec = SplitWord(first);
  std::vector<float> scratch(dim);
  if (!rec.word.empty() &&
      ParseNumbers(rec.numbers, first.data() + first.size(), dim, rec.word, scratch.data()).ok()) {
    return WordVectorFormat::kWord2VecText;
  }
  // Binary records: word, space, 4·dim raw bytes.
  const size_t space = body.find(' ');
  if (space == std::string_view::npos) return WordVectorFormat::kWord2VecText;
  std::string_view raw = body.substr(space + 1, static_cast<size_t>(4 * dim));
  const bool has_control = std::any_of(
      raw.begin(), raw.end(), [](char c) { return IsControl(static_cast<unsigned char>(c)); });
  return has_control || !IsUtf8Prefix(raw) ? WordVectorFormat::kWord2VecBinary
                                           : WordVectorFormat::kWord2VecText;
}

// Accumulates distinct words and their rows.
class Builder {
 public:
  Builder(const std::string& path, const WordVectorOptions& options, bool binary)
      : path_(path),
        options_(options),
        binary_(binary),
        seen_(0, Hash{&out_.words}, Eq{&out_.words}) {}

  void SetDim(int64_t dim) { out_.matrix.cols = dim; }
  int64_t dim() const { return out_.matrix.cols; }
  int64_t rows() const { return static_cast<int64_t>(out_.words.size()); }
  // True when max_words words have been kept.
  bool Full() const { return options_.max_words > 0 && rows() >= options_.max_words; }

  void Reserve(int64_t rows) {
    if (options_.max_words > 0) rows = std::min(rows, options_.max_words);
    out_.words.reserve(rows);
    out_.matrix.data.reserve(rows * dim());
    seen_.reserve(rows);
  }
  // Space for the next row; valid until Commit.
  float* BeginRow() {
    const size_t old = out_.matrix.data.size();
    out_.matrix.data.resize(old + dim());
    return out_.matrix.data.data() + old;
  }
  // Keeps the row begun last under `word`, or drops it as a duplicate. `where` is the line
  // number (text) or record number (binary) for messages.
  Status Commit(std::string_view word, int64_t where) {
    out_.words.emplace_back(word);
    const int64_t row = rows() - 1;
    auto [it, inserted] = seen_.insert(row);
    if (inserted) {
      if (options_.duplicates == DuplicateWords::kError) where_.push_back(where);
      return Status::OK();
    }
    out_.words.pop_back();
    out_.matrix.data.resize(out_.matrix.data.size() - dim());
    if (options_.duplicates == DuplicateWords::kError) {
      const char* unit = binary_ ? "record " : "line ";
      return Status::Corruption(path_ + ": " + unit + std::to_string(where) + ": duplicate word " +
                                Quote(word) + " (first at " + unit + std::to_string(where_[*it]) +
                                ")");
    }
    ++out_.skipped_duplicates;
    return Status::OK();
  }

  Result<WordVectors> Finish(WordVectorFormat format) {
    if (out_.words.empty()) return Status::Corruption(path_ + ": no word vectors in file");
    out_.matrix.rows = rows();
    out_.format = format;
    return std::move(out_);
  }

 private:
  struct Hash {
    const std::vector<std::string>* words;
    size_t operator()(int64_t i) const { return std::hash<std::string>()((*words)[i]); }
  };
  struct Eq {
    const std::vector<std::string>* words;
    bool operator()(int64_t a, int64_t b) const { return (*words)[a] == (*words)[b]; }
  };

  const std::string& path_;
  const WordVectorOptions& options_;
  const bool binary_;
  WordVectors out_;
  std::unordered_set<int64_t, Hash, Eq> seen_;
  std::vector<int64_t> where_;  // location of each kept row, for kError messages
};

std::string At(const std::string& path, int64_t line_no) {
  return path + ":" + std::to_string(line_no) + ": ";
}

// Reads text records up to the end of the file. `header_count` < 0 means no header (GloVe:
// the first record fixes the dimension); `line_no` is the number of lines already consumed.
Status ReadText(Reader& in, const std::string& path, int64_t header_count, int64_t line_no,
                Builder& b) {
  int64_t records = 0;  // lines holding a record, duplicates included
  while (!b.Full()) {
    std::string_view line;
    bool got = false;
    QUIVER_RETURN_IF_ERROR(in.NextLine(&line, &got));
    if (!got) break;
    ++line_no;
    line = TrimRight(line);
    if (line.empty()) continue;
    if (header_count >= 0 && records == header_count) {
      return Status::Corruption(At(path, line_no) + "header declares " +
                                std::to_string(header_count) + " words but more lines follow");
    }
    const TextRecord rec = SplitWord(line);
    const char* end = line.data() + line.size();
    if (rec.word.empty()) {
      return Status::Corruption(At(path, line_no) + "line starts with white space: no word");
    }
    if (b.dim() == 0) {
      const int64_t dim = CountFields(rec.numbers, end);
      if (dim == 0 || dim > kMaxDim) {
        return Status::Corruption(At(path, line_no) + "expected 1 to " + std::to_string(kMaxDim) +
                                  " components after " + Quote(rec.word) + ", found " +
                                  std::to_string(dim));
      }
      b.SetDim(dim);
      b.Reserve(static_cast<int64_t>(in.size() / (line.size() + 1) * 11 / 10 + 16));
    }
    Status s = ParseNumbers(rec.numbers, end, b.dim(), rec.word, b.BeginRow());
    if (!s.ok()) return Status::Corruption(At(path, line_no) + s.message());
    ++records;
    QUIVER_RETURN_IF_ERROR(b.Commit(rec.word, line_no));
  }
  if (header_count >= 0 && !b.Full() && records != header_count) {
    return Status::Corruption(path + ": header declares " + std::to_string(header_count) +
                              " words, file has " + std::to_string(records));
  }
  return Status::OK();
}

std::string RecordAt(const std::string& path, int64_t record, uint64_t offset) {
  return path + ": record " + std::to_string(record) + " at byte " + std::to_string(offset) + ": ";
}

// Skips the newlines that may end the previous binary record. False at the end of the file.
Result<bool> SkipNewlines(Reader& in) {
  for (;;) {
    QUIVER_RETURN_IF_ERROR(in.Fill(1));
    std::string_view a = in.Available();
    if (a.empty()) return false;
    if (a[0] != '\n' && a[0] != '\r') return true;
    in.Consume(1);
  }
}

// Buffers the word of the binary record at the cursor; returns its length (the space follows).
Result<size_t> FindWordEnd(Reader& in, const std::string& where) {
  size_t scanned = 0;
  for (;;) {
    std::string_view a = in.Available();
    const size_t space = a.find(' ', scanned);
    if (space != std::string_view::npos) return space;
    if (in.eof()) return Status::Corruption(where + "truncated file: it ends inside the word");
    if (a.size() > kMaxBinaryWordBytes) {
      return Status::Corruption(where + "no space after " + std::to_string(kMaxBinaryWordBytes) +
                                " bytes; not a word2vec binary file?");
    }
    scanned = a.size();
    QUIVER_RETURN_IF_ERROR(in.Fill(a.size() + 1));
  }
}

// Copies `dim` little-endian float32 values from `src`; false when one is not finite.
bool CopyFloats(const char* src, int64_t dim, float* out, int64_t* bad) {
  std::memcpy(out, src, static_cast<size_t>(dim) * 4);
  for (int64_t i = 0; i < dim; ++i) {
    if constexpr (std::endian::native == std::endian::big) {
      uint32_t u = std::bit_cast<uint32_t>(out[i]);
      out[i] = std::bit_cast<float>(__builtin_bswap32(u));
    }
    if (!std::isfinite(out[i])) {
      *bad = i;
      return false;
    }
  }
  return true;
}

// After the header's count of binary records only white space may follow.
Status CheckBinaryTail(Reader& in, const std::string& path, int64_t count) {
  for (;;) {
    QUIVER_RETURN_IF_ERROR(in.Fill(1));
    std::string_view a = in.Available();
    if (a.empty()) return Status::OK();
    for (size_t i = 0; i < a.size(); ++i) {
      if (!IsSep(a[i]) && a[i] != '\n' && a[i] != '\r') {
        return Status::Corruption(path + ": data after the header's " + std::to_string(count) +
                                  " words at byte " + std::to_string(in.Offset() + i) +
                                  " (header count too small?)");
      }
    }
    in.Consume(a.size());
  }
}

// Reads `count` binary records of b.dim() floats each.
Status ReadBinary(Reader& in, const std::string& path, int64_t count, Builder& b) {
  const size_t vec_bytes = static_cast<size_t>(b.dim()) * 4;
  b.Reserve(std::min<int64_t>(count, static_cast<int64_t>(in.size() / vec_bytes) + 1));
  for (int64_t rec = 0; rec < count && !b.Full(); ++rec) {
    Result<bool> more = SkipNewlines(in);
    if (!more.ok()) return more.status();
    if (!*more) {
      return Status::Corruption(path + ": truncated file: header declares " +
                                std::to_string(count) + " words, file ends after " +
                                std::to_string(rec));
    }
    const std::string where = RecordAt(path, rec + 1, in.Offset());
    Result<size_t> space = FindWordEnd(in, where);
    if (!space.ok()) return space.status();
    if (*space == 0) return Status::Corruption(where + "empty word");
    QUIVER_RETURN_IF_ERROR(in.Fill(*space + 1 + vec_bytes));
    std::string_view a = in.Available();
    const std::string_view word = a.substr(0, *space);
    if (a.size() < *space + 1 + vec_bytes) {
      return Status::Corruption(where + "truncated file: " + Quote(word) + " needs " +
                                std::to_string(vec_bytes) + " bytes of vector, " +
                                std::to_string(a.size() - *space - 1) + " remain");
    }
    int64_t bad = 0;
    if (!CopyFloats(a.data() + *space + 1, b.dim(), b.BeginRow(), &bad)) {
      return Status::Corruption(where + "component " + std::to_string(bad + 1) + " of " +
                                Quote(word) + " is not finite");
    }
    QUIVER_RETURN_IF_ERROR(b.Commit(word, rec + 1));
    in.Consume(*space + 1 + vec_bytes);
  }
  return b.Full() ? Status::OK() : CheckBinaryTail(in, path, count);
}

// Reads the `count dim` header line of a word2vec file.
Status ReadHeader(Reader& in, const std::string& path, int64_t* count, int64_t* dim) {
  std::string_view line;
  bool got = false;
  QUIVER_RETURN_IF_ERROR(in.NextLine(&line, &got));
  if (!ParseHeader(line, count, dim)) {
    return Status::Corruption(At(path, 1) + "expected a `count dim` header, found " +
                              Quote(TrimRight(line)));
  }
  if (*dim < 1 || *dim > kMaxDim) {
    return Status::Corruption(At(path, 1) + "header dimension must be 1 to " +
                              std::to_string(kMaxDim) + ", found " + std::to_string(*dim));
  }
  return Status::OK();
}

}  // namespace

std::string_view WordVectorFormatName(WordVectorFormat format) {
  switch (format) {
    case WordVectorFormat::kAuto:
      return "auto";
    case WordVectorFormat::kGloveText:
      return "glove";
    case WordVectorFormat::kWord2VecText:
      return "word2vec-text";
    case WordVectorFormat::kWord2VecBinary:
      return "word2vec-binary";
  }
  return "?";
}

Result<WordVectorFormat> ParseWordVectorFormat(std::string_view name) {
  for (auto f : {WordVectorFormat::kAuto, WordVectorFormat::kGloveText,
                 WordVectorFormat::kWord2VecText, WordVectorFormat::kWord2VecBinary}) {
    if (name == WordVectorFormatName(f)) return f;
  }
  if (name == "text" || name == "vec") return WordVectorFormat::kWord2VecText;
  if (name == "binary" || name == "bin") return WordVectorFormat::kWord2VecBinary;
  return Status::InvalidArgument("unknown word-vector format " + Quote(name) +
                                 "; expected auto, glove, word2vec-text or word2vec-binary");
}

Result<WordVectorFormat> DetectWordVectorFormat(const std::string& path) {
  Reader in;
  QUIVER_RETURN_IF_ERROR(in.Open(path));
  QUIVER_RETURN_IF_ERROR(in.Fill(kSniffBytes));
  return DetectFromHead(path, in.Available());
}

namespace {

Result<WordVectors> ReadWordVectorsOrThrow(const std::string& path,
                                           const WordVectorOptions& options) {
  if (options.max_words < 0) return Status::InvalidArgument("max_words must be >= 0");
  Reader in;
  QUIVER_RETURN_IF_ERROR(in.Open(path));
  QUIVER_RETURN_IF_ERROR(in.Fill(kSniffBytes));
  if (in.Available().empty()) return Status::Corruption(path + ": empty file");
  WordVectorFormat format = options.format;
  if (format == WordVectorFormat::kAuto) {
    Result<WordVectorFormat> detected = DetectFromHead(path, in.Available());
    if (!detected.ok()) return detected.status();
    format = *detected;
  }
  Builder b(path, options, format == WordVectorFormat::kWord2VecBinary);
  if (format == WordVectorFormat::kGloveText) {
    QUIVER_RETURN_IF_ERROR(ReadText(in, path, -1, 0, b));
    return b.Finish(format);
  }
  int64_t count = 0, dim = 0;
  QUIVER_RETURN_IF_ERROR(ReadHeader(in, path, &count, &dim));
  b.SetDim(dim);
  if (format == WordVectorFormat::kWord2VecBinary) {
    QUIVER_RETURN_IF_ERROR(ReadBinary(in, path, count, b));
  } else {
    // Each component takes at least two bytes ("0 ").
    b.Reserve(std::min<int64_t>(count, static_cast<int64_t>(in.size() / (2 * dim)) + 1));
    QUIVER_RETURN_IF_ERROR(ReadText(in, path, count, 1, b));
  }
  return b.Finish(format);
}

}  // namespace

Result<WordVectors> ReadWordVectors(const std::string& path, const WordVectorOptions& options) {
  try {
    return ReadWordVectorsOrThrow(path, options);
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument(path + ": not enough memory to hold its word vectors");
  }
}

}  // namespace quiver::embed
