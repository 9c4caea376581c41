#include "cli/progress.h"

#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {

ProgressBar::ProgressBar(std::string label, uint64_t total_bytes)
    : label_(std::move(label)),
      total_bytes_(total_bytes),
      enabled_(StderrIsTerminal()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done_bytes, uint64_t items) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done_bytes, items);
}

void ProgressBar::Draw(uint64_t done_bytes, uint64_t items) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? items / elapsed : 0;
  const double mb = done_bytes / 1e6;
  if (total_bytes_ > 0) {
    const double fraction = std::min(1.0, double(done_bytes) / total_bytes_);
    const int width = 24, filled = static_cast<int>(fraction * width);
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3.0f%% %.1f/%.1f MB %llu (%.0f/s) ETA %.0fs \033[K",
                 label_.c_str(), filled, "########################", width - filled, "",
                 fraction * 100, mb, total_bytes_ / 1e6, static_cast<unsigned long long>(items),
                 rate, eta);
  } else {
    std::fprintf(stderr, "\r%s %.1f MB %llu (%.0f/s)\033[K", label_.c_str(), mb,
                 static_cast<unsigned long long>(items), rate);
  }
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::Finish() {
  if (!drawn_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
  drawn_ = false;
}

}  // namespace quiver::cli
