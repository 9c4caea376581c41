#include "embed/encoder_weights.h"

#include <oneapi/dnnl/dnnl.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "embed/safetensors.h"
#include "util/strings.h"

namespace quiver::embed {
namespace {

using util::Quote;

// The tensor called `name`, also under the "gamma"/"beta" names of old LayerNorm checkpoints
// and with a leftover "bert."/"roberta." prefix.
const RawTensor* Lookup(const TensorMap& tensors, const std::string& name) {
  std::vector<std::string> names = {name, "bert." + name, "roberta." + name};
  if (name.find("LayerNorm.") != std::string::npos) {
    std::string old = name;
    if (util::EndsWith(old, ".weight")) old.replace(old.size() - 6, 6, "gamma");
    if (util::EndsWith(old, ".bias")) old.replace(old.size() - 4, 4, "beta");
    names.push_back(old);
  }
  for (const std::string& n : names) {
    auto it = tensors.find(n);
    if (it != tensors.end()) return &it->second;
  }
  return nullptr;
}

// The tensor `name` of `shape` as floats; InvalidArgument when missing, misshapen or not
// finite, NotSupported for another dtype.
Result<std::vector<float>> ReadFloats(const TensorMap& tensors, const std::string& name,
                                      const std::vector<int64_t>& shape) {
  const RawTensor* t = Lookup(tensors, name);
  if (t == nullptr) {
    return Status::InvalidArgument("missing tensor " + Quote(name) + " (expected shape " +
                                   ShapeString(shape) + ")");
  }
  if (t->shape != shape) {
    return Status::InvalidArgument("tensor " + Quote(name) + " has shape " + ShapeString(t->shape) +
                                   ", expected " + ShapeString(shape));
  }
  const size_t width = t->dtype == "F32" ? 4 : (t->dtype == "F16" || t->dtype == "BF16") ? 2 : 0;
  if (width == 0) {
    return Status::NotSupported("tensor " + Quote(name) + " has dtype " + t->dtype +
                                "; expected F32, F16 or BF16");
  }
  size_t n = 1;
  for (int64_t d : shape) n *= static_cast<size_t>(d);
  if (t->bytes.size() != n * width) {
    return Status::InvalidArgument(
        "tensor " + Quote(name) + " holds " + std::to_string(t->bytes.size()) + " bytes; shape " +
        ShapeString(shape) + " of " + t->dtype + " needs " + std::to_string(n * width));
  }
  std::vector<float> out(n);
  const auto* b = reinterpret_cast<const unsigned char*>(t->bytes.data());
  for (size_t i = 0; i < n; ++i) {
    if (width == 4) {
      const uint32_t u = b[4 * i] | (b[4 * i + 1] << 8) | (b[4 * i + 2] << 16) |
                         (static_cast<uint32_t>(b[4 * i + 3]) << 24);
      out[i] = std::bit_cast<float>(u);
    } else {
      const uint16_t h = static_cast<uint16_t>(b[2 * i] | (b[2 * i + 1] << 8));
      out[i] = t->dtype == "F16" ? HalfToFloat(h) : BFloat16ToFloat(h);
    }
    if (!std::isfinite(out[i])) {
      return Status::InvalidArgument("tensor " + Quote(name) + " holds a non-finite value (" +
                                     std::to_string(out[i]) + ") at element " + std::to_string(i));
    }
  }
  return out;
}

// Stores `w` ([out × in] floats) in the precision's form.
void StoreMatrix(std::vector<float> w, Precision precision, LinearWeights* linear) {
  const int in = linear->in;
  if (precision != Precision::kInt8) {
    linear->packed = PackMatrix(w.data(), linear->out, in, precision == Precision::kBF16);
  } else {
    linear->i8.resize(w.size());
    linear->i8_scale.resize(linear->out);
    linear->i8_sum.resize(linear->out);
    for (int r = 0; r < linear->out; ++r) {
      const float* row = w.data() + static_cast<size_t>(r) * in;
      float max = 0;
      for (int c = 0; c < in; ++c) max = std::max(max, std::fabs(row[c]));
      const float scale = max > 0 ? max / 127.0f : 1.0f;
      int32_t sum = 0;
      for (int c = 0; c < in; ++c) {
        const int q = static_cast<int>(std::clamp(std::nearbyint(row[c] / scale), -127.0f, 127.0f));
        linear->i8[static_cast<size_t>(r) * in + c] = static_cast<int8_t>(q);
        sum += q;
      }
      linear->i8_scale[r] = scale;
      linear->i8_sum[r] = sum;
    }
  }
}

// Reads "<prefix>.weight" ([out × in]) and "<prefix>.bias" ([out]), stacking several
// prefixes (query, key, value) into one matrix.
Result<LinearWeights> ReadLinear(const TensorMap& tensors, const std::vector<std::string>& prefixes,
                                 int out, int in, Precision precision) {
  LinearWeights linear;
  linear.out = out * static_cast<int>(prefixes.size());
  linear.in = in;
  std::vector<float> w;
  for (const std::string& p : prefixes) {
    QUIVER_ASSIGN_OR_RETURN(std::vector<float> part, ReadFloats(tensors, p + ".weight", {out, in}));
    QUIVER_ASSIGN_OR_RETURN(std::vector<float> bias, ReadFloats(tensors, p + ".bias", {out}));
    w.insert(w.end(), part.begin(), part.end());
    linear.bias.insert(linear.bias.end(), bias.begin(), bias.end());
  }
  StoreMatrix(std::move(w), precision, &linear);
  return linear;
}

Result<EncoderLayerWeights> ReadLayer(const EncoderConfig& c, const TensorMap& tensors, int i,
                                      Precision precision) {
  const std::string p = "encoder.layer." + std::to_string(i) + ".";
  const int h = c.hidden;
  EncoderLayerWeights l;
  QUIVER_ASSIGN_OR_RETURN(l.qkv, ReadLinear(tensors,
                                            {p + "attention.self.query", p + "attention.self.key",
                                             p + "attention.self.value"},
                                            h, h, precision));
  QUIVER_ASSIGN_OR_RETURN(l.attention_output,
                          ReadLinear(tensors, {p + "attention.output.dense"}, h, h, precision));
  QUIVER_ASSIGN_OR_RETURN(l.attention_norm_gamma,
                          ReadFloats(tensors, p + "attention.output.LayerNorm.weight", {h}));
  QUIVER_ASSIGN_OR_RETURN(l.attention_norm_beta,
                          ReadFloats(tensors, p + "attention.output.LayerNorm.bias", {h}));
  QUIVER_ASSIGN_OR_RETURN(l.intermediate, ReadLinear(tensors, {p + "intermediate.dense"},
                                                     c.intermediate, h, precision));
  QUIVER_ASSIGN_OR_RETURN(l.output,
                          ReadLinear(tensors, {p + "output.dense"}, h, c.intermediate, precision));
  QUIVER_ASSIGN_OR_RETURN(l.output_norm_gamma,
                          ReadFloats(tensors, p + "output.LayerNorm.weight", {h}));
  QUIVER_ASSIGN_OR_RETURN(l.output_norm_beta,
                          ReadFloats(tensors, p + "output.LayerNorm.bias", {h}));
  return l;
}

}  // namespace

Result<EncoderWeights> LoadEncoderWeights(const EncoderConfig& c, const TensorMap& tensors,
                                          Precision precision) {
  EncoderWeights w;
  const int h = c.hidden;
  QUIVER_ASSIGN_OR_RETURN(
      w.word, ReadFloats(tensors, "embeddings.word_embeddings.weight", {c.vocab_size, h}));
  QUIVER_ASSIGN_OR_RETURN(w.position, ReadFloats(tensors, "embeddings.position_embeddings.weight",
                                                 {c.max_positions, h}));
  if (c.type_vocab_size > 0) {
    QUIVER_ASSIGN_OR_RETURN(
        w.token_type,
        ReadFloats(tensors, "embeddings.token_type_embeddings.weight", {c.type_vocab_size, h}));
    w.token_type.resize(h);  // every token has type 0
  } else {
    w.token_type.assign(h, 0.0f);
  }
  QUIVER_ASSIGN_OR_RETURN(w.norm_gamma, ReadFloats(tensors, "embeddings.LayerNorm.weight", {h}));
  QUIVER_ASSIGN_OR_RETURN(w.norm_beta, ReadFloats(tensors, "embeddings.LayerNorm.bias", {h}));
  for (int i = 0; i < c.layers; ++i) {
    QUIVER_ASSIGN_OR_RETURN(EncoderLayerWeights layer, ReadLayer(c, tensors, i, precision));
    w.layers.push_back(std::move(layer));
  }
  return w;
}

void ApplyLinear(const LinearWeights& w, Precision precision, const EncoderKernels& kernels,
                 const float* x, int64_t rows, bool gelu, float* y, LinearScratch* s) {
  const int n = w.out, k = w.in;
  constexpr int64_t kGrain = 32;
  if (precision == Precision::kInt8) {
    s->quantized.resize(static_cast<size_t>(rows) * k);
    s->row_scale.resize(rows);
    s->row_zero.resize(rows);
    s->accumulators.resize(static_cast<size_t>(rows) * n);
    ParallelRows(rows, kGrain, [&](int64_t b, int64_t e) {
      kernels.quantize_rows_u8(x + b * k, e - b, k, s->quantized.data() + b * k,
                               s->row_scale.data() + b, s->row_zero.data() + b);
    });
    const int32_t no_offset = 0;
    dnnl_gemm_u8s8s32('N', 'T', 'F', rows, n, k, 1.0f, s->quantized.data(), k, 0, w.i8.data(), k, 0,
                      0.0f, s->accumulators.data(), n, &no_offset);
    ParallelRows(rows, kGrain, [&](int64_t b, int64_t e) {
      kernels.dequantize_rows(s->accumulators.data() + b * n, e - b, n, s->row_scale.data() + b,
                              s->row_zero.data() + b, w.i8_scale.data(), w.i8_sum.data(),
                              w.bias.data(), y + b * n);
      if (gelu) kernels.bias_gelu(y + b * n, e - b, n, nullptr);
    });
    return;
  }
  PackedGemm(kernels, w.packed, x, rows, w.bias.data(), gelu, y);
}

}  // namespace quiver::embed
