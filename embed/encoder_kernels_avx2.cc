// The AVX2 + FMA encoder kernels. This file alone is compiled with -mavx2 -mfma (see
// embed/CMakeLists.txt); nothing here runs unless SelectEncoderKernels found both on the CPU.
// Built without them (another architecture), it provides no kernels.
#include "embed/encoder_kernels.h"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace quiver::embed {
namespace {

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

inline float HorizontalMax(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

inline float HorizontalMin(__m256 v) {
  __m128 s = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_min_ps(s, _mm_movehl_ps(s, s));
  s = _mm_min_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

// e^x (Cephes' expf: range reduction by ln 2, degree-5 polynomial), ~1 ulp; 0 below -87.
inline __m256 Exp(__m256 x) {
  x = _mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f));
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.3365447504f));
  __m256 fx = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f));
  fx = _mm256_floor_ps(fx);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
  __m256 y = _mm256_set1_ps(1.9875691500E-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507E-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073E-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894E-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201E-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
  __m256i e = _mm256_add_epi32(_mm256_cvttps_epi32(fx), _mm256_set1_epi32(127));
  return _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(e, 23)));
}

// erf(x) as x · P(x²) / Q(x²) on [-4, 4] (the rational approximation XLA and Eigen use,
// |error| < 5e-7), exactly ±1 beyond.
inline __m256 Erf(__m256 x) {
  const __m256 limit = _mm256_set1_ps(4.0f);
  const __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.0f));
  const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  const __m256 c = _mm256_min_ps(ax, limit);
  const __m256 x2 = _mm256_mul_ps(c, c);
  __m256 p = _mm256_set1_ps(-2.72614225801306e-10f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.77068142495902e-08f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.10102402082508e-06f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-5.69250639462346e-05f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-7.34990630326855e-04f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-2.95459980854025e-03f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-1.60960333262415e-02f));
  __m256 q = _mm256_set1_ps(-1.45660718464996e-05f);
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-2.13374055278905e-04f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.68282697438203e-03f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-7.37332916720468e-03f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(-1.42647390514189e-02f));
  __m256 r = _mm256_div_ps(_mm256_mul_ps(c, p), q);
  r = _mm256_blendv_ps(r, _mm256_set1_ps(1.0f), _mm256_cmp_ps(ax, limit, _CMP_GE_OQ));
  return _mm256_or_ps(r, sign);
}

void AddBias(float* x, int64_t rows, int cols, const float* bias) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
      _mm256_storeu_ps(row + c, _mm256_add_ps(_mm256_loadu_ps(row + c), _mm256_loadu_ps(bias + c)));
    }
    for (; c < cols; ++c) row[c] += bias[c];
  }
}

void NormalizeRow(float* row, int cols, const float* gamma, const float* beta, float eps) {
  __m256 acc = _mm256_setzero_ps();
  int c = 0;
  for (; c + 8 <= cols; c += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(row + c));
  float sum = HorizontalSum(acc);
  for (; c < cols; ++c) sum += row[c];
  const float mean = sum / cols;
  const __m256 vmean = _mm256_set1_ps(mean);
  acc = _mm256_setzero_ps();
  for (c = 0; c + 8 <= cols; c += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(row + c), vmean);
    acc = _mm256_fmadd_ps(d, d, acc);
  }
  float sq = HorizontalSum(acc);
  for (; c < cols; ++c) sq += (row[c] - mean) * (row[c] - mean);
  const float inv = 1.0f / std::sqrt(sq / cols + eps);
  const __m256 vinv = _mm256_set1_ps(inv);
  for (c = 0; c + 8 <= cols; c += 8) {
    const __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(row + c), vmean), vinv);
    _mm256_storeu_ps(row + c,
                     _mm256_fmadd_ps(d, _mm256_loadu_ps(gamma + c), _mm256_loadu_ps(beta + c)));
  }
  for (; c < cols; ++c) row[c] = (row[c] - mean) * inv * gamma[c] + beta[c];
}

void ResidualLayerNorm(float* x, const float* residual, int64_t rows, int cols, const float* gamma,
                       const float* beta, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    if (residual != nullptr) {
      const float* res = residual + r * cols;
      int c = 0;
      for (; c + 8 <= cols; c += 8) {
        _mm256_storeu_ps(row + c,
                         _mm256_add_ps(_mm256_loadu_ps(row + c), _mm256_loadu_ps(res + c)));
      }
      for (; c < cols; ++c) row[c] += res[c];
    }
    NormalizeRow(row, cols, gamma, beta, eps);
  }
}

void BiasGelu(float* x, int64_t rows, int cols, const float* bias) {
  constexpr float kInvSqrt2 = 0.70710678118654752f;
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  const __m256 k = _mm256_set1_ps(kInvSqrt2);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
      __m256 v = _mm256_loadu_ps(row + c);
      if (bias != nullptr) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + c));
      const __m256 e = _mm256_add_ps(one, Erf(_mm256_mul_ps(v, k)));
      _mm256_storeu_ps(row + c, _mm256_mul_ps(_mm256_mul_ps(half, v), e));
    }
    for (; c < cols; ++c) {
      const float v = row[c] + (bias != nullptr ? bias[c] : 0.0f);
      row[c] = 0.5f * v * (1.0f + std::erf(v * kInvSqrt2));
    }
  }
}

void ScaledSoftmax(float* x, int rows, int cols, int stride, float scale) {
  const __m256 vscale = _mm256_set1_ps(scale);
  for (int r = 0; r < rows; ++r) {
    float* row = x + static_cast<int64_t>(r) * stride;
    __m256 vmax = _mm256_set1_ps(-INFINITY);
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
      vmax = _mm256_max_ps(vmax, _mm256_mul_ps(_mm256_loadu_ps(row + c), vscale));
    }
    float max = HorizontalMax(vmax);
    for (; c < cols; ++c) max = std::max(max, row[c] * scale);
    const __m256 m = _mm256_set1_ps(max);
    __m256 vsum = _mm256_setzero_ps();
    for (c = 0; c + 8 <= cols; c += 8) {
      const __m256 e = Exp(_mm256_fmsub_ps(_mm256_loadu_ps(row + c), vscale, m));
      _mm256_storeu_ps(row + c, e);
      vsum = _mm256_add_ps(vsum, e);
    }
    float sum = HorizontalSum(vsum);
    for (; c < cols; ++c) {
      row[c] = std::exp(row[c] * scale - max);
      sum += row[c];
    }
    const __m256 inv = _mm256_set1_ps(1.0f / sum);
    for (c = 0; c + 8 <= cols; c += 8) {
      _mm256_storeu_ps(row + c, _mm256_mul_ps(_mm256_loadu_ps(row + c), inv));
    }
    for (; c < cols; ++c) row[c] *= 1.0f / sum;
  }
}

void QuantizeRowsU8(const float* x, int64_t rows, int cols, uint8_t* q, float* scale,
                    int32_t* zero) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    uint8_t* out = q + r * cols;
    __m256 vlo = _mm256_setzero_ps(), vhi = _mm256_setzero_ps();
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
      const __m256 v = _mm256_loadu_ps(row + c);
      vlo = _mm256_min_ps(vlo, v);
      vhi = _mm256_max_ps(vhi, v);
    }
    float lo = HorizontalMin(vlo), hi = HorizontalMax(vhi);
    for (; c < cols; ++c) {
      lo = std::min(lo, row[c]);
      hi = std::max(hi, row[c]);
    }
    const float s = hi > lo ? (hi - lo) / 127.0f : 1.0f;
    const float inv = 1.0f / s;
    const int32_t z = static_cast<int32_t>(std::nearbyint(-lo * inv));
    const __m256 vinv = _mm256_set1_ps(inv);
    const __m256i vz = _mm256_set1_epi32(z);
    const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (c = 0; c + 32 <= cols; c += 32) {
      __m256i i[4];
      for (int k = 0; k < 4; ++k) {
        const __m256 v = _mm256_mul_ps(_mm256_loadu_ps(row + c + 8 * k), vinv);
        i[k] = _mm256_add_epi32(_mm256_cvtps_epi32(v), vz);  // round to nearest even
      }
      const __m256i w01 = _mm256_packs_epi32(i[0], i[1]);
      const __m256i w23 = _mm256_packs_epi32(i[2], i[3]);
      const __m256i b = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(w01, w23), perm);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + c), b);
    }
    for (; c < cols; ++c) {
      const float v = std::nearbyint(row[c] * inv) + static_cast<float>(z);
      out[c] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
    }
    scale[r] = s;
    zero[r] = z;
  }
}

void DequantizeRows(const int32_t* acc, int64_t rows, int cols, const float* a_scale,
                    const int32_t* a_zero, const float* w_scale, const int32_t* w_sum,
                    const float* bias, float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t* in = acc + r * cols;
    float* o = out + r * cols;
    const __m256i vz = _mm256_set1_epi32(a_zero[r]);
    const __m256 vs = _mm256_set1_ps(a_scale[r]);
    int c = 0;
    for (; c + 8 <= cols; c += 8) {
      const __m256i sum = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w_sum + c));
      const __m256i v =
          _mm256_sub_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + c)),
                           _mm256_mullo_epi32(vz, sum));
      const __m256 scale = _mm256_mul_ps(vs, _mm256_loadu_ps(w_scale + c));
      _mm256_storeu_ps(o + c,
                       _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(v), _mm256_loadu_ps(bias + c)));
    }
    for (; c < cols; ++c) {
      const int32_t v = in[c] - a_zero[r] * w_sum[c];
      o[c] = a_scale[r] * w_scale[c] * static_cast<float>(v) + bias[c];
    }
  }
}

constexpr EncoderKernels kAvx2 = {
    .name = "avx2",
    .add_bias = AddBias,
    .residual_layer_norm = ResidualLayerNorm,
    .bias_gelu = BiasGelu,
    .scaled_softmax = ScaledSoftmax,
    .quantize_rows_u8 = QuantizeRowsU8,
    .dequantize_rows = DequantizeRows,
    .gemm_tile_f32 = Avx2GemmTileF32,
    .gemm_tile_bf16 = Avx2GemmTileBf16,
};

}  // namespace

const EncoderKernels* Avx2EncoderKernels() { return &kAvx2; }

}  // namespace quiver::embed

#else

namespace quiver::embed {
const EncoderKernels* Avx2EncoderKernels() { return nullptr; }
}  // namespace quiver::embed

#endif
