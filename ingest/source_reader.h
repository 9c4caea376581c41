// Turns the paths a user names for ingestion into documents: plain text and Markdown files,
// JSON Lines, CSV, their gzip-compressed variants, and directories of them.
//
// Typical use:
//   std::vector<std::string> warnings;
//   auto files = ListSources(paths, &warnings);  // NotFound for a missing path
//   for (const std::string& path : *files) {
//     auto file = ReadSource(path, options);
//     if (!file.ok()) {
//       if (file.status().IsInvalidArgument()) return file.status();  // a bad record: stop
//       warn(file.status()); continue;  // binary, unreadable or corrupt: skip this file
//     }
//     for (const SourceDocument& doc : file->documents) { ... }
//   }
#ifndef QUIVER_INGEST_SOURCE_READER_H_
#define QUIVER_INGEST_SOURCE_READER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "quiver/status.h"
#include "quiver/types.h"

namespace quiver::ingest {

struct ReaderOptions {
  // JSONL field / CSV column holding a record's id. A record without one gets "<path>:<line>".
  std::string id_field = "id";
  // JSONL field / CSV column holding a record's text (required in every record).
  std::string text_field = "text";
  // JSONL fields / CSV columns copied into the metadata; empty means every field or column
  // other than id_field and text_field. Listed names a record lacks are left out.
  std::vector<std::string> metadata_fields;
  // Skip (and count) bad JSONL lines and CSV rows instead of failing the file.
  bool skip_bad = false;
  // CSV columns kept as strings; the others' cells that are numbers or booleans become typed
  // JSON values (ingest/csv_values.h).
  std::vector<std::string> text_columns;
};

// What a collection's paths hold: the text files to read, and every other file met.
struct SourceListing {
  std::vector<std::string> files;
  std::vector<SkippedFile> skipped;  // with why: "hidden file", "looks binary (a PNG image)"...
};

// Expands `paths` into the files to read, in a deterministic order: the arguments in the
// order given; a directory is walked recursively, entries sorted by name (byte order). In a
// walk, a file is listed when its content is text (ingest/text_sniff.h; whatever its name:
// README, NEWS, .rst, changelog.gz and source code are read like .txt); every other entry is
// skipped with its reason: files that are not text, hidden entries (names starting with '.';
// a hidden directory is not walked), links to directories (not followed), dangling links and
// special files. A file named explicitly is listed whatever it holds (ReadSource judges it).
// A file reached twice is listed once.
// NotFound (naming the path) when a path does not exist; IOError when it cannot be examined
// (e.g. a parent directory without search permission). A subdirectory that cannot be listed
// is skipped with one line appended to `warnings` (which may be null).
Result<SourceListing> ListCollection(const std::vector<std::string>& paths,
                                     std::vector<std::string>* warnings);
// ListCollection's files alone.
Result<std::vector<std::string>> ListSources(const std::vector<std::string>& paths,
                                             std::vector<std::string>* warnings);

struct SourceDocument {
  // JSONL: the id field (a string, or a number written as JSON writes it); CSV: the id column
  // when non-empty; otherwise "<path>:<line>". Text and Markdown files: the path.
  std::string id;
  // Valid UTF-8 (see SourceFile::repaired_bytes).
  std::string text;
  // A compact JSON object: "{}" for text files; the metadata fields of a JSONL record with
  // their JSON values; the metadata columns of a CSV row, typed by TypedCsvValue.
  std::string metadata_json;
  // 1-based line where the record starts (JSONL line; CSV line, the header being line 1, so a
  // row with an embedded newline advances it by two); 0 for a whole-file document.
  uint64_t line = 0;
};

struct SourceFile {
  std::string path;
  // The path relative to the root it was listed under; not set by ReadSource (the ingest
  // pipeline sets it).
  std::string relpath;
  int64_t mtime = 0;  // last modification, seconds since the Unix epoch
  uint64_t size = 0;  // bytes on disk (compressed, for .gz)
  // XXH64 (seed 0) of the file's content after gunzip, as 16 lowercase hex digits: a .txt
  // file and its .txt.gz have the same hash, and re-compressing does not change it.
  std::string content_hash;
  // Text and Markdown: one document (none when the file is empty or only white space).
  // JSONL: one per non-blank line. CSV: one per non-blank row after the header.
  std::vector<SourceDocument> documents;
  // Bytes that were not well-formed UTF-8, each replaced by U+FFFD in the documents.
  uint64_t repaired_bytes = 0;
  // With ReaderOptions::skip_bad: records skipped, and the error the first of them would have
  // been ("" when none was skipped).
  uint64_t skipped_records = 0;
  std::string first_skip_reason;
};

// Reads one file (a gzip stream when the name ends in .gz, case-insensitively), chooses the
// format by the extension before .gz (.jsonl/.ndjson, .csv, anything else plain text), strips
// a UTF-8 byte order mark and repairs invalid UTF-8. The whole file is held in memory.
// Errors, each naming the path:
//   IOError        the file cannot be opened or read (with the system's reason);
//   NotSupported   the content is not text (NotTextReason, ingest/text_sniff.h): "...; skipped";
//   Corruption     a .gz file that is not valid gzip, or is truncated;
//   InvalidArgument a bad record, "<path>:<line>: ..." (invalid JSON, not an object, no text
//                  field, a CSV row with the wrong number of fields, an unterminated quote),
//                  unless skip_bad; or a CSV header without the text column (always).
// IOError, NotSupported and Corruption concern this file only: a caller ingesting many files
// can warn once and go on. An empty file gives zero documents.
Result<SourceFile> ReadSource(const std::string& path, const ReaderOptions& options);

// Why the file at `path` was skipped, from the error of reading or examining it: its message
// without the "<path>: " it starts with.
std::string SkipReason(const std::string& path, const Status& status);

}  // namespace quiver::ingest

#endif  // QUIVER_INGEST_SOURCE_READER_H_
