#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {
namespace {

constexpr double kRateAfterSeconds = 0.5;  // too little time gives absurd rates

// Columns of the terminal stderr shows on; 80 when it does not say.
size_t TerminalColumns() {
  struct winsize size {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// `amount` of `unit` for a frame: bytes in MB, others as counted.
std::string Amount(double amount, const std::string& unit) {
  char text[48];
  if (unit == "bytes") {
    std::snprintf(text, sizeof(text), "%.1f", amount / 1e6);
  } else {
    std::snprintf(text, sizeof(text), "%.0f", amount);
  }
  return text;
}

std::string UnitName(const std::string& unit) { return unit == "bytes" ? "MB" : unit; }

std::string Seconds(double seconds) {
  const long whole = static_cast<long>(seconds + 0.5);
  char text[32];
  if (whole < 60) {
    std::snprintf(text, sizeof(text), "%lds", whole);
  } else {
    std::snprintf(text, sizeof(text), "%ldm%02lds", whole / 60, whole % 60);
  }
  return text;
}

}  // namespace

std::string FormatMegabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MB", bytes / 1e6);
  return text;
}

ProgressBar::ProgressBar(std::string label, uint64_t total_bytes)
    : label_(std::move(label)),
      total_bytes_(total_bytes),
      enabled_(StderrIsTerminal()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(uint64_t done_bytes, uint64_t items) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string note = std::to_string(items);
  if (elapsed >= kRateAfterSeconds) note += " (" + Amount(items / elapsed, "") + "/s)";
  Show({label_, done_bytes, total_bytes_, "bytes", note});
}

void ProgressBar::Show(const ProgressFrame& frame) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && !restarted_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  restarted_ = false;
  Draw(frame);
}

void ProgressBar::Restart() {
  start_ = std::chrono::steady_clock::now();
  restarted_ = true;
}

void ProgressBar::Draw(const ProgressFrame& frame) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const bool timed = elapsed >= kRateAfterSeconds && frame.done > 0;
  std::string line = frame.label;
  if (frame.total > 0) {
    const double fraction = std::min(1.0, double(frame.done) / frame.total);
    const int width = 20, filled = static_cast<int>(fraction * width);
    char bar[64];
    std::snprintf(bar, sizeof(bar), " [%s%s] %3.0f%%", std::string(filled, '#').c_str(),
                  std::string(width - filled, ' ').c_str(), fraction * 100);
    line += bar;
    line += " " + Amount(frame.done, frame.unit) + "/" + Amount(frame.total, frame.unit) + " " +
            UnitName(frame.unit);
  } else {
    line += " " + Amount(frame.done, frame.unit) + " " + UnitName(frame.unit);
  }
  if (timed) {
    line += "  " + Amount(frame.done / elapsed, frame.unit) + " " + UnitName(frame.unit) + "/s";
    if (frame.total > frame.done) {
      line += "  ETA " + Seconds(elapsed * (frame.total - frame.done) / frame.done);
    }
  } else if (elapsed >= kRateAfterSeconds) {
    line += "  " + Seconds(elapsed);  // nothing counted yet: how long it has been
  }
  if (!frame.note.empty()) line += "  " + frame.note;
  line.resize(std::min(line.size(), TerminalColumns() - 1));  // a wrapped line cannot be redrawn
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
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
