// RocksDB's diagnostic log for a store: the lines RocksDB logs at WARN and above, appended
// to <dir>/LOG with plain write(2) calls whose failures are ignored.
//
// Why not RocksDB's own file logger: in Debian's librocksdb 7.8 (built with assertions on)
// a failed write to LOG marks its WritableFileWriter as failed, and the next log line then
// trips the assertion `sync_without_flush_called_` in
// WritableFileWriter::AssertFalseAndGetStatusForPrevError() and aborts the process. A full
// disk fails LOG writes like any other, so every write and every later read-write open
// aborted instead of reporting "No space left on device". Diagnostics must never be what
// fails a database; this logger cannot.
#ifndef QUIVER_STORAGE_INFO_LOG_H_
#define QUIVER_STORAGE_INFO_LOG_H_

#include <rocksdb/env.h>

#include <memory>
#include <string>

namespace quiver::storage {

// A logger appending to `dir`/LOG (started afresh once it passes 1 MiB); one that drops
// every line when the file cannot be opened.
std::shared_ptr<rocksdb::Logger> NewInfoLog(const std::string& dir);

}  // namespace quiver::storage

#endif  // QUIVER_STORAGE_INFO_LOG_H_
