// AVX-512F kernels. This file alone is compiled with -mavx512f -mavx2 -mfma (see
// sources.cmake); like kernels_avx2.cc it includes no header with shared inline functions
// or templates other than <immintrin.h>.
#include "index/simd/kernels.h"

#if defined(__x86_64__) && defined(__AVX512F__)
// GCC 12's own _mm512_reduce_add_ps trips -Wuninitialized on _mm256_undefined_pd() inside
// <avx512fintrin.h> (a false positive in the system header, not in this file).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

namespace quiver::simd {
namespace {

constexpr size_t kWidth = 16;

inline __m512 L2Step(__m512 acc, __m512 x, __m512 y) {
  const __m512 t = _mm512_sub_ps(x, y);
  return _mm512_fmadd_ps(t, t, acc);
}

inline __m512 IpStep(__m512 acc, __m512 x, __m512 y) { return _mm512_fmadd_ps(x, y, acc); }

// Four independent accumulators over blocks of 64, then single vectors, then a masked
// tail (masked-off lanes are not read, so no access past the vectors' ends).
template <__m512 (*Step)(__m512, __m512, __m512)>
inline float Distance(const float* x, const float* y, size_t d) {
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
  __m512 a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
  size_t i = 0;
  for (; i + 4 * kWidth <= d; i += 4 * kWidth) {
    a0 = Step(a0, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
    a1 = Step(a1, _mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(y + i + 16));
    a2 = Step(a2, _mm512_loadu_ps(x + i + 32), _mm512_loadu_ps(y + i + 32));
    a3 = Step(a3, _mm512_loadu_ps(x + i + 48), _mm512_loadu_ps(y + i + 48));
  }
  for (; i + kWidth <= d; i += kWidth) {
    a0 = Step(a0, _mm512_loadu_ps(x + i), _mm512_loadu_ps(y + i));
  }
  if (i < d) {
    const __mmask16 m = static_cast<__mmask16>((1u << (d - i)) - 1u);
    a1 = Step(a1, _mm512_maskz_loadu_ps(m, x + i), _mm512_maskz_loadu_ps(m, y + i));
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
}

float L2(const float* x, const float* y, size_t d) { return Distance<L2Step>(x, y, d); }
float Ip(const float* x, const float* y, size_t d) { return Distance<IpStep>(x, y, d); }

void L2Many(const float* q, const float* rows, size_t d, size_t n, float* out) {
  for (size_t j = 0; j < n; ++j) out[j] = Distance<L2Step>(q, rows + j * d, d);
}

void IpMany(const float* q, const float* rows, size_t d, size_t n, float* out) {
  for (size_t j = 0; j < n; ++j) out[j] = Distance<IpStep>(q, rows + j * d, d);
}

constexpr KernelSet kAvx512 = {"avx512", L2, Ip, L2Many, IpMany};

}  // namespace

const KernelSet* Avx512Kernels() { return &kAvx512; }

}  // namespace quiver::simd

#else  // not compiled with AVX-512F: this flavour is absent.

namespace quiver::simd {
const KernelSet* Avx512Kernels() { return nullptr; }
}  // namespace quiver::simd

#endif
