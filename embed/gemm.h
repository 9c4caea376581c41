// The encoder's matrix products y = x·Wᵀ + b with W packed once, when the model is loaded, into
// panels of kGemmPanel output columns (internal to embed/). BLIS-style: a panel holds, for
// every k, the weights of its 16 columns contiguous, so the micro-tile streams it linearly;
// the activations are read in place, kGemmRows rows at a time. Panels are float32 or bfloat16
// (the latter widened in registers: half the weight traffic, which is what bounds queries).
//
// Blocking (for the AVX2 tile; one core of a Zen 3 / Skylake: 32 KiB L1d, ≥ 512 KiB L2):
//   * micro-tile kGemmRows × kGemmPanel = 6 × 16: 12 ymm accumulators, 2 panel loads (1 for
//     bf16) and 6 broadcasts per k;
//   * K in equal blocks of at most kGemmDepth = 256: a panel's slice (≤ 16 KiB as float)
//     stays in L1 while the row slivers of an M block pass over it;
//   * M in blocks of kGemmBlockRows = 96 rows (≤ 96 KiB of activations per K block, in L2),
//     reused across the panels of a work item. With several K blocks the partial sums go to a
//     contiguous per-thread buffer, not to y: rows of y 6 KiB apart (1536 columns) fall into
//     a few cache sets and would be evicted between K blocks.
// Work items (an M block × a run of panels) are shared out on the calling thread's OpenMP
// team; a query (few rows) is split over the panels only.
//
// Exactness: every output is the same sequence of fused multiply-adds in k order, then + bias
// (then GELU), whatever its row's place in the batch, the blocking or the thread count; the
// generic tile does the same sums without fusing.
#ifndef QUIVER_EMBED_GEMM_H_
#define QUIVER_EMBED_GEMM_H_

#include <cstdint>
#include <vector>

namespace quiver::embed {

struct EncoderKernels;

constexpr int kGemmPanel = 16;      // NR: output columns per panel
constexpr int kGemmRows = 6;        // MR: rows per micro-tile
constexpr int kGemmDepth = 256;     // KC: the deepest K block
constexpr int kGemmBlockRows = 96;  // MC, a multiple of kGemmRows

// W [n × k] (nn.Linear's layout) packed: panel p covers columns [16p, 16p + 16), zero-padded
// past n, and holds 16 · k values: for each k the 16 columns. bf16 panels hold the 16 columns
// of a k as 8 32-bit words, word i = column i (low half) | column i + 8 (high half), so that
// one 256-bit load, a shift and a mask give both float vectors.
struct PackedMatrix {
  int n = 0;
  int k = 0;
  std::vector<float> f32;      // float panels, or
  std::vector<uint16_t> bf16;  // bfloat16 panels
  int panels() const { return (n + kGemmPanel - 1) / kGemmPanel; }
};

// Packs float weights; `bf16` rounds them to nearest-even bfloat16 first.
PackedMatrix PackMatrix(const float* w, int n, int k, bool bf16);
// Packs weights already in bfloat16 ([n × k]).
PackedMatrix PackMatrixBf16(const uint16_t* w, int n, int k);

// One micro-tile: c[rows × cols] (rows ldc apart) = (accumulate ? c : 0) + a[rows × kc]
// (rows lda apart) · panel[kc × 16], then + bias[cols] when bias is not null. rows ≤ 6,
// cols ≤ 16; `panel` points at the tile's first k in a float or bf16 panel.
using GemmTileF32 = void (*)(const float* a, int64_t lda, int rows, const float* panel, int kc,
                             float* c, int64_t ldc, int cols, const float* bias, bool accumulate);
using GemmTileBf16 = void (*)(const float* a, int64_t lda, int rows, const uint16_t* panel, int kc,
                              float* c, int64_t ldc, int cols, const float* bias, bool accumulate);

// The portable tiles.
void GenericGemmTileF32(const float* a, int64_t lda, int rows, const float* panel, int kc, float* c,
                        int64_t ldc, int cols, const float* bias, bool accumulate);
void GenericGemmTileBf16(const float* a, int64_t lda, int rows, const uint16_t* panel, int kc,
                         float* c, int64_t ldc, int cols, const float* bias, bool accumulate);
// The AVX2 + FMA tiles (embed/gemm_avx2.cc), defined only in x86 builds.
void Avx2GemmTileF32(const float* a, int64_t lda, int rows, const float* panel, int kc, float* c,
                     int64_t ldc, int cols, const float* bias, bool accumulate);
void Avx2GemmTileBf16(const float* a, int64_t lda, int rows, const uint16_t* panel, int kc,
                      float* c, int64_t ldc, int cols, const float* bias, bool accumulate);

// y[rows × w.n] = x[rows × w.k] · Wᵀ + bias (w.n floats), then GELU (kernels.bias_gelu) when
// `gelu`, with the kernels' tiles, on the calling thread's OpenMP team (one thread when called
// inside a parallel region).
void PackedGemm(const EncoderKernels& kernels, const PackedMatrix& w, const float* x, int64_t rows,
                const float* bias, bool gelu, float* y);

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_GEMM_H_
