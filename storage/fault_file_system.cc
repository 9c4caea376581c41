#include "storage/fault_file_system.h"

#include <cstring>
#include <string>

namespace quiver::storage {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using util::FaultInjector;
using util::FileOp;

// OK, or the injected failure of `op` on `path` as RocksDB reports a real one.
IOStatus Injected(FaultInjector* faults, FileOp op, const std::string& path, uint64_t bytes = 0) {
  const int error = faults->Check(op, path, bytes);
  if (error == 0) return IOStatus::OK();
  if (error == ENOSPC) return IOStatus::NoSpace(path, std::strerror(error));
  return IOStatus::IOError(path, std::strerror(error));
}

class FaultWritableFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string path,
                    FaultInjector* faults)
      : FSWritableFileOwnerWrapper(std::move(file)), path_(std::move(path)), faults_(faults) {}

  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileWrite, path_, data.size());
    return s.ok() ? FSWritableFileOwnerWrapper::Append(data, options, dbg) : s;
  }
  IOStatus Append(const rocksdb::Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo& info, IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileWrite, path_, data.size());
    return s.ok() ? FSWritableFileOwnerWrapper::Append(data, options, info, dbg) : s;
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const IOOptions& options,
                            IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileWrite, path_, data.size());
    return s.ok() ? FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, dbg) : s;
  }
  IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const IOOptions& options,
                            const rocksdb::DataVerificationInfo& info,
                            IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileWrite, path_, data.size());
    return s.ok() ? FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, info, dbg)
                  : s;
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileSync, path_);
    return s.ok() ? FSWritableFileOwnerWrapper::Sync(options, dbg) : s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileSync, path_);
    return s.ok() ? FSWritableFileOwnerWrapper::Fsync(options, dbg) : s;
  }
  IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const IOOptions& options,
                     IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileSync, path_);
    return s.ok() ? FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, options, dbg) : s;
  }

 private:
  std::string path_;
  FaultInjector* faults_;
};

class FaultDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(std::unique_ptr<rocksdb::FSDirectory> dir, std::string path, FaultInjector* faults)
      : FSDirectoryWrapper(std::move(dir)), path_(std::move(path)), faults_(faults) {}

  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileSync, path_);
    return s.ok() ? FSDirectoryWrapper::Fsync(options, dbg) : s;
  }
  IOStatus FsyncWithDirOptions(const IOOptions& options, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& dir_options) override {
    IOStatus s = Injected(faults_, util::kFileSync, path_);
    return s.ok() ? FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options) : s;
  }

 private:
  std::string path_;
  FaultInjector* faults_;
};

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FaultFileSystem(std::shared_ptr<rocksdb::FileSystem> base, FaultInjector* faults)
      : FileSystemWrapper(std::move(base)), faults_(faults) {}

  const char* Name() const override { return "QuiverFaultInjectionFileSystem"; }

  IOStatus NewWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                           std::unique_ptr<rocksdb::FSWritableFile>* result,
                           IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileCreate, path);
    if (s.ok()) s = target()->NewWritableFile(path, options, result, dbg);
    return Wrap(s, path, result);
  }
  IOStatus ReopenWritableFile(const std::string& path, const rocksdb::FileOptions& options,
                              std::unique_ptr<rocksdb::FSWritableFile>* result,
                              IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileCreate, path);
    if (s.ok()) s = target()->ReopenWritableFile(path, options, result, dbg);
    return Wrap(s, path, result);
  }
  IOStatus ReuseWritableFile(const std::string& path, const std::string& old_path,
                             const rocksdb::FileOptions& options,
                             std::unique_ptr<rocksdb::FSWritableFile>* result,
                             IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileCreate, path);
    if (s.ok()) s = target()->ReuseWritableFile(path, old_path, options, result, dbg);
    return Wrap(s, path, result);
  }
  IOStatus NewDirectory(const std::string& path, const IOOptions& options,
                        std::unique_ptr<rocksdb::FSDirectory>* result,
                        IODebugContext* dbg) override {
    IOStatus s = target()->NewDirectory(path, options, result, dbg);
    if (s.ok()) *result = std::make_unique<FaultDirectory>(std::move(*result), path, faults_);
    return s;
  }
  IOStatus RenameFile(const std::string& from, const std::string& to, const IOOptions& options,
                      IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileRename, to);
    return s.ok() ? target()->RenameFile(from, to, options, dbg) : s;
  }
  IOStatus LinkFile(const std::string& from, const std::string& to, const IOOptions& options,
                    IODebugContext* dbg) override {
    IOStatus s = Injected(faults_, util::kFileRename, to);
    return s.ok() ? target()->LinkFile(from, to, options, dbg) : s;
  }

 private:
  IOStatus Wrap(const IOStatus& s, const std::string& path,
                std::unique_ptr<rocksdb::FSWritableFile>* result) {
    if (s.ok()) *result = std::make_unique<FaultWritableFile>(std::move(*result), path, faults_);
    return s;
  }

  FaultInjector* faults_;
};

}  // namespace

std::shared_ptr<rocksdb::FileSystem> NewFaultInjectionFileSystem(
    std::shared_ptr<rocksdb::FileSystem> base, util::FaultInjector* faults) {
  return std::make_shared<FaultFileSystem>(std::move(base), faults);
}

}  // namespace quiver::storage
