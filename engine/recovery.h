// Recovery: what a database is on disk at open, and how its derived vector index is brought
// back in line with the store (checkpoint + oplog replay, or a rebuild from the vectors).
// Stateless functions: the caller owns the store, the index and the locks.
#ifndef QUIVER_ENGINE_RECOVERY_H_
#define QUIVER_ENGINE_RECOVERY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/commit.h"
#include "engine/layout.h"
#include "engine/lexical.h"
#include "index/vector_index.h"
#include "quiver/status.h"
#include "storage/store.h"

namespace quiver::engine {

// The store's format version this quiver writes (and the newest it reads):
//   1  BM25 postings as keys of the `postings` family, written with every document
//   2  the postings family empty; the full-text index is derived state under index/, made by
//      the analyzer meta names (engine/lexical.h)
inline constexpr uint64_t kFormatVersion = 2;

// Writes the meta of a new database with `config` and `analyzer` (and its tokenizer blob,
// when not empty).
Status InitializeStore(storage::Store& store, const index::IndexConfig& config,
                       const AnalyzerChoice& analyzer, const std::string& tokenizer_blob);

// What meta says of an existing database.
struct StoredMeta {
  uint64_t format_version = 0;
  index::IndexConfig config;
  Counters counters;
  AnalyzerChoice analyzer;  // empty language in format 1
};
// Corruption when meta is incomplete; NotSupported for a newer format version. `where` names
// the database in messages.
Result<StoredMeta> LoadStoredMeta(storage::Store& store, const std::string& where);

// Brings a format-1 store to format 2 in one batch: empties the postings family, drops its
// statistics and records `analyzer`. The caller rebuilds the full-text index afterwards.
Status MigrateFromFormat1(storage::Store& store, const AnalyzerChoice& analyzer);

// Records `analyzer` as the one the full-text index is made with.
Status StoreAnalyzerChoice(storage::Store& store, const AnalyzerChoice& analyzer);

// Why a checkpoint covering operation `covered` cannot be used with a store whose log ends at
// `last_sequence` and was trimmed through `trimmed`; "" when it can.
std::string StaleCheckpointReason(uint64_t covered, uint64_t last_sequence, uint64_t trimmed);

// An empty index of `config`, trained with the stored training (meta index_training) when
// the database has one; Corruption when that training does not fit `config`.
Result<std::unique_ptr<index::VectorIndex>> CreateIndex(storage::Store& store,
                                                        const index::IndexConfig& config);

// A fresh index holding every stored vector (under the stored training, when there is one).
Result<std::unique_ptr<index::VectorIndex>> BuildIndexFromStore(storage::Store& store,
                                                                const index::IndexConfig& config);

// Applies the oplog entries after sequence `after` to `target`.
Status ReplayOplog(storage::Store& store, const index::IndexConfig& config,
                   index::VectorIndex* target, uint64_t after);

// A recovered index and the sequence its checkpoint covers (0: rebuilt or never checkpointed).
struct RecoveredIndex {
  std::unique_ptr<index::VectorIndex> index;
  uint64_t checkpoint_sequence = 0;
  bool rebuilt = false;  // a checkpoint should be written (unless read-only)
};
// Loads the checkpoint and replays the oplog after it; when the checkpoint is missing, stale
// or corrupt, or the replayed index disagrees with the record count, rebuilds from the store
// and says why through `report`. Fails only when the store itself cannot be read.
Result<RecoveredIndex> RecoverIndex(storage::Store& store, const Layout& layout,
                                    const index::IndexConfig& config, const Counters& counters,
                                    const std::function<void(const std::string&)>& report);

// Rebuilds the index from the store, announcing it (with `reason`) and its duration.
Result<RecoveredIndex> RebuildIndex(storage::Store& store, const Layout& layout,
                                    const index::IndexConfig& config, const std::string& reason,
                                    const std::function<void(const std::string&)>& report);

// Checks the store's checksums, that documents, id map and vectors agree with each other and
// with `record_count`, and that every stored vector is finite (Corruption naming the first
// ids that are not); `stored_ids` receives the internal ids of the documents in order.
Status VerifyStore(storage::Store& store, int dimension, uint64_t record_count,
                   std::vector<uint64_t>* stored_ids);

// Writes both indexes as checkpoints covering `sequence`, then trims the oplog through it.
Status WriteCheckpoints(storage::Store& store, const Layout& layout,
                        const index::VectorIndex& vectors, const text::Analyzer& analyzer,
                        const text::LexicalIndex& lexical, uint64_t sequence);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_RECOVERY_H_
