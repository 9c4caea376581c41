// The packed matrix product (embed/gemm.h) against a float64 reference: shapes around every
// block edge (M, N, K not multiples of the tile, block and panel sizes; M = 1, K = 1), float
// and bfloat16 panels, GELU, 1 and 2 threads, the generic and the AVX2 tiles; and bitwise
// independence of a row's result from the batch and the team.
#include "embed/gemm.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "embed/encoder_kernels.h"

namespace quiver::embed {
namespace {

struct Shape {
  int64_t m;
  int n, k;
};

// Edges of every block: the 6-row tile, the 96-row M block, the 16-column panel, the 256-deep
// K block (and its balanced split), plus the MiniLM shapes.
const Shape kShapes[] = {
    {1, 1, 1},      {1, 16, 1},      {1, 17, 7},     {5, 15, 3},    {6, 16, 256}, {7, 33, 257},
    {13, 40, 100},  {16, 384, 384},  {1, 1152, 384}, {95, 31, 513}, {96, 48, 64}, {97, 50, 1},
    {200, 24, 300}, {193, 130, 520}, {3, 1536, 17},  {2, 5, 1536},
};

float RoundBf16(float f) {
  const uint32_t u = std::bit_cast<uint32_t>(f);
  return std::bit_cast<float>(((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16) << 16);
}

double Gelu(double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }

std::vector<float> RandomVector(size_t n, std::mt19937* rng) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = d(*rng);
  return v;
}

// The kernel tables to test: generic always, AVX2 where the build and the CPU have it.
std::vector<const EncoderKernels*> Tables() {
  std::vector<const EncoderKernels*> out = {&GenericEncoderKernels()};
#if defined(__x86_64__) || defined(__i386__)
  const EncoderKernels* avx2 = Avx2EncoderKernels();
  if (avx2 != nullptr && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    out.push_back(avx2);
  }
#endif
  return out;
}

struct Problem {
  Shape s;
  std::vector<float> w, x, bias;
  std::vector<double> Reference(bool bf16, bool gelu) const {
    std::vector<double> y(static_cast<size_t>(s.m) * s.n);
    for (int64_t r = 0; r < s.m; ++r) {
      for (int c = 0; c < s.n; ++c) {
        double acc = bias[c];
        for (int i = 0; i < s.k; ++i) {
          const float wv = w[static_cast<size_t>(c) * s.k + i];
          acc += static_cast<double>(x[r * s.k + i]) * (bf16 ? RoundBf16(wv) : wv);
        }
        y[r * s.n + c] = gelu ? Gelu(acc) : acc;
      }
    }
    return y;
  }
};

Problem MakeProblem(Shape s, uint32_t seed) {
  std::mt19937 rng(seed);
  Problem p{s, RandomVector(static_cast<size_t>(s.n) * s.k, &rng),
            RandomVector(static_cast<size_t>(s.m) * s.k, &rng), RandomVector(s.n, &rng)};
  return p;
}

std::vector<float> Multiply(const EncoderKernels& kernels, const PackedMatrix& packed,
                            const Problem& p, bool gelu, int threads) {
  std::vector<float> y(static_cast<size_t>(p.s.m) * p.s.n, NAN);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(threads);
  PackedGemm(kernels, packed, p.x.data(), p.s.m, p.bias.data(), gelu, y.data());
  omp_set_num_threads(saved);
  return y;
}

TEST(PackedGemmTest, MatchesFloat64Reference) {
  uint32_t seed = 1;
  for (const Shape& s : kShapes) {
    const Problem p = MakeProblem(s, seed++);
    for (bool bf16 : {false, true}) {
      const PackedMatrix packed = PackMatrix(p.w.data(), s.n, s.k, bf16);
      ASSERT_EQ(packed.panels(), (s.n + kGemmPanel - 1) / kGemmPanel);
      for (bool gelu : {false, true}) {
        const std::vector<double> want = p.Reference(bf16, gelu);
        // |x|, |w| ≤ 1: the rounding error of a K-term float sum grows at most like K·2⁻²⁴.
        const double tolerance = 1e-6 * (s.k + 4);
        for (const EncoderKernels* kernels : Tables()) {
          for (int threads : {1, 2}) {
            const std::vector<float> got = Multiply(*kernels, packed, p, gelu, threads);
            double worst = 0;
            for (size_t i = 0; i < got.size(); ++i) {
              worst = std::max(worst, std::fabs(got[i] - want[i]));
              if (std::isnan(got[i])) worst = INFINITY;
            }
            EXPECT_LE(worst, tolerance)
                << "m=" << s.m << " n=" << s.n << " k=" << s.k << " bf16=" << bf16
                << " gelu=" << gelu << " kernel=" << kernels->name << " threads=" << threads;
          }
        }
      }
    }
  }
}

// A row's result is bitwise the same alone, at any place in a batch and with any team size.
TEST(PackedGemmTest, RowsIndependentOfBatchAndThreads) {
  const Shape s{300, 200, 700};
  const Problem p = MakeProblem(s, 99);
  for (bool bf16 : {false, true}) {
    const PackedMatrix packed = PackMatrix(p.w.data(), s.n, s.k, bf16);
    for (const EncoderKernels* kernels : Tables()) {
      const std::vector<float> all = Multiply(*kernels, packed, p, true, 1);
      EXPECT_EQ(Multiply(*kernels, packed, p, true, 2), all) << kernels->name;
      for (int64_t row : {int64_t{0}, int64_t{7}, int64_t{97}, int64_t{299}}) {
        Problem one{{1, s.n, s.k}, p.w, {}, p.bias};
        one.x.assign(p.x.begin() + row * s.k, p.x.begin() + (row + 1) * s.k);
        for (int threads : {1, 2}) {
          const std::vector<float> got = Multiply(*kernels, packed, one, true, threads);
          EXPECT_TRUE(std::equal(got.begin(), got.end(), all.begin() + row * s.n))
              << kernels->name << " row " << row << " threads " << threads;
        }
      }
    }
  }
}

// Weights given as bfloat16 pack like floats rounded to bfloat16.
TEST(PackedGemmTest, Bf16InputPacksLikeRoundedFloats) {
  std::mt19937 rng(5);
  const int n = 37, k = 19;
  const std::vector<float> w = RandomVector(static_cast<size_t>(n) * k, &rng);
  std::vector<uint16_t> h(w.size());
  for (size_t i = 0; i < w.size(); ++i) h[i] = std::bit_cast<uint32_t>(RoundBf16(w[i])) >> 16;
  EXPECT_EQ(PackMatrixBf16(h.data(), n, k).bf16, PackMatrix(w.data(), n, k, true).bf16);
}

}  // namespace
}  // namespace quiver::embed
