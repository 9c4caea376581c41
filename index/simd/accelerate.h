// The seam between quiver's VectorIndex and the SIMD distance kernels.
#ifndef QUIVER_INDEX_SIMD_ACCELERATE_H_
#define QUIVER_INDEX_SIMD_ACCELERATE_H_

#include <string_view>

namespace faiss {
struct Index;
}  // namespace faiss

namespace quiver::simd {

// Replaces the flat storage reachable from `root` with a kernel-backed equivalent
// (KernelFlatIndex), so that search and later adds compute distances with the active
// kernels. What gets replaced:
//   IndexIDMap / IndexIDMap2 over IndexHNSW (e.g. IndexHNSWFlat) -> the HNSW's storage;
//   IndexIDMap / IndexIDMap2 over anything else -> its sub-index;
//   IndexHNSW -> its storage.
// A bare flat root cannot be replaced in place (its owner holds the pointer) and is left
// as it is. The replaced index must be exactly faiss::IndexFlat, IndexFlatL2 or IndexFlatIP with
// METRIC_L2 or METRIC_INNER_PRODUCT; anything else (IVF, PQ, SQ storage, other metrics, a
// null root) is left untouched. Vectors, ids, graph and counters are preserved; ownership
// of the new storage passes to its parent (own_fields = true), and storage the parent did
// not own is copied, not modified. Idempotent. Call after faiss::index_factory and after
// faiss::read_index, with no other thread using `root`. Files written afterwards by
// faiss::write_index are byte-identical to those of the unaccelerated index. Never throws;
// if memory runs out the index is left as it was.
void AccelerateIndex(faiss::Index* root) noexcept;

// "avx512", "avx2" or "generic": the kernel flavour chosen for this CPU (see kernels.h for
// the QUIVER_SIMD_KERNEL override).
std::string_view ActiveKernelName() noexcept;

}  // namespace quiver::simd

#endif  // QUIVER_INDEX_SIMD_ACCELERATE_H_
