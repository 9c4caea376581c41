// The kernels of the transformer encoder: layer norm, GELU, softmax, bias, activation
// quantization and the micro-tiles of the packed matrix products (embed/gemm.h; the int8
// products go to oneDNN). One table of function pointers per instruction set; the table is
// chosen at run time (SelectEncoderKernels) so that one binary runs everywhere.
//
// Layouts: `rows` × `cols` row-major, rows `stride` floats apart where a stride is given.
#ifndef QUIVER_EMBED_ENCODER_KERNELS_H_
#define QUIVER_EMBED_ENCODER_KERNELS_H_

#include <cstdint>
#include <string_view>

#include "embed/gemm.h"

namespace quiver::embed {

struct EncoderKernels {
  std::string_view name;  // "avx2" or "generic"

  // x[r] += bias for every row.
  void (*add_bias)(float* x, int64_t rows, int cols, const float* bias);
  // x[r] = LayerNorm(x[r] + residual[r]) · gamma + beta (residual may be null); the variance
  // is the biased one, as torch computes it.
  void (*residual_layer_norm)(float* x, const float* residual, int64_t rows, int cols,
                              const float* gamma, const float* beta, float eps);
  // x = (x + bias) · Φ(x + bias), Φ the standard normal CDF through erf (HF "gelu"); bias
  // may be null (none).
  void (*bias_gelu)(float* x, int64_t rows, int cols, const float* bias);
  // Softmax of each row of the first `cols` floats, after multiplying them by `scale`.
  void (*scaled_softmax)(float* x, int rows, int cols, int stride, float scale);
  // Asymmetric per-row quantization to 7 bits held in uint8: x ≈ scale[r] · (q − zero[r]),
  // scale[r] = (max − min) / 127 over the row with 0 included, so q ≤ 128 and zero[r] ∈ [0, 127].
  // 7 bits because AVX2's vpmaddubsw (what oneDNN's u8s8s32 product uses without VNNI) adds
  // two u8 · s8 products in saturating int16: 2 · 128 · 127 < 32767, 2 · 255 · 127 is not.
  void (*quantize_rows_u8)(const float* x, int64_t rows, int cols, uint8_t* q, float* scale,
                           int32_t* zero);
  // out[r][c] = a_scale[r] · w_scale[c] · (acc[r][c] − a_zero[r] · w_sum[c]) + bias[c].
  void (*dequantize_rows)(const int32_t* acc, int64_t rows, int cols, const float* a_scale,
                          const int32_t* a_zero, const float* w_scale, const int32_t* w_sum,
                          const float* bias, float* out);
  // One micro-tile of PackedGemm over float / bfloat16 panels (see embed/gemm.h).
  GemmTileF32 gemm_tile_f32;
  GemmTileBf16 gemm_tile_bf16;
};

// The portable kernels (scalar C++; the compiler may vectorize them with its baseline ISA).
const EncoderKernels& GenericEncoderKernels();
// The AVX2 + FMA kernels, or null when this build has none.
const EncoderKernels* Avx2EncoderKernels();
// AVX2 when the CPU has AVX2 and FMA, generic otherwise. The environment variable
// QUIVER_ENCODER_KERNEL=generic forces the portable kernels (for tests and comparisons).
const EncoderKernels& SelectEncoderKernels();

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_ENCODER_KERNELS_H_
