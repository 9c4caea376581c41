// A FAISS flat index whose distance computations run on quiver's SIMD kernels.
#ifndef QUIVER_INDEX_SIMD_KERNEL_FLAT_INDEX_H_
#define QUIVER_INDEX_SIMD_KERNEL_FLAT_INDEX_H_

#include <faiss/IndexFlat.h>

#include "index/simd/kernels.h"

namespace quiver::simd {

// faiss::IndexFlat for METRIC_L2 or METRIC_INNER_PRODUCT with the same members and data
// layout, differing only in how distances are computed:
//  - get_distance_computer() / get_FlatCodesDistanceComputer() (used by IndexHNSW for
//    build and search) compute with `kernels`;
//  - search() of fewer than faiss::distance_compute_blas_threshold queries without an
//    IDSelector scans with `kernels` (one thread per query, or, for fewer queries than
//    OpenMP threads over >= 4 MiB of vectors, each query split across the threads); larger
//    batches and selector searches are FAISS's own (BLAS) path. Results follow FAISS's
//    conventions: sorted best first, label -1 and the heap's neutral distance when
//    ntotal < k.
// faiss::write_index writes it exactly as the equivalent IndexFlat ("IxF2"/"IxFI"), so its
// files load in stock FAISS. Thread safety is FAISS's: concurrent const calls are safe.
class KernelFlatIndex final : public faiss::IndexFlat {
 public:
  using idx_t = faiss::Index::idx_t;

  // Empty index of dimension d. Throws faiss::FaissException for any other metric.
  KernelFlatIndex(idx_t d, faiss::MetricType metric, const KernelSet& kernels);

  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;

  faiss::DistanceComputer* get_distance_computer() const override;
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override;

  const KernelSet& kernels() const { return *kernels_; }

 private:
  PairKernel pair_kernel() const;

  const KernelSet* kernels_;
};

}  // namespace quiver::simd

#endif  // QUIVER_INDEX_SIMD_KERNEL_FLAT_INDEX_H_
