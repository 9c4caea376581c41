#include "util/fault_injection.h"

namespace quiver::util {

void FaultInjector::Arm(const Plan& plan) {
  MutexLock lock(&mu_);
  plan_ = plan;
  armed_ = true;
  tripped_ = false;
  calls_ = bytes_ = failures_ = 0;
}

void FaultInjector::Disarm() {
  MutexLock lock(&mu_);
  armed_ = false;
}

int FaultInjector::Check(FileOp op, std::string_view path, uint64_t bytes) {
  MutexLock lock(&mu_);
  if (!armed_ || (plan_.ops & op) == 0) return 0;
  if (!plan_.path_contains.empty() && path.find(plan_.path_contains) == std::string_view::npos) {
    return 0;
  }
  const bool over_calls = calls_ >= plan_.fail_after_calls;
  ++calls_;
  const bool over_bytes = op == kFileWrite && plan_.fail_after_bytes != kNever &&
                          bytes_ + bytes > plan_.fail_after_bytes;
  if (tripped_ || over_calls || over_bytes) {
    tripped_ = true;
    ++failures_;
    return plan_.error;
  }
  if (op == kFileWrite) bytes_ += bytes;
  return 0;
}

uint64_t FaultInjector::calls() const {
  MutexLock lock(&mu_);
  return calls_;
}

uint64_t FaultInjector::failures() const {
  MutexLock lock(&mu_);
  return failures_;
}

}  // namespace quiver::util
