// A one-line progress bar on stderr, drawn only when stderr is a terminal.
#ifndef QUIVER_CLI_PROGRESS_H_
#define QUIVER_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace quiver::cli {

class ProgressBar {
 public:
  // `total_bytes` may be 0 when unknown (no percentage or ETA then).
  ProgressBar(std::string label, uint64_t total_bytes);
  ~ProgressBar();

  // Redraws at most ten times a second.
  void Update(uint64_t done_bytes, uint64_t items);
  // Erases the bar.
  void Finish();

 private:
  void Draw(uint64_t done_bytes, uint64_t items);

  std::string label_;
  uint64_t total_bytes_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace quiver::cli

#endif  // QUIVER_CLI_PROGRESS_H_
