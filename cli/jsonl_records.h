// Reading records from JSON Lines: {"id": "...", "vector": [...], "text": "...", "meta": {...}}
#ifndef QUIVER_CLI_JSONL_RECORDS_H_
#define QUIVER_CLI_JSONL_RECORDS_H_

#include <cstdio>
#include <string>
#include <string_view>

#include "quiver/status.h"
#include "quiver/types.h"

namespace quiver::cli {

// Parses one line. "id" (non-empty string) and "vector" (array of numbers) are required;
// "text" (string) and "meta" (object) are optional; other fields are ignored.
// InvalidArgument names what was expected and what was found.
Status ParseRecordLine(std::string_view line, Record* record);

// Reads a stream line by line; lines keep no trailing newline.
class LineReader {
 public:
  explicit LineReader(FILE* file) : file_(file) {}
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // False at end of input.
  bool Next(std::string_view* line);
  size_t line_number() const { return line_number_; }  // 1-based number of the last line
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  FILE* file_;
  char* buffer_ = nullptr;
  size_t capacity_ = 0;
  size_t line_number_ = 0;
  uint64_t bytes_read_ = 0;
};

// True when a line holds only whitespace (such lines are skipped).
bool IsBlank(std::string_view line);

}  // namespace quiver::cli

#endif  // QUIVER_CLI_JSONL_RECORDS_H_
