#include "index/simd/accelerate.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>

#include <memory>
#include <typeinfo>

#include "index/simd/kernel_flat_index.h"
#include "index/simd/kernels.h"

namespace quiver::simd {
namespace {

// True for the plain flat types whose every member KernelFlatIndex reproduces.
bool IsReplaceableFlat(const faiss::Index& index) {
  const std::type_info& type = typeid(index);
  if (type != typeid(faiss::IndexFlat) && type != typeid(faiss::IndexFlatL2) &&
      type != typeid(faiss::IndexFlatIP)) {
    return false;
  }
  return index.metric_type == faiss::METRIC_L2 || index.metric_type == faiss::METRIC_INNER_PRODUCT;
}

// A kernel-backed copy of `flat`; takes its vectors when `steal` (leaving `flat` empty).
std::unique_ptr<KernelFlatIndex> MakeKernelFlat(faiss::IndexFlat& flat, bool steal) {
  auto fresh = std::make_unique<KernelFlatIndex>(flat.d, flat.metric_type, ActiveKernels());
  if (steal) {
    fresh->codes.swap(flat.codes);
  } else {
    fresh->codes = flat.codes;
  }
  fresh->ntotal = flat.ntotal;
  fresh->is_trained = flat.is_trained;
  fresh->verbose = flat.verbose;
  fresh->metric_arg = flat.metric_arg;
  return fresh;
}

// Replaces *slot (owned by its parent when `owned`) if it is a replaceable flat index.
void ReplaceFlat(faiss::Index*& slot, bool& owned) {
  if (slot == nullptr || !IsReplaceableFlat(*slot)) return;
  auto* flat = static_cast<faiss::IndexFlat*>(slot);
  std::unique_ptr<KernelFlatIndex> fresh = MakeKernelFlat(*flat, owned);
  if (owned) delete flat;
  slot = fresh.release();
  owned = true;
}

// Replaces the flat storage of an IndexHNSW, or a flat sub-index, below `parent`.
void Accelerate(faiss::Index* parent) {
  if (auto* id_map = dynamic_cast<faiss::IndexIDMap*>(parent)) {
    if (dynamic_cast<faiss::IndexHNSW*>(id_map->index) == nullptr) {
      ReplaceFlat(id_map->index, id_map->own_fields);
      return;
    }
    parent = id_map->index;
  }
  if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(parent)) {
    ReplaceFlat(hnsw->storage, hnsw->own_fields);
  }
}

}  // namespace

void AccelerateIndex(faiss::Index* root) noexcept {
  try {
    Accelerate(root);
  } catch (...) {
    // Only allocation can fail, before anything was modified: the index is unchanged.
  }
}

std::string_view ActiveKernelName() noexcept { return ActiveKernels().name; }

}  // namespace quiver::simd
