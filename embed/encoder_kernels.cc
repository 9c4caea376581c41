#include "embed/encoder_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace quiver::embed {
namespace {

void AddBias(float* x, int64_t rows, int cols, const float* bias) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    for (int c = 0; c < cols; ++c) row[c] += bias[c];
  }
}

void ResidualLayerNorm(float* x, const float* residual, int64_t rows, int cols, const float* gamma,
                       const float* beta, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    if (residual != nullptr) {
      const float* res = residual + r * cols;
      for (int c = 0; c < cols; ++c) row[c] += res[c];
    }
    float sum = 0;
    for (int c = 0; c < cols; ++c) sum += row[c];
    const float mean = sum / cols;
    float sq = 0;
    for (int c = 0; c < cols; ++c) sq += (row[c] - mean) * (row[c] - mean);
    const float inv = 1.0f / std::sqrt(sq / cols + eps);
    for (int c = 0; c < cols; ++c) row[c] = (row[c] - mean) * inv * gamma[c] + beta[c];
  }
}

void BiasGelu(float* x, int64_t rows, int cols, const float* bias) {
  constexpr float kInvSqrt2 = 0.70710678118654752f;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    for (int c = 0; c < cols; ++c) {
      const float v = row[c] + (bias != nullptr ? bias[c] : 0.0f);
      row[c] = 0.5f * v * (1.0f + std::erf(v * kInvSqrt2));
    }
  }
}

void ScaledSoftmax(float* x, int rows, int cols, int stride, float scale) {
  for (int r = 0; r < rows; ++r) {
    float* row = x + static_cast<int64_t>(r) * stride;
    float max = row[0] * scale;
    for (int c = 0; c < cols; ++c) max = std::max(max, row[c] * scale);
    float sum = 0;
    for (int c = 0; c < cols; ++c) {
      row[c] = std::exp(row[c] * scale - max);
      sum += row[c];
    }
    const float inv = 1.0f / sum;
    for (int c = 0; c < cols; ++c) row[c] *= inv;
  }
}

void QuantizeRowsU8(const float* x, int64_t rows, int cols, uint8_t* q, float* scale,
                    int32_t* zero) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = x + r * cols;
    float lo = 0, hi = 0;
    for (int c = 0; c < cols; ++c) {
      lo = std::min(lo, row[c]);
      hi = std::max(hi, row[c]);
    }
    const float s = hi > lo ? (hi - lo) / 127.0f : 1.0f;
    const float inv = 1.0f / s;
    const int32_t z = static_cast<int32_t>(std::nearbyint(-lo * inv));
    for (int c = 0; c < cols; ++c) {
      const float v = std::nearbyint(row[c] * inv) + static_cast<float>(z);
      q[r * cols + c] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
    }
    scale[r] = s;
    zero[r] = z;
  }
}

void DequantizeRows(const int32_t* acc, int64_t rows, int cols, const float* a_scale,
                    const int32_t* a_zero, const float* w_scale, const int32_t* w_sum,
                    const float* bias, float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int32_t v = acc[r * cols + c] - a_zero[r] * w_sum[c];
      out[r * cols + c] = a_scale[r] * w_scale[c] * static_cast<float>(v) + bias[c];
    }
  }
}

constexpr EncoderKernels kGeneric = {
    .name = "generic",
    .add_bias = AddBias,
    .residual_layer_norm = ResidualLayerNorm,
    .bias_gelu = BiasGelu,
    .scaled_softmax = ScaledSoftmax,
    .quantize_rows_u8 = QuantizeRowsU8,
    .dequantize_rows = DequantizeRows,
    .gemm_tile_f32 = GenericGemmTileF32,
    .gemm_tile_bf16 = GenericGemmTileBf16,
};

}  // namespace

const EncoderKernels& GenericEncoderKernels() { return kGeneric; }

const EncoderKernels& SelectEncoderKernels() {
  const char* forced = std::getenv("QUIVER_ENCODER_KERNEL");
  if (forced != nullptr && std::string_view(forced) == "generic") return kGeneric;
#if defined(__x86_64__) || defined(__i386__)
  const EncoderKernels* avx2 = Avx2EncoderKernels();
  if (avx2 != nullptr && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    return *avx2;
  }
#endif
  return kGeneric;
}

}  // namespace quiver::embed
