// Writing the files quiver writes itself (the index checkpoints; the store's files are
// RocksDB's): FileWriter creates a file and appends, overwrites, fsyncs and closes it;
// RenameFile and SyncDirectory finish an atomic replacement. Each operation first asks the
// optional FaultInjector (util/fault_injection.h), so the fault suites can make any of them
// fail as a full or broken disk would. Errors are IOError "cannot <verb> <path>: <reason>".
#ifndef QUIVER_UTIL_FILE_WRITER_H_
#define QUIVER_UTIL_FILE_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "quiver/status.h"
#include "util/fault_injection.h"

namespace quiver::util {

class FileWriter {
 public:
  // `faults` (may be null) must outlive the writer.
  explicit FileWriter(FaultInjector* faults = nullptr) : faults_(faults) {}
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;
  // Closes the file if Close was not called (without syncing it).
  ~FileWriter();

  // Creates `path`, or truncates it, for writing.
  Status Create(const std::string& path);
  // Writes all `size` bytes at the end of what was appended so far.
  Status Append(const void* data, size_t size);
  // Writes all `size` bytes at `offset`, which must lie in what was appended.
  Status WriteAt(uint64_t offset, const void* data, size_t size);
  // fsync: the bytes written so far are durable once it returns OK.
  Status Sync();
  Status Close();

  const std::string& path() const { return path_; }

 private:
  Status Fail(const char* verb, int error) const;

  FaultInjector* faults_;
  std::string path_;
  int fd_ = -1;
};

// Renames `from` to `to`, replacing it.
Status RenameFile(const std::string& from, const std::string& to, FaultInjector* faults);
// fsync of the directory `dir`, which makes the renames and creations in it durable.
Status SyncDirectory(const std::string& dir, FaultInjector* faults);

}  // namespace quiver::util

#endif  // QUIVER_UTIL_FILE_WRITER_H_
