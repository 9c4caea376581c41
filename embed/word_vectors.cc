#include "embed/word_vectors.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <new>
#include <unordered_set>
#include <utility>

#include "util/file_reader.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace quiver::embed {
namespace {

using util::BufferedReader;

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

// `s` quoted for a message (util::Quote), cut after 40 bytes.
std::string QuoteShort(std::string_view s) { return util::Quote(s, 40); }

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (IsSep(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

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
                                QuoteShort(word) + ", found " +
                                std::to_string(n + CountFields(p, end)));
    }
    switch (ParseFloat(p, q, &out[n])) {
      case NumberError::kNone:
        break;
      case NumberError::kNotNumber:
        return Status::Corruption("component " + std::to_string(n + 1) + " of " + QuoteShort(word) +
                                  " is not a number: " + QuoteShort(std::string_view(p, q - p)));
      case NumberError::kOutOfRange:
        return Status::Corruption(
            "component " + std::to_string(n + 1) + " of " + QuoteShort(word) +
            " is out of float range: " + QuoteShort(std::string_view(p, q - p)));
      case NumberError::kNonFinite:
        return Status::Corruption("component " + std::to_string(n + 1) + " of " + QuoteShort(word) +
                                  " is not finite: " + QuoteShort(std::string_view(p, q - p)));
    }
    ++n;
    p = q;
  }
  if (n != dim) {
    return Status::Corruption("expected " + std::to_string(dim) + " components after " +
                              QuoteShort(word) + ", found " + std::to_string(n));
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
  return has_control || !utf8::IsValidPrefix(raw) ? WordVectorFormat::kWord2VecBinary
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
                                QuoteShort(word) + " (first at " + unit +
                                std::to_string(where_[*it]) + ")");
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
Status ReadText(BufferedReader& in, const std::string& path, int64_t header_count, int64_t line_no,
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
                                  " components after " + QuoteShort(rec.word) + ", found " +
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
Result<bool> SkipNewlines(BufferedReader& in) {
  for (;;) {
    QUIVER_RETURN_IF_ERROR(in.Fill(1));
    std::string_view a = in.Available();
    if (a.empty()) return false;
    if (a[0] != '\n' && a[0] != '\r') return true;
    in.Consume(1);
  }
}

// Buffers the word of the binary record at the cursor; returns its length (the space follows).
Result<size_t> FindWordEnd(BufferedReader& in, const std::string& where) {
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
Status CheckBinaryTail(BufferedReader& in, const std::string& path, int64_t count) {
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
Status ReadBinary(BufferedReader& in, const std::string& path, int64_t count, Builder& b) {
  const size_t vec_bytes = static_cast<size_t>(b.dim()) * 4;
  b.Reserve(std::min<int64_t>(count, static_cast<int64_t>(in.size() / vec_bytes) + 1));
  for (int64_t rec = 0; rec < count && !b.Full(); ++rec) {
    QUIVER_ASSIGN_OR_RETURN(const bool more, SkipNewlines(in));
    if (!more) {
      return Status::Corruption(path + ": truncated file: header declares " +
                                std::to_string(count) + " words, file ends after " +
                                std::to_string(rec));
    }
    const std::string where = RecordAt(path, rec + 1, in.Offset());
    QUIVER_ASSIGN_OR_RETURN(const size_t space, FindWordEnd(in, where));
    if (space == 0) return Status::Corruption(where + "empty word");
    QUIVER_RETURN_IF_ERROR(in.Fill(space + 1 + vec_bytes));
    std::string_view a = in.Available();
    const std::string_view word = a.substr(0, space);
    if (a.size() < space + 1 + vec_bytes) {
      return Status::Corruption(where + "truncated file: " + QuoteShort(word) + " needs " +
                                std::to_string(vec_bytes) + " bytes of vector, " +
                                std::to_string(a.size() - space - 1) + " remain");
    }
    int64_t bad = 0;
    if (!CopyFloats(a.data() + space + 1, b.dim(), b.BeginRow(), &bad)) {
      return Status::Corruption(where + "component " + std::to_string(bad + 1) + " of " +
                                QuoteShort(word) + " is not finite");
    }
    QUIVER_RETURN_IF_ERROR(b.Commit(word, rec + 1));
    in.Consume(space + 1 + vec_bytes);
  }
  return b.Full() ? Status::OK() : CheckBinaryTail(in, path, count);
}

// Reads the `count dim` header line of a word2vec file.
Status ReadHeader(BufferedReader& in, const std::string& path, int64_t* count, int64_t* dim) {
  std::string_view line;
  bool got = false;
  QUIVER_RETURN_IF_ERROR(in.NextLine(&line, &got));
  if (!ParseHeader(line, count, dim)) {
    return Status::Corruption(At(path, 1) + "expected a `count dim` header, found " +
                              QuoteShort(TrimRight(line)));
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
  return Status::InvalidArgument("unknown word-vector format " + QuoteShort(name) +
                                 "; expected auto, glove, word2vec-text or word2vec-binary");
}

Result<WordVectorFormat> DetectWordVectorFormat(const std::string& path) {
  util::File file;
  QUIVER_RETURN_IF_ERROR(file.Open(path));
  BufferedReader in(std::move(file), kBufferBytes);
  QUIVER_RETURN_IF_ERROR(in.Fill(kSniffBytes));
  return DetectFromHead(path, in.Available());
}

namespace {

Result<WordVectors> ReadWordVectorsOrThrow(const std::string& path,
                                           const WordVectorOptions& options) {
  if (options.max_words < 0) return Status::InvalidArgument("max_words must be >= 0");
  util::File file;
  QUIVER_RETURN_IF_ERROR(file.Open(path));
  BufferedReader in(std::move(file), kBufferBytes);
  QUIVER_RETURN_IF_ERROR(in.Fill(kSniffBytes));
  if (in.Available().empty()) return Status::Corruption(path + ": empty file");
  WordVectorFormat format = options.format;
  if (format == WordVectorFormat::kAuto) {
    QUIVER_ASSIGN_OR_RETURN(format, DetectFromHead(path, in.Available()));
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
