// The encoder's weights in compute form (internal to embed/): the checkpoint tensors checked,
// converted to float, and the matrix-product weights stored in the chosen precision, plus the
// matrix product y = x·Wᵀ + b over them (embed/gemm.h's packed panels for float and bfloat16,
// oneDNN for int8).
#ifndef QUIVER_EMBED_ENCODER_WEIGHTS_H_
#define QUIVER_EMBED_ENCODER_WEIGHTS_H_

#include <cstdint>
#include <vector>

#include "embed/encoder.h"
#include "embed/encoder_kernels.h"
#include "embed/gemm.h"
#include "quiver/status.h"

namespace quiver::embed {

// One nn.Linear: W is [out × in] (PyTorch's layout), kept in exactly one of the forms below.
struct LinearWeights {
  int out = 0;
  int in = 0;
  std::vector<float> bias;      // out floats
  PackedMatrix packed;          // kF32: float panels; kBF16: round-to-nearest-even bfloat16
  std::vector<int8_t> i8;       // kInt8: in [-127, 127], per-row symmetric scale (the
                                // activations get 7 bits instead; see quantize_rows_u8)
  std::vector<float> i8_scale;  // kInt8: W[r] ≈ i8_scale[r] · i8[r]
  std::vector<int32_t> i8_sum;  // kInt8: Σ i8[r], for the activations' zero points
};

struct EncoderLayerWeights {
  LinearWeights qkv;  // query, key and value stacked: [3·hidden × hidden]
  LinearWeights attention_output;
  std::vector<float> attention_norm_gamma, attention_norm_beta;
  LinearWeights intermediate;
  LinearWeights output;
  std::vector<float> output_norm_gamma, output_norm_beta;
};

struct EncoderWeights {
  std::vector<float> word;        // [vocab × hidden]
  std::vector<float> position;    // [max_positions × hidden]
  std::vector<float> token_type;  // row 0 of the token-type table, or hidden zeros
  std::vector<float> norm_gamma, norm_beta;
  std::vector<EncoderLayerWeights> layers;
};

// Checks and converts `tensors` (see Encoder::Create for the errors).
Result<EncoderWeights> LoadEncoderWeights(const EncoderConfig& config, const TensorMap& tensors,
                                          Precision precision);

// Per-call buffers of the int8 matrix products (activation quantization).
struct LinearScratch {
  std::vector<uint8_t> quantized;
  std::vector<float> row_scale;
  std::vector<int32_t> row_zero;
  std::vector<int32_t> accumulators;
};

// y[rows × w.out] = x[rows × w.in] · Wᵀ + bias, then GELU when `gelu`, on the calling thread's
// OpenMP team (PackedGemm and oneDNN follow omp_get_max_threads()).
void ApplyLinear(const LinearWeights& w, Precision precision, const EncoderKernels& kernels,
                 const float* x, int64_t rows, bool gelu, float* y, LinearScratch* scratch);

// Splits [0, n) into chunks and runs fn(begin, end) on the OpenMP team.
template <typename Fn>
void ParallelRows(int64_t n, int64_t grain, const Fn& fn) {
  const int64_t chunks = (n + grain - 1) / grain;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (int64_t i = 0; i < chunks; ++i) {
    const int64_t begin = i * grain;
    fn(begin, begin + grain < n ? begin + grain : n);
  }
}

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_ENCODER_WEIGHTS_H_
