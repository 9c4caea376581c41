#include "engine/external_ids.h"

namespace quiver::engine {

Result<bool> ExternalIds::Names(storage::Store& store, std::span<const uint64_t> internal_ids,
                                storage::Store::MaybeValues* names) {
  if (!built_.load(std::memory_order_acquire)) {
    if (!build_mu_.TryLock()) return false;
    Status s = built_.load(std::memory_order_relaxed) ? Status::OK() : Build(store);
    build_mu_.Unlock();
    QUIVER_RETURN_IF_ERROR(s);
  }
  names->assign(internal_ids.size(), std::nullopt);
  for (size_t i = 0; i < internal_ids.size(); ++i) {
    const auto it = names_.find(internal_ids[i]);
    if (it != names_.end()) (*names)[i].emplace(it->second);
  }
  return true;
}

void ExternalIds::Apply(std::span<const uint64_t> removed, std::span<const uint64_t> added,
                        std::span<const std::string_view> names) {
  if (!built_.load(std::memory_order_acquire)) return;
  for (const uint64_t id : removed) names_.erase(id);
  for (size_t i = 0; i < added.size(); ++i) names_[added[i]] = std::string(names[i]);
}

Status ExternalIds::Build(storage::Store& store) {
  std::unordered_map<uint64_t, std::string> names;
  QUIVER_RETURN_IF_ERROR(store.ScanIds([&](std::string_view external_id, uint64_t internal_id) {
    names.emplace(internal_id, std::string(external_id));
    return Status::OK();
  }));
  names_ = std::move(names);
  built_.store(true, std::memory_order_release);
  return Status::OK();
}

}  // namespace quiver::engine
