#include "index/simd/kernel_flat_index.h"

#include <faiss/impl/FaissAssert.h>
#include <faiss/utils/Heap.h>
#include <faiss/utils/distances.h>
#include <omp.h>

#include <algorithm>
#include <vector>

namespace quiver::simd {
namespace {

using idx_t = faiss::Index::idx_t;

// Distances from the current query (or a stored row) to stored rows.
class KernelDistanceComputer final : public faiss::DistanceComputer {
 public:
  KernelDistanceComputer(const float* rows, size_t d, PairKernel kernel)
      : rows_(rows), d_(d), kernel_(kernel) {}

  void set_query(const float* x) override { query_ = x; }
  float operator()(idx_t i) override { return kernel_(query_, rows_ + i * d_, d_); }
  float symmetric_dis(idx_t i, idx_t j) override {
    return kernel_(rows_ + i * d_, rows_ + j * d_, d_);
  }

 private:
  const float* rows_;
  size_t d_;
  PairKernel kernel_;
  const float* query_ = nullptr;
};

// The same, for FAISS code that asks for the flat-codes interface.
class KernelCodesDistanceComputer final : public faiss::FlatCodesDistanceComputer {
 public:
  KernelCodesDistanceComputer(const uint8_t* codes, size_t d, PairKernel kernel)
      : FlatCodesDistanceComputer(codes, d * sizeof(float)), d_(d), kernel_(kernel) {}

  void set_query(const float* x) override { query_ = x; }
  float distance_to_code(const uint8_t* code) override {
    return kernel_(query_, reinterpret_cast<const float*>(code), d_);
  }
  float symmetric_dis(idx_t i, idx_t j) override { return kernel_(Row(i), Row(j), d_); }

 private:
  const float* Row(idx_t i) const { return reinterpret_cast<const float*>(codes + i * code_size); }

  size_t d_;
  PairKernel kernel_;
  const float* query_ = nullptr;
};

// Rows per kernel call in ScanRange: large enough to amortize the call, small enough for
// the stack.
constexpr size_t kBlock = 256;

// Single queries over at least this many bytes of vectors are split across threads: below
// it the fork/join costs more than the scan.
constexpr size_t kSplitMinBytes = size_t(4) << 20;

// Pushes rows [begin, end) into the k-entry FAISS heap of comparator C (CMax for L2, CMin
// for inner product); labels are row numbers.
template <class C>
void ScanRange(ManyKernel many, const float* query, const float* rows, size_t d, size_t begin,
               size_t end, size_t k, float* heap_dis, idx_t* heap_ids) {
  float block[kBlock];
  for (size_t j0 = begin; j0 < end; j0 += kBlock) {
    const size_t count = std::min(kBlock, end - j0);
    many(query, rows + j0 * d, d, count, block);
    for (size_t j = 0; j < count; ++j) {
      if (C::cmp(heap_dis[0], block[j])) {
        faiss::heap_replace_top<C>(k, heap_dis, heap_ids, block[j], idx_t(j0 + j));
      }
    }
  }
}

// Top-k of one query over rows [0, n_rows), sorted best first, on the calling thread.
template <class C>
void ScanSerial(ManyKernel many, const float* query, const float* rows, size_t d, size_t n_rows,
                size_t k, float* distances, idx_t* labels) {
  faiss::heap_heapify<C>(k, distances, labels);
  ScanRange<C>(many, query, rows, d, 0, n_rows, k, distances, labels);
  faiss::heap_reorder<C>(k, distances, labels);
}

// As ScanSerial, with the rows split into one contiguous share per OpenMP thread and the
// per-thread heaps merged. Throws std::bad_alloc before any thread starts.
template <class C>
void ScanSplit(ManyKernel many, const float* query, const float* rows, size_t d, size_t n_rows,
               size_t k, float* distances, idx_t* labels, int threads) {
  std::vector<float> part_dis(size_t(threads) * k);
  std::vector<idx_t> part_ids(size_t(threads) * k);
  faiss::heap_heapify<C>(part_dis.size(), part_dis.data(), part_ids.data());  // all empty.
#pragma omp parallel num_threads(threads)
  {
    const size_t t = size_t(omp_get_thread_num()), nt = size_t(omp_get_num_threads());
    const size_t begin = n_rows * t / nt, end = n_rows * (t + 1) / nt;
    float* heap_dis = part_dis.data() + t * k;
    idx_t* heap_ids = part_ids.data() + t * k;
    faiss::heap_heapify<C>(k, heap_dis, heap_ids);
    ScanRange<C>(many, query, rows, d, begin, end, k, heap_dis, heap_ids);
  }
  faiss::heap_heapify<C>(k, distances, labels);
  for (size_t i = 0; i < part_ids.size(); ++i) {
    if (part_ids[i] >= 0 && C::cmp(distances[0], part_dis[i])) {
      faiss::heap_replace_top<C>(k, distances, labels, part_dis[i], part_ids[i]);
    }
  }
  faiss::heap_reorder<C>(k, distances, labels);
}

template <class C>
void SearchFew(ManyKernel many, const float* x, idx_t n, const float* rows, size_t d, size_t n_rows,
               size_t k, float* distances, idx_t* labels) {
  const int threads = omp_get_max_threads();
  if (threads > 1 && n < threads && n_rows * d * sizeof(float) >= kSplitMinBytes) {
    for (idx_t i = 0; i < n; ++i) {
      ScanSplit<C>(many, x + i * d, rows, d, n_rows, k, distances + i * k, labels + i * k, threads);
    }
    return;
  }
#pragma omp parallel for if (n > 1)
  for (idx_t i = 0; i < n; ++i) {
    ScanSerial<C>(many, x + i * d, rows, d, n_rows, k, distances + i * k, labels + i * k);
  }
}

}  // namespace

KernelFlatIndex::KernelFlatIndex(idx_t d, faiss::MetricType metric, const KernelSet& kernels)
    : faiss::IndexFlat(d, metric), kernels_(&kernels) {
  FAISS_THROW_IF_NOT_MSG(metric == faiss::METRIC_L2 || metric == faiss::METRIC_INNER_PRODUCT,
                         "KernelFlatIndex supports METRIC_L2 and METRIC_INNER_PRODUCT only");
}

PairKernel KernelFlatIndex::pair_kernel() const {
  return metric_type == faiss::METRIC_L2 ? kernels_->l2 : kernels_->ip;
}

faiss::DistanceComputer* KernelFlatIndex::get_distance_computer() const {
  return new KernelDistanceComputer(get_xb(), size_t(d), pair_kernel());
}

faiss::FlatCodesDistanceComputer* KernelFlatIndex::get_FlatCodesDistanceComputer() const {
  return new KernelCodesDistanceComputer(codes.data(), size_t(d), pair_kernel());
}

void KernelFlatIndex::search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
                             const faiss::SearchParameters* params) const {
  const bool few = n < faiss::distance_compute_blas_threshold;
  if (!few || (params != nullptr && params->sel != nullptr)) {
    faiss::IndexFlat::search(n, x, k, distances, labels, params);
    return;
  }
  FAISS_THROW_IF_NOT(k > 0);
  if (metric_type == faiss::METRIC_L2) {
    SearchFew<faiss::CMax<float, idx_t>>(kernels_->l2_many, x, n, get_xb(), size_t(d),
                                         size_t(ntotal), size_t(k), distances, labels);
  } else {
    SearchFew<faiss::CMin<float, idx_t>>(kernels_->ip_many, x, n, get_xb(), size_t(d),
                                         size_t(ntotal), size_t(k), distances, labels);
  }
}

}  // namespace quiver::simd
