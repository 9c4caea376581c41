// Portable kernels: plain C++, eight independent partial sums so that the compiler can
// keep them in SIMD registers of the baseline instruction set without reassociating.
#include "index/simd/kernels.h"

namespace quiver::simd {
namespace {

constexpr size_t kLanes = 8;

float ReduceLanes(const float* acc) {
  return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

float L2(const float* x, const float* y, size_t d) {
  float acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= d; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) {
      const float t = x[i + j] - y[i + j];
      acc[j] += t * t;
    }
  }
  float sum = ReduceLanes(acc);
  for (; i < d; ++i) {
    const float t = x[i] - y[i];
    sum += t * t;
  }
  return sum;
}

float Ip(const float* x, const float* y, size_t d) {
  float acc[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= d; i += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) acc[j] += x[i + j] * y[i + j];
  }
  float sum = ReduceLanes(acc);
  for (; i < d; ++i) sum += x[i] * y[i];
  return sum;
}

void L2Many(const float* q, const float* rows, size_t d, size_t n, float* out) {
  for (size_t j = 0; j < n; ++j) out[j] = L2(q, rows + j * d, d);
}

void IpMany(const float* q, const float* rows, size_t d, size_t n, float* out) {
  for (size_t j = 0; j < n; ++j) out[j] = Ip(q, rows + j * d, d);
}

constexpr KernelSet kGeneric = {"generic", L2, Ip, L2Many, IpMany};

}  // namespace

const KernelSet* GenericKernels() { return &kGeneric; }

}  // namespace quiver::simd
