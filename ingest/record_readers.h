// The document readers behind ReadSource: each turns a file's decoded content (valid UTF-8,
// without a byte order mark) into documents appended to a SourceFile. Internal to ingest/.
#ifndef QUIVER_INGEST_RECORD_READERS_H_
#define QUIVER_INGEST_RECORD_READERS_H_

#include <string>
#include <string_view>

#include "ingest/source_reader.h"
#include "quiver/limits.h"
#include "quiver/status.h"

namespace quiver::ingest {

// Text and Markdown: the whole content as one document (id `path`, metadata "{}"), or none
// when the content is empty or only ASCII white space.
void ReadText(const std::string& path, std::string content, SourceFile* file);

// JSON Lines: one document per non-blank line. A bad line (invalid JSON, JSON nested deeper
// than kMaxJsonDepth, longer than `max_line_bytes`, ...) is InvalidArgument
// "<path>:<line>: ...", or with options.skip_bad is counted in file->skipped_records.
Status ReadJsonl(const std::string& path, std::string_view content, const ReaderOptions& options,
                 SourceFile* file, size_t max_line_bytes = kMaxLineBytes);

// CSV (RFC 4180): the first non-blank record is the header (names trimmed of ASCII white
// space), then one document per non-blank row. InvalidArgument for a bad header (an
// unterminated quote, a name given twice, no text column, longer than `max_line_bytes`)
// always; for a bad row ("<path>:<line>: ...", a record longer than `max_line_bytes` too)
// unless options.skip_bad, which counts it instead. A quoted field still open at the end of
// the input makes its record bad, and reading resumes on the line after the record's first
// line: one stray quote costs one record, never the rest of the file.
Status ReadCsv(const std::string& path, std::string_view content, const ReaderOptions& options,
               SourceFile* file, size_t max_line_bytes = kMaxLineBytes);

}  // namespace quiver::ingest

#endif  // QUIVER_INGEST_RECORD_READERS_H_
