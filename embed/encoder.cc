// The transformer encoder: embeddings, post-LN transformer blocks and pooling over batches of
// sequences packed back to back without padding (each sequence attends to itself only), so no
// work is spent on padding and a sequence's result does not depend on its batch.
//
// Threading: the matrix products run on the BLAS's OpenMP team over all tokens of a batch; the
// attention runs one (sequence, head) pair per task on the same team; the element-wise
// kernels split rows among it. EncodeOptions::threads sizes the team for the call.
#include "embed/encoder.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include "embed/encoder_kernels.h"
#include "embed/encoder_weights.h"

namespace quiver::embed {
namespace {

// Tokens per packed batch: enough rows for efficient matrix products, few enough that the
// activations (intermediate_size floats per token) stay modest.
constexpr int64_t kBatchTokens = 4096;
// Batches of fewer tokens run on one thread: at 16 tokens (a query) the matrix products are
// too small to split profitably (measured: 2 threads no faster than 1 on MiniLM-L6 shapes), and
// a team on a busy machine waits for descheduled members at every barrier.
constexpr int64_t kParallelTokens = 64;

// Sets the calling thread's OpenMP team size for the scope of a call.
class ThreadScope {
 public:
  explicit ThreadScope(int threads) : saved_(omp_get_max_threads()) {
    omp_set_num_threads(threads > 0 ? threads : omp_get_num_procs());
  }
  ~ThreadScope() { omp_set_num_threads(saved_); }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int saved_;
};

// Activations of one packed batch, reused from batch to batch.
struct Activations {
  std::vector<float> hidden, qkv, context, attended, intermediate;
  LinearScratch linear;
};

class TransformerEncoder final : public Encoder {
 public:
  TransformerEncoder(const EncoderConfig& config, EncoderWeights weights, Precision precision,
                     const EncoderKernels& kernels)
      : config_(config), weights_(std::move(weights)), precision_(precision), kernels_(kernels) {}

  Result<std::vector<std::vector<float>>> Encode(std::span<const std::vector<int32_t>> sequences,
                                                 const EncodeOptions& options) const override;
  Result<std::vector<float>> TokenStates(std::span<const int32_t> ids) const override;
  const EncoderConfig& config() const override { return config_; }
  Precision precision() const override { return precision_; }
  std::string_view kernel() const override { return kernels_.name; }

 private:
  Status Check(std::span<const int32_t> ids, size_t index) const;
  // Runs the network over the sequences `order[begin, end)` packed back to back; leaves the
  // last hidden states in a->hidden ([tokens × hidden]) and the sequence starts in `offsets`.
  void Forward(std::span<const std::vector<int32_t>> sequences, std::span<const size_t> order,
               std::vector<int64_t>* offsets, Activations* a) const;
  void Embed(std::span<const std::vector<int32_t>> sequences, std::span<const size_t> order,
             const std::vector<int64_t>& offsets, float* out) const;
  void Attention(const std::vector<int64_t>& offsets, const float* qkv, float* context) const;
  void Block(const EncoderLayerWeights& layer, int64_t tokens, const std::vector<int64_t>& offsets,
             Activations* a) const;
  void Pool(const float* states, int64_t length, const EncodeOptions& options,
            std::vector<float>* out) const;

  const EncoderConfig config_;
  const EncoderWeights weights_;
  const Precision precision_;
  const EncoderKernels& kernels_;
};

Status TransformerEncoder::Check(std::span<const int32_t> ids, size_t index) const {
  const std::string where = "sequence " + std::to_string(index) + ": ";
  if (ids.empty()) return Status::InvalidArgument(where + "empty (at least 1 token expected)");
  const int max = config_.MaxSequenceLength();
  if (ids.size() > static_cast<size_t>(max)) {
    return Status::InvalidArgument(where + std::to_string(ids.size()) + " tokens, more than the " +
                                   std::to_string(max) + " the model's positions allow");
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || ids[i] >= config_.vocab_size) {
      return Status::InvalidArgument(where + "token " + std::to_string(i) + " has id " +
                                     std::to_string(ids[i]) + ", outside the vocabulary [0, " +
                                     std::to_string(config_.vocab_size) + ")");
    }
  }
  return Status::OK();
}

void TransformerEncoder::Embed(std::span<const std::vector<int32_t>> sequences,
                               std::span<const size_t> order, const std::vector<int64_t>& offsets,
                               float* out) const {
  const int h = config_.hidden;
  const bool xlmr = config_.architecture == EncoderArchitecture::kXlmRoberta;
  const int pad = config_.pad_token_id;
#pragma omp parallel for schedule(dynamic)
  for (size_t s = 0; s < order.size(); ++s) {
    const std::vector<int32_t>& ids = sequences[order[s]];
    int position = xlmr ? pad : 0;  // XLM-R: pad + running count of non-pad tokens
    for (size_t i = 0; i < ids.size(); ++i) {
      int p = static_cast<int>(i);
      if (xlmr) p = ids[i] == pad ? pad : ++position;
      float* row = out + (offsets[s] + static_cast<int64_t>(i)) * h;
      const float* word = weights_.word.data() + static_cast<int64_t>(ids[i]) * h;
      const float* pos = weights_.position.data() + static_cast<int64_t>(p) * h;
      for (int c = 0; c < h; ++c) row[c] = word[c] + weights_.token_type[c] + pos[c];
    }
    kernels_.residual_layer_norm(out + offsets[s] * h, nullptr, static_cast<int64_t>(ids.size()), h,
                                 weights_.norm_gamma.data(), weights_.norm_beta.data(),
                                 config_.layer_norm_eps);
  }
}

void TransformerEncoder::Attention(const std::vector<int64_t>& offsets, const float* qkv,
                                   float* context) const {
  const int h = config_.hidden, heads = config_.heads, d = h / heads;
  const int64_t sequences = static_cast<int64_t>(offsets.size()) - 1;
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
#pragma omp parallel
  {
    std::vector<float> scores;
#pragma omp for schedule(dynamic)
    for (int64_t task = 0; task < sequences * heads; ++task) {
      const int64_t s = task / heads;
      const int head = static_cast<int>(task % heads);
      const int n = static_cast<int>(offsets[s + 1] - offsets[s]);
      scores.resize(static_cast<size_t>(n) * n);
      const float* q = qkv + offsets[s] * 3 * h + head * d;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, d, 1.0f, q, 3 * h, q + h, 3 * h,
                  0.0f, scores.data(), n);
      kernels_.scaled_softmax(scores.data(), n, n, n, scale);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, d, n, 1.0f, scores.data(), n,
                  q + 2 * h, 3 * h, 0.0f, context + offsets[s] * h + head * d, h);
    }
  }
}

void TransformerEncoder::Block(const EncoderLayerWeights& layer, int64_t tokens,
                               const std::vector<int64_t>& offsets, Activations* a) const {
  const int h = config_.hidden;
  const float eps = config_.layer_norm_eps;
  ApplyLinear(layer.qkv, precision_, kernels_, a->hidden.data(), tokens, false, a->qkv.data(),
              &a->linear);
  Attention(offsets, a->qkv.data(), a->context.data());
  ApplyLinear(layer.attention_output, precision_, kernels_, a->context.data(), tokens, false,
              a->attended.data(), &a->linear);
  ParallelRows(tokens, 32, [&](int64_t b, int64_t e) {
    kernels_.residual_layer_norm(a->attended.data() + b * h, a->hidden.data() + b * h, e - b, h,
                                 layer.attention_norm_gamma.data(),
                                 layer.attention_norm_beta.data(), eps);
  });
  ApplyLinear(layer.intermediate, precision_, kernels_, a->attended.data(), tokens, true,
              a->intermediate.data(), &a->linear);
  ApplyLinear(layer.output, precision_, kernels_, a->intermediate.data(), tokens, false,
              a->hidden.data(), &a->linear);
  ParallelRows(tokens, 32, [&](int64_t b, int64_t e) {
    kernels_.residual_layer_norm(a->hidden.data() + b * h, a->attended.data() + b * h, e - b, h,
                                 layer.output_norm_gamma.data(), layer.output_norm_beta.data(),
                                 eps);
  });
}

void TransformerEncoder::Forward(std::span<const std::vector<int32_t>> sequences,
                                 std::span<const size_t> order, std::vector<int64_t>* offsets,
                                 Activations* a) const {
  offsets->assign(1, 0);
  for (size_t i : order) offsets->push_back(offsets->back() + sequences[i].size());
  const int64_t tokens = offsets->back();
  const size_t h = config_.hidden;
  a->hidden.resize(tokens * h);
  a->qkv.resize(tokens * 3 * h);
  a->context.resize(tokens * h);
  a->attended.resize(tokens * h);
  a->intermediate.resize(tokens * static_cast<size_t>(config_.intermediate));
  Embed(sequences, order, *offsets, a->hidden.data());
  for (const EncoderLayerWeights& layer : weights_.layers) Block(layer, tokens, *offsets, a);
}

void TransformerEncoder::Pool(const float* states, int64_t length, const EncodeOptions& options,
                              std::vector<float>* out) const {
  const int h = config_.hidden;
  out->assign(states, states + h);  // CLS: the first token
  if (options.pooling == PoolingMode::kLastToken) {
    out->assign(states + (length - 1) * h, states + length * h);
  } else if (options.pooling == PoolingMode::kMean || options.pooling == PoolingMode::kMax) {
    const bool mean = options.pooling == PoolingMode::kMean;
    for (int64_t t = 1; t < length; ++t) {
      const float* row = states + t * h;
      for (int c = 0; c < h; ++c)
        (*out)[c] = mean ? (*out)[c] + row[c] : std::max((*out)[c], row[c]);
    }
    if (mean) {
      for (float& v : *out) v /= static_cast<float>(length);
    }
  }
  if (options.normalize) {
    double sq = 0;
    for (float v : *out) sq += static_cast<double>(v) * v;
    const float norm = std::max(static_cast<float>(std::sqrt(sq)), 1e-12f);
    for (float& v : *out) v /= norm;
  }
}

Result<std::vector<std::vector<float>>> TransformerEncoder::Encode(
    std::span<const std::vector<int32_t>> sequences, const EncodeOptions& options) const {
  for (size_t i = 0; i < sequences.size(); ++i) QUIVER_RETURN_IF_ERROR(Check(sequences[i], i));
  std::vector<size_t> order(sequences.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sequences[a].size() < sequences[b].size(); });
  std::vector<std::vector<float>> out(sequences.size());
  Activations a;
  std::vector<int64_t> offsets;
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin;
    int64_t tokens = 0;
    while (end < order.size() &&
           (end == begin ||
            tokens + static_cast<int64_t>(sequences[order[end]].size()) <= kBatchTokens)) {
      tokens += static_cast<int64_t>(sequences[order[end++]].size());
    }
    const std::span<const size_t> batch(order.data() + begin, end - begin);
    ThreadScope threads(tokens < kParallelTokens ? 1 : options.threads);
    Forward(sequences, batch, &offsets, &a);
    for (size_t s = 0; s < batch.size(); ++s) {
      Pool(a.hidden.data() + offsets[s] * config_.hidden, offsets[s + 1] - offsets[s], options,
           &out[batch[s]]);
    }
    begin = end;
  }
  return out;
}

Result<std::vector<float>> TransformerEncoder::TokenStates(std::span<const int32_t> ids) const {
  QUIVER_RETURN_IF_ERROR(Check(ids, 0));
  const std::vector<int32_t> sequence(ids.begin(), ids.end());
  const size_t zero = 0;
  Activations a;
  std::vector<int64_t> offsets;
  ThreadScope threads(static_cast<int64_t>(ids.size()) < kParallelTokens ? 1 : 0);
  Forward(std::span<const std::vector<int32_t>>(&sequence, 1), std::span<const size_t>(&zero, 1),
          &offsets, &a);
  return std::move(a.hidden);
}

}  // namespace

Result<std::unique_ptr<Encoder>> Encoder::Create(const EncoderConfig& config,
                                                 const TensorMap& tensors, Precision precision) {
  if (config.layers < 1 || config.hidden < 1 || config.heads < 1 ||
      config.hidden % config.heads != 0 || config.intermediate < 1 || config.vocab_size < 1 ||
      config.max_positions < 1 || config.type_vocab_size < 0 || config.pad_token_id < 0 ||
      config.MaxSequenceLength() < 1 || !(config.layer_norm_eps > 0)) {
    return Status::InvalidArgument("encoder config: layers " + std::to_string(config.layers) +
                                   ", hidden " + std::to_string(config.hidden) + ", heads " +
                                   std::to_string(config.heads) + ", intermediate " +
                                   std::to_string(config.intermediate) +
                                   " and the table sizes must be positive, heads dividing hidden");
  }
  if (config.architecture == EncoderArchitecture::kXlmRoberta &&
      config.pad_token_id >= config.vocab_size) {
    return Status::InvalidArgument("encoder config: pad_token_id " +
                                   std::to_string(config.pad_token_id) + " outside the vocabulary");
  }
  QUIVER_ASSIGN_OR_RETURN(EncoderWeights weights, LoadEncoderWeights(config, tensors, precision));
  return std::unique_ptr<Encoder>(
      new TransformerEncoder(config, std::move(weights), precision, SelectEncoderKernels()));
}

}  // namespace quiver::embed
