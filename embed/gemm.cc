#include "embed/gemm.h"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "embed/encoder_kernels.h"

namespace quiver::embed {
namespace {

// Work items per thread when the team has several (a few, so that a descheduled member on a
// busy machine delays the others less), and the most panels in one item (its K block of
// weights, 128 KiB as float, shares L2 with the M block's activations).
constexpr int64_t kItemsPerThread = 4;
constexpr int64_t kItemPanels = 8;

uint16_t ToBFloat16(float f) {  // round to nearest even; f is finite
  const uint32_t u = std::bit_cast<uint32_t>(f);
  return static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

float Widen(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

// Where column j (< 16) of a k sits among a bf16 panel's 16 values (see PackedMatrix).
inline int Bf16Slot(int j) { return j < 8 ? 2 * j : 2 * (j - 8) + 1; }

template <typename T, typename Get>
void Pack(int n, int k, const Get& get, bool interleave, std::vector<T>* out) {
  const int panels = (n + kGemmPanel - 1) / kGemmPanel;
  out->assign(static_cast<size_t>(panels) * k * kGemmPanel, T{});
  for (int col = 0; col < n; ++col) {
    const int j = col % kGemmPanel;
    T* dst = out->data() + static_cast<size_t>(col / kGemmPanel) * k * kGemmPanel +
             (interleave ? Bf16Slot(j) : j);
    for (int kk = 0; kk < k; ++kk) dst[static_cast<size_t>(kk) * kGemmPanel] = get(col, kk);
  }
}

template <typename T, typename Load>
void GenericTile(const float* a, int64_t lda, int rows, const T* panel, int kc, float* c,
                 int64_t ldc, int cols, const float* bias, bool accumulate, const Load& load) {
  for (int i = 0; i < rows; ++i) {
    float acc[kGemmPanel];
    for (int j = 0; j < kGemmPanel; ++j) acc[j] = accumulate && j < cols ? c[i * ldc + j] : 0.0f;
    for (int kk = 0; kk < kc; ++kk) {
      const float av = a[i * lda + kk];
      const T* b = panel + static_cast<int64_t>(kk) * kGemmPanel;
      for (int j = 0; j < kGemmPanel; ++j) acc[j] += av * load(b, j);
    }
    for (int j = 0; j < cols; ++j) c[i * ldc + j] = bias != nullptr ? acc[j] + bias[j] : acc[j];
  }
}

// How PackedGemm splits a product: K blocks of `depth`, work items of one M block (rows
// [r0, r1)) × `per` panels, the panel runs innermost.
struct Plan {
  int64_t rows;
  int n, k, panels, depth;
  int64_t per, n_chunks, items;
};

Plan MakePlan(const PackedMatrix& w, int64_t rows, int threads) {
  Plan p{rows, w.n, w.k, w.panels(), 0, kItemPanels, 0, 0};
  const int k_blocks = (p.k + kGemmDepth - 1) / kGemmDepth;
  p.depth = (p.k + k_blocks - 1) / k_blocks;
  const int64_t m_blocks = (rows + kGemmBlockRows - 1) / kGemmBlockRows;
  const int64_t wanted = kItemsPerThread * threads;
  if (threads > 1 && m_blocks * p.panels < wanted * kItemPanels) {
    p.per = (m_blocks * p.panels + wanted - 1) / wanted;  // small products: share the panels
  } else if (threads == 1 && m_blocks == 1) {
    p.per = p.panels;
  }
  p.per = std::clamp<int64_t>(p.per, 1, p.panels);
  p.n_chunks = (p.panels + p.per - 1) / p.per;
  p.items = m_blocks * p.n_chunks;
  return p;
}

// One work item; the thread's `stage` holds its partial sums when K takes several blocks.
void RunItem(const EncoderKernels& kernels, const PackedMatrix& w, const Plan& p, const float* x,
             const float* bias, bool gelu, float* y, int64_t item) {
  thread_local std::vector<float> stage;
  const int64_t r0 = item / p.n_chunks * kGemmBlockRows;
  const int64_t r1 = std::min(p.rows, r0 + kGemmBlockRows);
  const int p0 = static_cast<int>(item % p.n_chunks * p.per);
  const int p1 = static_cast<int>(std::min<int64_t>(p.panels, p0 + p.per));
  const int c0 = p0 * kGemmPanel, width = std::min(p.n, p1 * kGemmPanel) - c0;
  const bool staged = p.depth < p.k;
  float* out = y + r0 * p.n + c0;
  int64_t ldo = p.n;
  if (staged) {
    stage.resize(static_cast<size_t>(r1 - r0) * width);
    out = stage.data();
    ldo = width;
  }
  for (int k0 = 0; k0 < p.k; k0 += p.depth) {
    const int kc = std::min(p.depth, p.k - k0);
    const bool last = k0 + kc == p.k;
    for (int panel = p0; panel < p1; ++panel) {
      const int col = panel * kGemmPanel, cols = std::min(kGemmPanel, p.n - col);
      const size_t offset = (static_cast<size_t>(panel) * p.k + k0) * kGemmPanel;
      const float* b = last ? bias + col : nullptr;
      for (int64_t r = r0; r < r1; r += kGemmRows) {
        const int mr = static_cast<int>(std::min<int64_t>(kGemmRows, r1 - r));
        const float* a = x + r * p.k + k0;
        float* c = out + (r - r0) * ldo + (col - c0);
        if (!w.bf16.empty()) {
          kernels.gemm_tile_bf16(a, p.k, mr, w.bf16.data() + offset, kc, c, ldo, cols, b, k0 > 0);
        } else {
          kernels.gemm_tile_f32(a, p.k, mr, w.f32.data() + offset, kc, c, ldo, cols, b, k0 > 0);
        }
      }
    }
  }
  for (int64_t r = r0; r < r1; ++r) {
    float* row = y + r * p.n + c0;
    if (staged) std::memcpy(row, out + (r - r0) * ldo, sizeof(float) * width);
    if (gelu) kernels.bias_gelu(row, 1, width, nullptr);
  }
}

}  // namespace

PackedMatrix PackMatrix(const float* w, int n, int k, bool bf16) {
  PackedMatrix m;
  m.n = n;
  m.k = k;
  const auto at = [&](int col, int kk) { return w[static_cast<size_t>(col) * k + kk]; };
  if (bf16) {
    Pack(
        n, k, [&](int col, int kk) { return ToBFloat16(at(col, kk)); }, true, &m.bf16);
  } else {
    Pack(n, k, at, false, &m.f32);
  }
  return m;
}

PackedMatrix PackMatrixBf16(const uint16_t* w, int n, int k) {
  PackedMatrix m;
  m.n = n;
  m.k = k;
  Pack(
      n, k, [&](int col, int kk) { return w[static_cast<size_t>(col) * k + kk]; }, true, &m.bf16);
  return m;
}

void GenericGemmTileF32(const float* a, int64_t lda, int rows, const float* panel, int kc, float* c,
                        int64_t ldc, int cols, const float* bias, bool accumulate) {
  GenericTile(a, lda, rows, panel, kc, c, ldc, cols, bias, accumulate,
              [](const float* b, int j) { return b[j]; });
}

void GenericGemmTileBf16(const float* a, int64_t lda, int rows, const uint16_t* panel, int kc,
                         float* c, int64_t ldc, int cols, const float* bias, bool accumulate) {
  GenericTile(a, lda, rows, panel, kc, c, ldc, cols, bias, accumulate,
              [](const uint16_t* b, int j) { return Widen(b[Bf16Slot(j)]); });
}

void PackedGemm(const EncoderKernels& kernels, const PackedMatrix& w, const float* x, int64_t rows,
                const float* bias, bool gelu, float* y) {
  if (rows <= 0 || w.n <= 0) return;
  const int threads = omp_in_parallel() ? 1 : omp_get_max_threads();
  const Plan plan = MakePlan(w, rows, threads);
#pragma omp parallel for schedule(dynamic) num_threads(threads) if (threads > 1 && plan.items > 1)
  for (int64_t item = 0; item < plan.items; ++item) {
    RunItem(kernels, w, plan, x, bias, gelu, y, item);
  }
}

}  // namespace quiver::embed
