// Telling text files from the others by their first bytes, whatever their names: ingestion
// reads every text file it finds (README, NEWS, COPYING, changelog.gz, .rst, .org, .tex,
// source code, ...) and skips, and counts, binary ones (images, archives, executables).
#ifndef QUIVER_INGEST_TEXT_SNIFF_H_
#define QUIVER_INGEST_TEXT_SNIFF_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "quiver/status.h"

namespace quiver::ingest {

// How many leading bytes of a file's content the judgement looks at.
inline constexpr size_t kSniffBytes = 8192;

// Why `content` (a file's content after gunzip, or its first kSniffBytes at least) is not
// text, or "" when it is. Not text: a known binary signature ("looks binary (a PNG image)"),
// a UTF-16 byte order mark ("looks like UTF-16 text, which is not supported (convert it to
// UTF-8)"), a NUL byte in the first kSniffBytes ("looks binary (a NUL byte at offset N)"), or
// more than 30% of them not UTF-8. Empty content is text.
std::string NotTextReason(std::string_view content);

// Reads the first kSniffBytes of the content of the file at `path` (gunzipped when its name
// ends in .gz, case-insensitively) and judges them with NotTextReason. IOError when it cannot
// be read; Corruption for a .gz file that is not gzip.
Result<std::string> SniffFile(const std::string& path);

}  // namespace quiver::ingest

#endif  // QUIVER_INGEST_TEXT_SNIFF_H_
