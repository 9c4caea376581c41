// Elapsed-time helper for reports (ingest summaries, rebuild messages).
#ifndef QUIVER_UTIL_CLOCK_H_
#define QUIVER_UTIL_CLOCK_H_

#include <chrono>

namespace quiver::util {

// Seconds elapsed on the steady clock since `start`.
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace quiver::util

#endif  // QUIVER_UTIL_CLOCK_H_
