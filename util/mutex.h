// Mutexes the thread-safety analysis understands (libstdc++'s carry no annotations):
// Mutex with MutexLock; SharedMutex and FairSharedMutex with WriterLock and ReaderLock.
#ifndef QUIVER_UTIL_MUTEX_H_
#define QUIVER_UTIL_MUTEX_H_

#include <mutex>
#include <shared_mutex>

#include "util/thread_annotations.h"

namespace quiver::util {

// An exclusive mutex.
class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  // True when the caller now holds it; never waits.
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  // Tells the analysis the caller holds it (for code it cannot follow, e.g. callbacks).
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

 private:
  std::mutex mu_;
};

// Holds `mu` for its lifetime.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A reader-writer mutex (std::shared_mutex): cheap for readers, but on glibc a steady stream
// of readers can starve a writer. For caches whose writers may wait.
class CAPABILITY("shared mutex") SharedMutex {
 public:
  SharedMutex() = default;
  SharedMutex(const SharedMutex&) = delete;
  SharedMutex& operator=(const SharedMutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mu_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

// A reader-writer mutex that does not starve writers: once a writer waits, new readers
// queue behind it. (std::shared_mutex on glibc prefers readers, so a steady search load
// could block writes forever.)
class CAPABILITY("shared mutex") FairSharedMutex {
 public:
  FairSharedMutex() = default;
  FairSharedMutex(const FairSharedMutex&) = delete;
  FairSharedMutex& operator=(const FairSharedMutex&) = delete;

  void Lock() ACQUIRE() {
    std::lock_guard turnstile(turnstile_);
    state_.lock();
  }
  void Unlock() RELEASE() { state_.unlock(); }
  void LockShared() ACQUIRE_SHARED() {
    std::lock_guard turnstile(turnstile_);
    state_.lock_shared();
  }
  void UnlockShared() RELEASE_SHARED() { state_.unlock_shared(); }
  void AssertHeld() const ASSERT_CAPABILITY(this) {}
  void AssertReaderHeld() const ASSERT_SHARED_CAPABILITY(this) {}

 private:
  std::mutex turnstile_;  // held by a writer while it waits for readers to drain
  std::shared_mutex state_;
};

// Holds a SharedMutex or FairSharedMutex exclusively for its lifetime.
template <typename M>
class SCOPED_CAPABILITY BasicWriterLock {
 public:
  explicit BasicWriterLock(M* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~BasicWriterLock() RELEASE() { mu_->Unlock(); }
  BasicWriterLock(const BasicWriterLock&) = delete;
  BasicWriterLock& operator=(const BasicWriterLock&) = delete;

 private:
  M* const mu_;
};

// Holds a SharedMutex or FairSharedMutex shared for its lifetime.
template <typename M>
class SCOPED_CAPABILITY BasicReaderLock {
 public:
  explicit BasicReaderLock(M* mu) ACQUIRE_SHARED(mu) : mu_(mu) { mu_->LockShared(); }
  ~BasicReaderLock() RELEASE() { mu_->UnlockShared(); }
  BasicReaderLock(const BasicReaderLock&) = delete;
  BasicReaderLock& operator=(const BasicReaderLock&) = delete;

 private:
  M* const mu_;
};

using WriterLock = BasicWriterLock<FairSharedMutex>;
using ReaderLock = BasicReaderLock<FairSharedMutex>;
using SharedWriterLock = BasicWriterLock<SharedMutex>;
using SharedReaderLock = BasicReaderLock<SharedMutex>;

}  // namespace quiver::util

#endif  // QUIVER_UTIL_MUTEX_H_
