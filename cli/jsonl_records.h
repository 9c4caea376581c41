// Reading records from JSON Lines: {"id": "...", "vector": [...], "text": "...", "meta": {...}}
#ifndef QUIVER_CLI_JSONL_RECORDS_H_
#define QUIVER_CLI_JSONL_RECORDS_H_

#include <cstdio>
#include <string>
#include <string_view>

#include "quiver/limits.h"
#include "quiver/status.h"
#include "quiver/types.h"

namespace quiver::cli {

// Parses one line. "id" (non-empty string) and "vector" (array of numbers) are required;
// "text" (string) and "meta" (object) are optional; other fields are ignored.
// InvalidArgument names what was expected and what was found; JSON nested deeper than
// kMaxJsonDepth is refused unparsed.
Status ParseRecordLine(std::string_view line, Record* record);

// Reads a stream line by line; lines keep no trailing "\n" or "\r\n". A line longer than
// `max_line_bytes` is not kept: its bytes are read past, Next returns it empty and
// overlong() is true, so memory stays bounded by the limit.
class LineReader {
 public:
  explicit LineReader(FILE* file, size_t max_line_bytes = kMaxLineBytes)
      : file_(file), max_line_bytes_(max_line_bytes) {}
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // False at end of input (or on a read error: check ferror on the stream).
  bool Next(std::string_view* line);
  size_t line_number() const { return line_number_; }  // 1-based number of the last line
  uint64_t bytes_read() const { return bytes_read_; }
  // True when the last line was longer than the limit (and returned empty).
  bool overlong() const { return overlong_; }
  // InvalidArgument naming the limit, for an overlong line.
  Status OverlongError() const;

 private:
  bool Refill();

  FILE* file_;
  size_t max_line_bytes_;
  std::string chunk_;  // read-ahead: bytes [pos_, end_) are not yet returned
  size_t pos_ = 0, end_ = 0;
  std::string line_;
  bool overlong_ = false;
  size_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
};

// True when a line holds only whitespace (such lines are skipped).
bool IsBlank(std::string_view line);

}  // namespace quiver::cli

#endif  // QUIVER_CLI_JSONL_RECORDS_H_
