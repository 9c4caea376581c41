// A one-line progress display on stderr, drawn only when stderr is a terminal (never into a
// pipe or file), redrawn in place and erased when done.
#ifndef QUIVER_CLI_PROGRESS_H_
#define QUIVER_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace quiver::cli {

// What one frame shows: "LABEL [####    ]  45% DONE/TOTAL UNIT  RATE UNIT/s  ETA Ns  NOTE".
struct ProgressFrame {
  std::string label;
  uint64_t done = 0;
  uint64_t total = 0;  // 0 when not known: no bar, percentage or ETA
  std::string unit;    // "bytes" are shown in MB; anything else as counted ("files", "steps")
  std::string note;    // shown after the figures (e.g. "12/554 files")
};

class ProgressBar {
 public:
  // A display whose Update frames say `label` of `total_bytes` (0 when unknown).
  ProgressBar(std::string label, uint64_t total_bytes);
  ~ProgressBar();

  // Shows `done_bytes` and `items` done so far (with their rate). Redraws at most ten times a
  // second.
  void Update(uint64_t done_bytes, uint64_t items);
  // Shows `frame`. Redraws at most ten times a second, and always after Restart.
  // Rates and the ETA are measured from the last Restart (or construction); they are shown
  // once half a second has passed, never from a first instant's figures.
  void Show(const ProgressFrame& frame);
  // Measures rates and the ETA from now on (for a new stage whose units start at 0).
  void Restart();
  // Erases the display (the next Show draws it again).
  void Finish();

 private:
  void Draw(const ProgressFrame& frame);

  std::string label_;
  uint64_t total_bytes_;
  bool enabled_;
  bool drawn_ = false;
  bool restarted_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

// `bytes` as "2.3 MB" (one decimal; "0.0 MB" for less than 50 kB).
std::string FormatMegabytes(uint64_t bytes);

}  // namespace quiver::cli

#endif  // QUIVER_CLI_PROGRESS_H_
