// A small fork-join helper for the ingest and reembed pipelines.
#ifndef QUIVER_UTIL_PARALLEL_H_
#define QUIVER_UTIL_PARALLEL_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace quiver::util {

// The number of worker threads `requested` means: itself when > 0, else one per core.
inline int WorkerCount(int requested) {
  if (requested > 0) return requested;
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

// Calls work(i) for every i in [0, n), spread over up to `threads` threads (the caller's
// included), and returns when all calls have. `work` must be safe to call concurrently for
// different i and must not throw.
inline void ParallelFor(size_t n, int threads, const std::function<void(size_t)>& work) {
  const size_t workers = std::min<size_t>(n, static_cast<size_t>(std::max(1, threads)));
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) work(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto run = [&]() {
    for (size_t i = next++; i < n; i = next++) work(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(run);
  run();
  for (auto& thread : pool) thread.join();
}

}  // namespace quiver::util

#endif  // QUIVER_UTIL_PARALLEL_H_
