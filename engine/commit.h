// Commit planning: turns what one atomic write changes (a CommitPlan) into a storage
// WriteBatch plus the effects to apply to the derived index and the counters afterwards.
// Planning reads the store but changes nothing; the caller writes the batch and publishes.
#ifndef QUIVER_ENGINE_COMMIT_H_
#define QUIVER_ENGINE_COMMIT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "quiver/options.h"
#include "quiver/status.h"
#include "storage/store.h"
#include "text/analyzer.h"

namespace quiver::engine {

// The store's counters, as kept in meta. A value type: writers compute the next one from the
// current one, and the database publishes it after the batch is durable.
struct Counters {
  uint64_t next_internal_id = 1;
  uint64_t last_sequence = 0;
  uint64_t record_count = 0;
  std::string vectors_model;  // identity of the model that computed the vectors; "" when none
};

// A record ready to be committed: validated, metadata canonical, source encoded; `terms`
// are its text's terms for the full-text index (text/analyzer.h).
struct PendingRecord {
  std::string id;
  std::vector<float> vector;
  std::string text;
  std::string metadata;
  std::string source;
  std::vector<text::Term> terms;
};

// Everything one atomic write changes.
struct CommitPlan {
  std::vector<PendingRecord> upserts;  // a later record with the same id wins
  std::vector<std::string> deletes;
  std::vector<std::pair<std::string, std::string>> put_sources;  // path -> value
  std::vector<std::string> delete_sources;
  // Record that this model (its identity) computed the stored vectors.
  std::string vectors_model;
  // When set, the batch records tag->sequence as its writer's highest applied sequence (the
  // caller checked it is higher than the stored one; see engine/write_tags.h).
  std::optional<WriteTag> tag;
  // Build fresh indexes from the store afterwards (and checkpoint them) instead of applying
  // the changes to the current ones: for plans that replace most records.
  bool rebuild_index = false;
};

// A planned write: the batch, and what it does once durable.
struct PreparedCommit {
  std::unique_ptr<storage::WriteBatch> batch = std::make_unique<storage::WriteBatch>();
  bool empty = true;              // nothing to write: the plan changes nothing
  Counters counters;              // the counters after the batch
  std::vector<uint64_t> removed;  // internal ids the batch deletes
  std::vector<uint64_t> added;    // internal ids it adds, with their vectors below
  std::vector<float> added_vectors;
  std::vector<size_t> added_records;  // for each added id, its record in plan.upserts
  size_t deleted_existing = 0;        // ids in plan.deletes that existed
};

// Plans `plan` against the store as it is and the counters `before`. Existing records that
// upserts replace are deleted first; internal ids are never reused.
Result<PreparedCommit> PlanCommit(storage::Store& store, const CommitPlan& plan,
                                  const Counters& before);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_COMMIT_H_
