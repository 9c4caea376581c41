// ExternalIds: the external id of every stored record by internal id, in memory, so that an
// ids-only search names its hits without reading the store.
//
// Internal ids are assigned once, in increasing order, and never reused, so an entry is
// never stale: the table may hold ids the index no longer has (or not yet), never a wrong
// name. It is built on first use (Names), from one scan of the store's id family (~50 bytes
// a record), and kept in step by the writer afterwards (Apply).
//
// Locking, with the engine's state lock: Names runs under it shared (many at once; the first
// builds the table, the others read the store meanwhile); Apply runs under it exclusively.
#ifndef QUIVER_ENGINE_EXTERNAL_IDS_H_
#define QUIVER_ENGINE_EXTERNAL_IDS_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "quiver/status.h"
#include "storage/store.h"
#include "util/mutex.h"

namespace quiver::engine {

class ExternalIds {
 public:
  // Sets (*names)[i] to the name of internal_ids[i] (nullopt for an id it has never seen) and
  // returns true, or returns false when another caller is building the table right now.
  Result<bool> Names(storage::Store& store, std::span<const uint64_t> internal_ids,
                     storage::Store::MaybeValues* names);

  // A committed write: `removed` are gone, `added[i]` is named `names[i]`. No-op until built.
  void Apply(std::span<const uint64_t> removed, std::span<const uint64_t> added,
             std::span<const std::string_view> names);

 private:
  Status Build(storage::Store& store);

  util::Mutex build_mu_;
  std::atomic<bool> built_{false};
  std::unordered_map<uint64_t, std::string> names_;  // written only while readers are excluded
};

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_EXTERNAL_IDS_H_
