// A RocksDB FileSystem for the fault suites: it forwards everything to another file system,
// first asking a util::FaultInjector about each file creation, write, sync (of a file or a
// directory), rename and link, and failing the operation with the injected errno when told
// to (ENOSPC as RocksDB's NoSpace, others as IOError). Reads are never failed. The store
// installs it only when its open options carry an injector (tests).
#ifndef QUIVER_STORAGE_FAULT_FILE_SYSTEM_H_
#define QUIVER_STORAGE_FAULT_FILE_SYSTEM_H_

#include <rocksdb/file_system.h>

#include <memory>

#include "util/fault_injection.h"

namespace quiver::storage {

// `faults` must outlive the file system and every file opened through it.
std::shared_ptr<rocksdb::FileSystem> NewFaultInjectionFileSystem(
    std::shared_ptr<rocksdb::FileSystem> base, util::FaultInjector* faults);

}  // namespace quiver::storage

#endif  // QUIVER_STORAGE_FAULT_FILE_SYSTEM_H_
