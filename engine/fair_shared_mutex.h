// A reader-writer mutex that does not starve writers: once a writer waits, new readers
// queue behind it. (std::shared_mutex on glibc prefers readers, so a steady search load
// could block writes forever.) Satisfies SharedMutex, so std::shared_lock and
// std::unique_lock work with it.
#ifndef QUIVER_ENGINE_FAIR_SHARED_MUTEX_H_
#define QUIVER_ENGINE_FAIR_SHARED_MUTEX_H_

#include <mutex>
#include <shared_mutex>

namespace quiver::engine {

class FairSharedMutex {
 public:
  void lock() {
    std::lock_guard turnstile(turnstile_);
    state_.lock();
  }
  void unlock() { state_.unlock(); }

  void lock_shared() {
    std::lock_guard turnstile(turnstile_);
    state_.lock_shared();
  }
  void unlock_shared() { state_.unlock_shared(); }

 private:
  std::mutex turnstile_;  // held by a writer while it waits for readers to drain
  std::shared_mutex state_;
};

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_FAIR_SHARED_MUTEX_H_
