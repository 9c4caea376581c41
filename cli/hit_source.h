// Where a query hit came from, as short as a table can show it: "notes/todo.md:12-30" (the
// file relative to the directory it was ingested from, and the lines of the chunk), or the
// record's id when the id says more than the file (a JSON Lines or CSV record, an upsert).
#ifndef QUIVER_CLI_HIT_SOURCE_H_
#define QUIVER_CLI_HIT_SOURCE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "quiver/types.h"

namespace quiver::cli {

// Labels hits, reading each source file at most once to turn byte offsets into lines.
class HitSourceLabeler {
 public:
  // The label of `hit` (its metadata's "relpath" and "mtime" are used when present):
  //   * no source file (an upserted record): the id;
  //   * a chunk of a whole file (the id is PATH#N): the relative path (else the path) and
  //     ":FIRST-LAST", the chunk's lines, when the file is a .txt or .md still holding what
  //     was ingested (same modification time, long enough), else "#N";
  //   * a record of a .jsonl or .csv file: the id.
  // Not yet safe for a terminal (see TerminalText).
  std::string Label(const Hit& hit);

 private:
  // Offsets of the newlines of `path`, or nullopt when it cannot be used (see Label).
  const std::optional<std::vector<uint64_t>>& Newlines(const std::string& path, int64_t mtime,
                                                       uint64_t end);

  std::map<std::string, std::optional<std::vector<uint64_t>>> newlines_;
};

}  // namespace quiver::cli

#endif  // QUIVER_CLI_HIT_SOURCE_H_
