// Thread-safety probe, expected to FAIL clang's -Wthread-safety: a guarded member written
// without its mutex. Proves the analysis scripts/check_thread_safety.sh runs is switched on.
#include "util/mutex.h"

class Counter {
 public:
  void Increment() { ++value_; }  // missing util::MutexLock lock(&mu_)

 private:
  quiver::util::Mutex mu_;
  int value_ GUARDED_BY(mu_) = 0;
};

int ThreadSafetyProbe() {
  Counter counter;
  counter.Increment();
  return 0;
}
