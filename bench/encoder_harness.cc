// Throughput and latency of the transformer encoder (embed/encoder.h) on a model shaped like
// all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads, intermediate 1536, vocab 30522) with
// random weights built in memory, for each precision and 1 and 2 threads:
//   * sentences/s and GFLOP/s encoding 32 sequences of 128 tokens (mean pooling, normalized);
//   * latency of one 16-token query (median and 90th percentile over repeated calls);
//   * the cosine of the bf16 / int8 pooled vectors to the fp32 ones (min and mean over 32).
// One line per measurement, key=value. Usage: encoder_harness [--seconds=S] (time per
// throughput measurement, default 3) [--accuracy-only] (cosines only) [--model=DIR] (the
// config.json and *.safetensors of a model directory instead of the random weights, e.g. the
// one scripts/bench_encoder.sh also gives ONNX Runtime).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "embed/encoder.h"
#include "embed/safetensors.h"

namespace {

using quiver::embed::EncodeOptions;
using quiver::embed::Encoder;
using quiver::embed::EncoderConfig;
using quiver::embed::Precision;
using quiver::embed::RawTensor;
using quiver::embed::TensorMap;

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

RawTensor Random(std::vector<int64_t> shape, float stddev, float mean, std::mt19937* rng) {
  size_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<float> v(n);
  std::normal_distribution<float> dist(0.0f, stddev);
  for (float& x : v) x = mean + (stddev > 0 ? dist(*rng) : 0.0f);
  RawTensor t{"F32", std::move(shape), std::string(n * 4, '\0')};
  std::memcpy(t.bytes.data(), v.data(), n * 4);
  return t;
}

TensorMap MiniLmWeights(const EncoderConfig& c) {
  std::mt19937 rng(12);
  TensorMap m;
  const int64_t h = c.hidden, i = c.intermediate;
  m["embeddings.word_embeddings.weight"] = Random({c.vocab_size, h}, 0.05f, 0, &rng);
  m["embeddings.position_embeddings.weight"] = Random({c.max_positions, h}, 0.05f, 0, &rng);
  m["embeddings.token_type_embeddings.weight"] = Random({c.type_vocab_size, h}, 0.05f, 0, &rng);
  m["embeddings.LayerNorm.weight"] = Random({h}, 0.05f, 1, &rng);
  m["embeddings.LayerNorm.bias"] = Random({h}, 0.02f, 0, &rng);
  for (int l = 0; l < c.layers; ++l) {
    const std::string p = "encoder.layer." + std::to_string(l) + ".";
    auto linear = [&](const std::string& name, int64_t out, int64_t in) {
      m[p + name + ".weight"] =
          Random({out, in}, 1.0f / std::sqrt(static_cast<float>(in)), 0, &rng);
      m[p + name + ".bias"] = Random({out}, 0.02f, 0, &rng);
    };
    linear("attention.self.query", h, h);
    linear("attention.self.key", h, h);
    linear("attention.self.value", h, h);
    linear("attention.output.dense", h, h);
    linear("intermediate.dense", i, h);
    linear("output.dense", h, i);
    for (const char* norm : {"attention.output.LayerNorm", "output.LayerNorm"}) {
      m[p + norm + ".weight"] = Random({h}, 0.05f, 1, &rng);
      m[p + norm + ".bias"] = Random({h}, 0.02f, 0, &rng);
    }
  }
  return m;
}

std::vector<std::vector<int32_t>> Sequences(int count, int length, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> id(1000, 30521);
  std::vector<std::vector<int32_t>> out(count);
  for (auto& s : out) {
    s.push_back(101);
    while (static_cast<int>(s.size()) < length - 1) s.push_back(id(rng));
    s.push_back(102);
  }
  return out;
}

// --model=DIR: the network of DIR/config.json with the weights of DIR's *.safetensors.
bool LoadModel(const std::string& dir, EncoderConfig* config, TensorMap* weights) {
  std::ifstream in(dir + "/config.json");
  std::stringstream text;
  text << in.rdbuf();
  if (!in.is_open()) {
    std::fprintf(stderr, "cannot read %s/config.json\n", dir.c_str());
    return false;
  }
  auto parsed = quiver::embed::ParseEncoderConfig(text.str());
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s/config.json: %s\n", dir.c_str(), parsed.status().ToString().c_str());
    return false;
  }
  auto tensors = quiver::embed::ReadSafetensorsTensors(dir);
  if (!tensors.ok()) {
    std::fprintf(stderr, "%s: %s\n", dir.c_str(), tensors.status().ToString().c_str());
    return false;
  }
  *config = *parsed;
  *weights = *std::move(tensors);
  return true;
}

double Flops(const EncoderConfig& c, int length) {
  const double l = length, h = c.hidden, i = c.intermediate;
  return c.layers * (2 * l * h * (4 * h + 2 * i) + 4 * l * l * h);
}

void Throughput(const Encoder& e, const char* name, int threads, double seconds,
                const std::vector<std::vector<int32_t>>& batch) {
  EncodeOptions o{quiver::embed::PoolingMode::kMean, true, threads};
  if (!e.Encode(batch, o).ok()) std::abort();  // warm-up
  int reps = 0;
  const double start = Now();
  while (Now() - start < seconds || reps < 2) {
    if (!e.Encode(batch, o).ok()) std::abort();
    ++reps;
  }
  const double t = (Now() - start) / reps;
  std::printf(
      "precision=%s threads=%d batch=%zu length=%zu sentences_per_s=%.2f gflops=%.1f "
      "ms_per_batch=%.1f kernel=%s\n",
      name, threads, batch.size(), batch[0].size(), batch.size() / t,
      batch.size() * Flops(e.config(), batch[0].size()) / t / 1e9, t * 1e3,
      std::string(e.kernel()).c_str());
}

void Latency(const Encoder& e, const char* name, int threads) {
  EncodeOptions o{quiver::embed::PoolingMode::kMean, true, threads};
  const auto query = Sequences(1, 16, 7);
  for (int i = 0; i < 5; ++i) {
    if (!e.Encode(query, o).ok()) std::abort();
  }
  std::vector<double> ms;
  for (int i = 0; i < 60; ++i) {
    const double start = Now();
    if (!e.Encode(query, o).ok()) std::abort();
    ms.push_back((Now() - start) * 1e3);
  }
  std::sort(ms.begin(), ms.end());
  std::printf(
      "precision=%s threads=%d batch=1 length=16 latency_ms_median=%.2f "
      "latency_ms_p90=%.2f gflops=%.1f\n",
      name, threads, ms[ms.size() / 2], ms[ms.size() * 9 / 10],
      Flops(e.config(), 16) / ms[ms.size() / 2] / 1e6);
}

double Cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  bool timing = true;
  std::string model_dir;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--seconds=", 10) == 0) seconds = std::atof(argv[i] + 10);
    if (std::strcmp(argv[i], "--accuracy-only") == 0) timing = false;
    if (std::strncmp(argv[i], "--model=", 8) == 0) model_dir = argv[i] + 8;
  }
  EncoderConfig c;
  c.layers = 6;
  c.hidden = 384;
  c.heads = 12;
  c.intermediate = 1536;
  c.vocab_size = 30522;
  c.max_positions = 512;
  c.type_vocab_size = 2;
  TensorMap weights;
  if (model_dir.empty()) {
    weights = MiniLmWeights(c);
  } else if (!LoadModel(model_dir, &c, &weights)) {
    return 1;
  }
  const auto batch = Sequences(32, 128, 3);
  std::vector<std::vector<float>> reference;
  for (Precision p : {Precision::kF32, Precision::kBF16, Precision::kInt8}) {
    auto encoder = Encoder::Create(c, weights, p);
    if (!encoder.ok()) {
      std::fprintf(stderr, "%s\n", encoder.status().ToString().c_str());
      return 1;
    }
    const std::string name(quiver::embed::PrecisionName(p));
    for (int threads : {1, 2}) {
      if (!timing) break;
      Throughput(**encoder, name.c_str(), threads, seconds, batch);
      Latency(**encoder, name.c_str(), threads);
    }
    auto vectors = (*encoder)->Encode(batch, {quiver::embed::PoolingMode::kMean, true, 0});
    if (!vectors.ok()) return 1;
    if (p == Precision::kF32) {
      reference = *vectors;
      continue;
    }
    double min = 1, sum = 0;
    for (size_t i = 0; i < reference.size(); ++i) {
      const double cos = Cosine(reference[i], (*vectors)[i]);
      min = std::min(min, cos);
      sum += cos;
    }
    std::printf("precision=%s cosine_to_fp32_min=%.6f cosine_to_fp32_mean=%.6f\n", name.c_str(),
                min, sum / reference.size());
  }
  return 0;
}
