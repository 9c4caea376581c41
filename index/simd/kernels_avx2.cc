// AVX2 + FMA kernels. This file alone is compiled with -mavx2 -mfma (see sources.cmake),
// so it must not include headers that define inline functions or templates other than
// <immintrin.h>: an AVX2-compiled copy of a shared inline function could be the one the
// linker keeps, and would then crash other code on CPUs without AVX2.
#include "index/simd/kernels.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace quiver::simd {
namespace {

constexpr size_t kWidth = 8;

float HorizontalSum(__m256 v) {
  const __m128 lo = _mm256_castps256_ps128(v);
  const __m128 hi = _mm256_extractf128_ps(v, 1);
  __m128 s = _mm_add_ps(lo, hi);
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Lanes [0, r) set, for 0 <= r < 8: masked loads read nothing outside the vector.
__m256i TailMask(size_t r) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(r)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

inline __m256 L2Step(__m256 acc, __m256 x, __m256 y) {
  const __m256 t = _mm256_sub_ps(x, y);
  return _mm256_fmadd_ps(t, t, acc);
}

inline __m256 IpStep(__m256 acc, __m256 x, __m256 y) { return _mm256_fmadd_ps(x, y, acc); }

// Four independent accumulators over blocks of 32, then single vectors, then a masked
// tail. Step is L2Step or IpStep.
template <__m256 (*Step)(__m256, __m256, __m256)>
inline float Distance(const float* x, const float* y, size_t d) {
  __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
  __m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 4 * kWidth <= d; i += 4 * kWidth) {
    a0 = Step(a0, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
    a1 = Step(a1, _mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8));
    a2 = Step(a2, _mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16));
    a3 = Step(a3, _mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24));
  }
  for (; i + kWidth <= d; i += kWidth) {
    a0 = Step(a0, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i));
  }
  if (i < d) {
    const __m256i m = TailMask(d - i);
    a1 = Step(a1, _mm256_maskload_ps(x + i, m), _mm256_maskload_ps(y + i, m));
  }
  return HorizontalSum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
}

float L2(const float* x, const float* y, size_t d) { return Distance<L2Step>(x, y, d); }
float Ip(const float* x, const float* y, size_t d) { return Distance<IpStep>(x, y, d); }

void L2Many(const float* q, const float* rows, size_t d, size_t n, float* out) {
  for (size_t j = 0; j < n; ++j) out[j] = Distance<L2Step>(q, rows + j * d, d);
}

void IpMany(const float* q, const float* rows, size_t d, size_t n, float* out) {
  for (size_t j = 0; j < n; ++j) out[j] = Distance<IpStep>(q, rows + j * d, d);
}

constexpr KernelSet kAvx2 = {"avx2", L2, Ip, L2Many, IpMany};

}  // namespace

const KernelSet* Avx2Kernels() { return &kAvx2; }

}  // namespace quiver::simd

#else  // not compiled with AVX2 + FMA: this flavour is absent.

namespace quiver::simd {
const KernelSet* Avx2Kernels() { return nullptr; }
}  // namespace quiver::simd

#endif
