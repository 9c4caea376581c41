// The AVX2 + FMA micro-tiles of embed/gemm.h. This file alone is compiled with -mavx2 -mfma
// (see embed/CMakeLists.txt); nothing here runs unless SelectEncoderKernels found both on the
// CPU. Built without them (another architecture), it defines nothing.
#include "embed/gemm.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

namespace quiver::embed {
namespace {

// Lanes [0, cols) and [8, cols) of the two halves of a 16-column row.
struct ColumnMasks {
  explicit ColumnMasks(int cols) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    lo = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols), lane);
    hi = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - 8), lane);
  }
  __m256i lo, hi;
};

// The 16 floats of a panel's k: float panels load them, bf16 panels widen one 256-bit load
// (low halves: columns 0-7, high halves: columns 8-15).
struct F32Panel {
  static inline void Load(const float* b, __m256* b0, __m256* b1) {
    *b0 = _mm256_loadu_ps(b);
    *b1 = _mm256_loadu_ps(b + 8);
  }
};
struct Bf16Panel {
  static inline void Load(const uint16_t* b, __m256* b0, __m256* b1) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
    *b0 = _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
    *b1 = _mm256_castsi256_ps(_mm256_and_si256(v, _mm256_set1_epi32(-65536)));
  }
};

// R rows × 16 columns; the unroll pragmas keep the 2R accumulators in registers (GCC spills
// the arrays to the stack otherwise).
template <int R, typename Panel, typename T>
inline void Tile(const float* a, int64_t lda, const T* panel, int kc, float* c, int64_t ldc,
                 int cols, const float* bias, bool accumulate) {
  __m256 acc0[R], acc1[R];
  const bool full = cols == kGemmPanel;
  const ColumnMasks mask(cols);
#pragma GCC unroll 6
  for (int i = 0; i < R; ++i) {
    if (!accumulate) {
      acc0[i] = acc1[i] = _mm256_setzero_ps();
    } else if (full) {
      acc0[i] = _mm256_loadu_ps(c + i * ldc);
      acc1[i] = _mm256_loadu_ps(c + i * ldc + 8);
    } else {
      acc0[i] = _mm256_maskload_ps(c + i * ldc, mask.lo);
      acc1[i] = _mm256_maskload_ps(c + i * ldc + 8, mask.hi);
    }
  }
  for (int k = 0; k < kc; ++k) {
    __m256 b0, b1;
    Panel::Load(panel + static_cast<int64_t>(k) * kGemmPanel, &b0, &b1);
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      const __m256 av = _mm256_broadcast_ss(a + i * lda + k);
      acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
    }
  }
  if (bias != nullptr) {
    const __m256 bias0 = _mm256_maskload_ps(bias, mask.lo);
    const __m256 bias1 = _mm256_maskload_ps(bias + 8, mask.hi);
#pragma GCC unroll 6
    for (int i = 0; i < R; ++i) {
      acc0[i] = _mm256_add_ps(acc0[i], bias0);
      acc1[i] = _mm256_add_ps(acc1[i], bias1);
    }
  }
#pragma GCC unroll 6
  for (int i = 0; i < R; ++i) {
    if (full) {
      _mm256_storeu_ps(c + i * ldc, acc0[i]);
      _mm256_storeu_ps(c + i * ldc + 8, acc1[i]);
    } else {
      _mm256_maskstore_ps(c + i * ldc, mask.lo, acc0[i]);
      _mm256_maskstore_ps(c + i * ldc + 8, mask.hi, acc1[i]);
    }
  }
}

template <typename Panel, typename T>
void Dispatch(const float* a, int64_t lda, int rows, const T* panel, int kc, float* c, int64_t ldc,
              int cols, const float* bias, bool accumulate) {
  switch (rows) {
    case 6:
      return Tile<6, Panel>(a, lda, panel, kc, c, ldc, cols, bias, accumulate);
    case 5:
      return Tile<5, Panel>(a, lda, panel, kc, c, ldc, cols, bias, accumulate);
    case 4:
      return Tile<4, Panel>(a, lda, panel, kc, c, ldc, cols, bias, accumulate);
    case 3:
      return Tile<3, Panel>(a, lda, panel, kc, c, ldc, cols, bias, accumulate);
    case 2:
      return Tile<2, Panel>(a, lda, panel, kc, c, ldc, cols, bias, accumulate);
    default:
      return Tile<1, Panel>(a, lda, panel, kc, c, ldc, cols, bias, accumulate);
  }
}

}  // namespace

void Avx2GemmTileF32(const float* a, int64_t lda, int rows, const float* panel, int kc, float* c,
                     int64_t ldc, int cols, const float* bias, bool accumulate) {
  Dispatch<F32Panel>(a, lda, rows, panel, kc, c, ldc, cols, bias, accumulate);
}

void Avx2GemmTileBf16(const float* a, int64_t lda, int rows, const uint16_t* panel, int kc,
                      float* c, int64_t ldc, int cols, const float* bias, bool accumulate) {
  Dispatch<Bf16Panel>(a, lda, rows, panel, kc, c, ldc, cols, bias, accumulate);
}

}  // namespace quiver::embed

#endif
