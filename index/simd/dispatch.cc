// Run-time choice of the kernel flavour from the CPU's features.
#include <cstdlib>
#include <string_view>

#include "index/simd/kernels.h"

namespace quiver::simd {
namespace {

const KernelSet* BestSupported() {
  for (const KernelSet* set : {Avx512Kernels(), Avx2Kernels()}) {
    if (set != nullptr && CpuSupports(*set)) return set;
  }
  return GenericKernels();
}

const KernelSet* Choose() {
  const char* forced = std::getenv("QUIVER_SIMD_KERNEL");
  const KernelSet* best = BestSupported();
  if (forced == nullptr) return best;
  const KernelSet* wanted = UsableKernelsByName(forced);
  return wanted != nullptr ? wanted : best;
}

}  // namespace

bool CpuSupports(const KernelSet& set) {
  const std::string_view name = set.name;
#if defined(__x86_64__) || defined(__i386__)
  // libgcc's feature bits include the OS's consent (XCR0) to save the wider registers.
  if (name == "avx512") return __builtin_cpu_supports("avx512f");
  if (name == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return name == "generic";
}

const KernelSet* UsableKernelsByName(std::string_view name) {
  for (const KernelSet* set : {Avx512Kernels(), Avx2Kernels(), GenericKernels()}) {
    if (set != nullptr && name == set->name) return CpuSupports(*set) ? set : nullptr;
  }
  return nullptr;
}

const KernelSet& ActiveKernels() {
  static const KernelSet* const active = Choose();
  return *active;
}

}  // namespace quiver::simd
