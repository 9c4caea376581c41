#include "engine/commit.h"

#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "engine/write_tags.h"
#include "storage/keys.h"

namespace quiver::engine {
namespace {

namespace mk = storage::meta_key;

// Builds one PreparedCommit; each call of Remove/Add extends the batch.
class CommitBuilder {
 public:
  CommitBuilder(storage::Store& store, const Counters& before) : store_(store) {
    out_.counters = before;
  }

  // Looks up, in one batched read, the internal ids of every id Remove will be asked about.
  Status FindExisting(std::vector<std::string_view> ids) {
    QUIVER_ASSIGN_OR_RETURN(const std::vector<std::optional<uint64_t>> found,
                            store_.FindInternalIds(ids));
    existing_.reserve(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) existing_.emplace(ids[i], found[i]);
    return Status::OK();
  }

  // Deletes the record `id` if it exists, at most once per commit; *existed says whether.
  Status Remove(const std::string& id, bool* existed) {
    *existed = false;
    if (!gone_.insert(id).second) return Status::OK();
    std::optional<uint64_t> existing;
    if (const auto known = existing_.find(id); known != existing_.end()) {
      existing = known->second;
    } else {
      QUIVER_ASSIGN_OR_RETURN(existing, store_.FindInternalId(id));
    }
    if (!existing.has_value()) return Status::OK();
    *existed = true;
    out_.batch->DeleteRecord(*existing, id);
    out_.batch->AppendOplog({++out_.counters.last_sequence, storage::OpType::kDelete, *existing});
    out_.removed.push_back(*existing);
    return Status::OK();
  }

  void Add(const PendingRecord& r, size_t index) {
    Counters& c = out_.counters;
    const uint64_t id = c.next_internal_id++;
    out_.batch->PutRecord(id, {r.id, r.text, r.metadata, r.source}, r.vector);
    out_.batch->AppendOplog({++c.last_sequence, storage::OpType::kAdd, id});
    out_.added.push_back(id);
    out_.added_records.push_back(index);
    out_.added_vectors.insert(out_.added_vectors.end(), r.vector.begin(), r.vector.end());
  }

  Result<PreparedCommit> Finish(const CommitPlan& plan) {
    Counters& c = out_.counters;
    for (const auto& [path, value] : plan.put_sources) out_.batch->PutSource(path, value);
    for (const std::string& path : plan.delete_sources) out_.batch->DeleteSource(path);
    if (!plan.vectors_model.empty()) {
      out_.batch->PutMeta(mk::kVectorsModel, plan.vectors_model);
      c.vectors_model = plan.vectors_model;
    }
    if (plan.tag.has_value()) {
      out_.batch->PutMetaU64(WriteSequenceKey(plan.tag->writer), plan.tag->sequence);
    }
    out_.empty = out_.removed.empty() && out_.added.empty() && plan.put_sources.empty() &&
                 plan.delete_sources.empty() && plan.vectors_model.empty() && !plan.tag.has_value();
    out_.batch->PutMetaU64(mk::kNextInternalId, c.next_internal_id);
    out_.batch->PutMetaU64(mk::kLastSequence, c.last_sequence);
    out_.batch->PutMetaU64(mk::kRecordCount, c.record_count);
    return std::move(out_);
  }

  Counters& counters() { return out_.counters; }
  void CountDeleted() { ++out_.deleted_existing; }

 private:
  storage::Store& store_;
  PreparedCommit out_;
  std::unordered_set<std::string_view> gone_;
  std::unordered_map<std::string_view, std::optional<uint64_t>> existing_;
};

}  // namespace

Result<PreparedCommit> PlanCommit(storage::Store& store, const CommitPlan& plan,
                                  const Counters& before) {
  CommitBuilder builder(store, before);
  std::unordered_map<std::string_view, size_t> last_of;
  for (size_t i = 0; i < plan.upserts.size(); ++i) last_of[plan.upserts[i].id] = i;
  std::vector<std::string_view> looked_up(plan.deletes.begin(), plan.deletes.end());
  for (const auto& [id, last] : last_of) looked_up.push_back(id);
  QUIVER_RETURN_IF_ERROR(builder.FindExisting(std::move(looked_up)));
  for (const std::string& id : plan.deletes) {
    bool existed = false;
    QUIVER_RETURN_IF_ERROR(builder.Remove(id, &existed));
    if (existed) {
      builder.CountDeleted();
      --builder.counters().record_count;
    }
  }
  for (size_t i = 0; i < plan.upserts.size(); ++i) {
    const PendingRecord& r = plan.upserts[i];
    if (last_of[r.id] != i) continue;  // a later record with the same id wins
    bool existed = false;
    QUIVER_RETURN_IF_ERROR(builder.Remove(r.id, &existed));
    if (!existed) ++builder.counters().record_count;
    builder.Add(r, i);
  }
  return builder.Finish(plan);
}

}  // namespace quiver::engine
