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

// The first (at most) `limit` decompressed bytes of `in`, which may be only the start of a
// gzip file: its end is not checked. Corruption when what there is is not valid gzip.
Status GunzipPrefix(const std::string& path, std::string_view in, size_t limit, std::string* out);

}  // namespace quiver::ingest

#endif  // QUIVER_INGEST_GZIP_H_
