// Decompression of gzip files held in memory, for ReadSource. Internal to ingest/.
#ifndef QUIVER_INGEST_GZIP_H_
#define QUIVER_INGEST_GZIP_H_

#include <string>
#include <string_view>

#include "quiver/status.h"

namespace quiver::ingest {

// Decompresses `in`, one or more concatenated gzip members, into `out` (replacing its
// content); zero bytes after the last member are ignored. Errors name `path`:
//   Corruption  `in` does not start with the gzip magic bytes, is truncated or corrupt, or has
//               other bytes after the last member;
//   IOError     zlib cannot start or reset, or runs out of memory.
Status Gunzip(const std::string& path, std::string_view in, std::string* out);

}  // namespace quiver::ingest

#endif  // QUIVER_INGEST_GZIP_H_
