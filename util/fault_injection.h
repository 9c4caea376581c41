// FaultInjector: decides, one file operation at a time, whether it fails, for the fault
// suites (tests/engine/fault_injection_test.cc). Everything that writes a database's files
// asks one: the store's RocksDB file system (storage/fault_file_system.h) and the checkpoint
// writer (util/file_writer.h), so a single counter sweeps a failure through every step of a
// write. Production code passes no injector and nothing is checked.
//
// A plan counts the operations it covers and, once its threshold is reached, fails every
// later one of them with `error` (a full disk stays full) until Disarm.
#ifndef QUIVER_UTIL_FAULT_INJECTION_H_
#define QUIVER_UTIL_FAULT_INJECTION_H_

#include <cerrno>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "util/mutex.h"

namespace quiver::util {

// The kinds of file operation a plan can cover (a bit mask).
enum FileOp : unsigned {
  kFileCreate = 1,  // creating or truncating a file for writing
  kFileWrite = 2,   // writing bytes
  kFileSync = 4,    // fsync of a file or directory
  kFileRename = 8,  // renaming (or linking) a file into place
  kAnyFileOp = 15,
};

class FaultInjector {
 public:
  static constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

  struct Plan {
    unsigned ops = kAnyFileOp;  // which operations count and fail
    // This many covered operations succeed; the next and every later one fails.
    uint64_t fail_after_calls = kNever;
    // Covered writes succeed while they keep the total written under this many bytes; the
    // write that would cross it fails whole (as write(2) reports ENOSPC), and so do later ones.
    uint64_t fail_after_bytes = kNever;
    int error = ENOSPC;
    // Only paths containing this count ("" = every path).
    std::string path_contains;
  };

  // Starts `plan` with fresh counters.
  void Arm(const Plan& plan);
  // Lets every operation through again (counters are kept for inspection).
  void Disarm();

  // 0 when the operation may go ahead; otherwise the errno it must fail with. `bytes` is the
  // size of a write (0 for other operations).
  int Check(FileOp op, std::string_view path, uint64_t bytes = 0);

  // Covered operations seen since Arm, and how many of them were failed.
  uint64_t calls() const;
  uint64_t failures() const;

 private:
  mutable Mutex mu_;
  bool armed_ GUARDED_BY(mu_) = false;
  Plan plan_ GUARDED_BY(mu_);
  uint64_t calls_ GUARDED_BY(mu_) = 0;
  uint64_t bytes_ GUARDED_BY(mu_) = 0;
  uint64_t failures_ GUARDED_BY(mu_) = 0;
  bool tripped_ GUARDED_BY(mu_) = false;
};

}  // namespace quiver::util

#endif  // QUIVER_UTIL_FAULT_INJECTION_H_
