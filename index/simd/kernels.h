// Float32 distance kernels (squared L2 and inner product) in several instruction-set
// flavours, and the run-time choice among them. Internal to index/; callers outside index/
// see only accelerate.h.
#ifndef QUIVER_INDEX_SIMD_KERNELS_H_
#define QUIVER_INDEX_SIMD_KERNELS_H_

#include <cstddef>
#include <string_view>

namespace quiver::simd {

// Distance between two vectors of `d` floats. Any d >= 0, any 4-byte-aligned pointers;
// never reads outside [x, x + d) or [y, y + d). Summation order differs between kernels,
// so results differ from a sequential sum by rounding only (see distance_kernels_test.cc
// for the bound).
using PairKernel = float (*)(const float* x, const float* y, size_t d);

// out[j] = distance(q, rows + j * d) for j in [0, n): one query against n contiguous rows.
using ManyKernel = void (*)(const float* q, const float* rows, size_t d, size_t n, float* out);

// One instruction-set flavour of every kernel. Instances are static and immutable.
struct KernelSet {
  const char* name;  // "avx512", "avx2" or "generic"
  PairKernel l2;     // sum_i (x[i] - y[i])^2
  PairKernel ip;     // sum_i x[i] * y[i]
  ManyKernel l2_many;
  ManyKernel ip_many;
};

// Each returns its flavour, or nullptr when it was not compiled into this binary (non-x86
// targets). A non-null set may still need CPU features this machine lacks: check
// CpuSupports() before calling its kernels.
const KernelSet* GenericKernels();
const KernelSet* Avx2Kernels();
const KernelSet* Avx512Kernels();

// True when this CPU (and OS) can run `set`'s instructions.
bool CpuSupports(const KernelSet& set);

// The fastest set this CPU supports, chosen once on first call: avx512 (AVX-512F), else
// avx2 (AVX2 and FMA), else generic. The environment variable QUIVER_SIMD_KERNEL
// ("avx512", "avx2", "generic"), read at that first call, lowers the choice for
// benchmarking; a name the CPU cannot run is ignored.
const KernelSet& ActiveKernels();

// The set named `name`, or nullptr when unknown, not compiled in, or unsupported here.
const KernelSet* UsableKernelsByName(std::string_view name);

}  // namespace quiver::simd

#endif  // QUIVER_INDEX_SIMD_KERNELS_H_
