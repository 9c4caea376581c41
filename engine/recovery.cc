#include "engine/recovery.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "storage/keys.h"
#include "util/clock.h"

namespace quiver::engine {
namespace {

namespace mk = storage::meta_key;

// Vectors are added to the index in chunks of this many during replay and rebuild.
constexpr size_t kChunk = 8192;

// Vectors waiting to be added to an index in one call.
class PendingAdds {
 public:
  explicit PendingAdds(index::VectorIndex* target) : target_(target) {}
  Status Push(uint64_t id, std::span<const float> vector) {
    ids_.push_back(id);
    vectors_.insert(vectors_.end(), vector.begin(), vector.end());
    return ids_.size() >= kChunk ? Flush() : Status::OK();
  }
  Status Flush() {
    Status s = target_->Add(ids_, vectors_);
    ids_.clear();
    vectors_.clear();
    return s;
  }

 private:
  index::VectorIndex* target_;
  std::vector<uint64_t> ids_;
  std::vector<float> vectors_;
};

Result<Counters> LoadCounters(storage::Store& store) {
  Counters c;
  QUIVER_ASSIGN_OR_RETURN(c.next_internal_id, store.GetMetaU64(mk::kNextInternalId, 1));
  QUIVER_ASSIGN_OR_RETURN(c.last_sequence, store.GetMetaU64(mk::kLastSequence, 0));
  QUIVER_ASSIGN_OR_RETURN(c.record_count, store.GetMetaU64(mk::kRecordCount, 0));
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> vectors_model,
                          store.GetMeta(mk::kVectorsModel));
  c.vectors_model = vectors_model.value_or("");
  return c;
}

void PutAnalyzerChoice(storage::WriteBatch& batch, const AnalyzerChoice& analyzer) {
  batch.PutMeta(mk::kAnalyzer, analyzer.language);
  batch.PutMeta(mk::kAnalyzerIcu, analyzer.icu_version);
}

}  // namespace

std::string StaleCheckpointReason(uint64_t covered, uint64_t last_sequence, uint64_t trimmed) {
  if (covered > last_sequence) {
    return "the checkpoint covers operation " + std::to_string(covered) +
           " but the store ends at " + std::to_string(last_sequence);
  }
  if (covered < trimmed) return "the checkpoint is older than the operation log that was kept";
  return "";
}

Status MigrateFromFormat1(storage::Store& store, const AnalyzerChoice& analyzer) {
  storage::WriteBatch batch;
  batch.ClearPostings();
  batch.DeleteMeta(mk::kPostingDocuments);
  batch.DeleteMeta(mk::kPostingTokens);
  PutAnalyzerChoice(batch, analyzer);
  batch.PutMetaU64(mk::kFormatVersion, kFormatVersion);
  return store.Write(batch);
}

Status StoreAnalyzerChoice(storage::Store& store, const AnalyzerChoice& analyzer) {
  storage::WriteBatch batch;
  PutAnalyzerChoice(batch, analyzer);
  return store.Write(batch);
}

Status InitializeStore(storage::Store& store, const index::IndexConfig& config,
                       const AnalyzerChoice& analyzer, const std::string& tokenizer_blob) {
  storage::WriteBatch batch;
  PutAnalyzerChoice(batch, analyzer);
  if (!tokenizer_blob.empty()) batch.PutModel(storage::model_key::kTokenizer, tokenizer_blob);
  batch.PutMetaU64(mk::kFormatVersion, kFormatVersion);
  batch.PutMetaU64(mk::kDimension, static_cast<uint64_t>(config.dimension));
  batch.PutMeta(mk::kMetric, MetricName(config.metric));
  batch.PutMeta(mk::kIndexSpec, config.spec);
  batch.PutMetaU64(mk::kNextInternalId, Counters{}.next_internal_id);
  batch.PutMetaU64(mk::kLastSequence, 0);
  batch.PutMetaU64(mk::kRecordCount, 0);
  return store.Write(batch);
}

Result<StoredMeta> LoadStoredMeta(storage::Store& store, const std::string& where) {
  QUIVER_ASSIGN_OR_RETURN(uint64_t version, store.GetMetaU64(mk::kFormatVersion, 0));
  if (version == 0) return Status::Corruption(where + " has a store but no quiver format version");
  if (version > kFormatVersion) {
    return Status::NotSupported(where + " was written by format version " +
                                std::to_string(version) + "; this quiver reads up to " +
                                std::to_string(kFormatVersion) + " (upgrade quiver)");
  }
  QUIVER_ASSIGN_OR_RETURN(uint64_t dimension, store.GetMetaU64(mk::kDimension, 0));
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> metric, store.GetMeta(mk::kMetric));
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> spec, store.GetMeta(mk::kIndexSpec));
  const std::optional<Metric> parsed_metric = metric ? ParseMetric(*metric) : std::nullopt;
  if (dimension == 0 || !parsed_metric || !spec) {
    return Status::Corruption(where + " has incomplete metadata (dimension, metric or index spec)");
  }
  StoredMeta meta;
  meta.format_version = version;
  meta.config = {static_cast<int>(dimension), *parsed_metric, *spec};
  QUIVER_ASSIGN_OR_RETURN(meta.counters, LoadCounters(store));
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> language, store.GetMeta(mk::kAnalyzer));
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> icu, store.GetMeta(mk::kAnalyzerIcu));
  if (version >= 2 && !language) {
    return Status::Corruption(where + " has no analyzer in its metadata");
  }
  meta.analyzer = {language.value_or(""), icu.value_or("")};
  return meta;
}

Status ReplayOplog(storage::Store& store, const index::IndexConfig& config,
                   index::VectorIndex* target, uint64_t after) {
  PendingAdds pending(target);
  std::vector<uint64_t> deletes;
  std::vector<float> vector;
  QUIVER_RETURN_IF_ERROR(store.ScanOplog(after, [&](const storage::OplogEntry& entry) {
    if (entry.op == storage::OpType::kDelete) {
      deletes.push_back(entry.internal_id);
      return Status::OK();
    }
    Status s = store.GetVector(entry.internal_id, config.dimension, &vector);
    if (s.IsNotFound()) return Status::OK();  // deleted by a later entry
    QUIVER_RETURN_IF_ERROR(s);
    return pending.Push(entry.internal_id, vector);
  }));
  QUIVER_RETURN_IF_ERROR(pending.Flush());
  // Internal ids are never reused, so deletes commute with adds of other ids.
  return target->Remove(deletes);
}

Result<std::unique_ptr<index::VectorIndex>> CreateIndex(storage::Store& store,
                                                        const index::IndexConfig& config) {
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> training,
                          store.GetMeta(mk::kIndexTraining));
  if (!training.has_value()) return index::VectorIndex::Create(config);
  auto trained = index::VectorIndex::CreateTrained(config, *training);
  if (!trained.ok()) return Status::Corruption("the stored " + trained.status().message());
  return trained;
}

Result<std::unique_ptr<index::VectorIndex>> BuildIndexFromStore(storage::Store& store,
                                                                const index::IndexConfig& config) {
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<index::VectorIndex> fresh, CreateIndex(store, config));
  PendingAdds pending(fresh.get());
  std::vector<float> vector;
  QUIVER_RETURN_IF_ERROR(store.ScanVectors([&](uint64_t id, std::string_view raw) {
    QUIVER_RETURN_IF_ERROR(storage::DecodeVector(raw, config.dimension, &vector));
    return pending.Push(id, vector);
  }));
  QUIVER_RETURN_IF_ERROR(pending.Flush());
  return fresh;
}

Result<RecoveredIndex> RebuildIndex(storage::Store& store, const Layout& layout,
                                    const index::IndexConfig& config, const std::string& reason,
                                    const std::function<void(const std::string&)>& report) {
  report("rebuilding the index of " + layout.root + " from stored vectors: " + reason);
  const auto start = std::chrono::steady_clock::now();
  auto rebuilt = BuildIndexFromStore(store, config);
  if (!rebuilt.ok()) return rebuilt.status().WithContext("rebuilding the index");
  RecoveredIndex out{std::move(*rebuilt), 0, true};
  char line[128];
  std::snprintf(line, sizeof(line), "rebuilt %llu vectors in %.1f s",
                static_cast<unsigned long long>(out.index->live_count()),
                util::SecondsSince(start));
  report(line);
  return out;
}

Result<RecoveredIndex> RecoverIndex(storage::Store& store, const Layout& layout,
                                    const index::IndexConfig& config, const Counters& counters,
                                    const std::function<void(const std::string&)>& report) {
  QUIVER_ASSIGN_OR_RETURN(uint64_t trimmed, store.GetMetaU64(mk::kOplogTrimmedThrough, 0));
  auto loaded = index::VectorIndex::ReadCheckpoint(layout.checkpoint_path(), config);
  RecoveredIndex out;
  std::string reason;
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> training,
                          store.GetMeta(mk::kIndexTraining));
  if (loaded.ok()) {
    reason = StaleCheckpointReason(loaded->sequence, counters.last_sequence, trimmed);
    if (reason.empty() && training.has_value() && !loaded->index->trained()) {
      reason = "the checkpoint predates the stored index training";
    }
    if (reason.empty()) out = {std::move(loaded->index), loaded->sequence, false};
  } else if (loaded.status().IsNotFound() && trimmed == 0) {
    // Never checkpointed: the whole history is still in the operation log.
    QUIVER_ASSIGN_OR_RETURN(out.index, CreateIndex(store, config));
  } else {
    reason = loaded.status().IsNotFound() ? "the checkpoint is missing" : loaded.status().message();
  }
  if (out.index != nullptr) {
    Status replayed = ReplayOplog(store, config, out.index.get(), out.checkpoint_sequence);
    if (!replayed.ok()) {
      reason = "replaying the operation log failed: " + replayed.message();
    } else if (out.index->live_count() != counters.record_count) {
      reason = "the index holds " + std::to_string(out.index->live_count()) +
               " vectors after replay; the store holds " + std::to_string(counters.record_count);
    } else {
      return out;
    }
  }
  return RebuildIndex(store, layout, config, reason, report);
}

namespace {

// Collects the ids of stored vectors holding NaN or infinity, which no search can rank.
class NonFiniteVectors {
 public:
  void Check(const std::string& id, const std::vector<float>& vector) {
    if (std::all_of(vector.begin(), vector.end(), [](float x) { return std::isfinite(x); })) {
      return;
    }
    if (count_++ < kNamed) named_ += (named_.empty() ? "'" : ", '") + id + "'";
  }
  // Corruption naming the first few ids, or OK when there were none.
  Status status() const {
    if (count_ == 0) return Status::OK();
    return Status::Corruption(
        std::to_string(count_) + " stored vector" + (count_ == 1 ? " is" : "s are") +
        " not finite (NaN or infinity): " + named_ + (count_ > kNamed ? ", ..." : "") +
        "; re-embed or delete those records");
  }

 private:
  static constexpr uint64_t kNamed = 10;
  uint64_t count_ = 0;
  std::string named_;
};

}  // namespace

Status VerifyStore(storage::Store& store, int dimension, uint64_t record_count,
                   std::vector<uint64_t>* stored_ids) {
  QUIVER_RETURN_IF_ERROR(store.VerifyChecksums());
  std::vector<float> vector;
  NonFiniteVectors non_finite;
  QUIVER_RETURN_IF_ERROR(store.ScanDocs([&](uint64_t id, const storage::StoredDoc& doc) {
    QUIVER_ASSIGN_OR_RETURN(std::optional<uint64_t> mapped, store.FindInternalId(doc.external_id));
    if (mapped != id) {
      return Status::Corruption("document '" + doc.external_id + "' (internal id " +
                                std::to_string(id) + ") is not what its id maps to");
    }
    Status s = store.GetVector(id, dimension, &vector);
    if (!s.ok()) return s.WithContext("document '" + doc.external_id + "'");
    non_finite.Check(doc.external_id, vector);
    stored_ids->push_back(id);
    return Status::OK();
  }));
  uint64_t id_entries = 0, vectors = 0;
  QUIVER_RETURN_IF_ERROR(store.ScanIds([&](std::string_view, uint64_t) {
    ++id_entries;
    return Status::OK();
  }));
  QUIVER_RETURN_IF_ERROR(store.ScanVectors([&](uint64_t, std::string_view) {
    ++vectors;
    return Status::OK();
  }));
  const uint64_t docs = stored_ids->size();
  if (docs != record_count || id_entries != docs || vectors != docs) {
    return Status::Corruption("store counts disagree: " + std::to_string(docs) + " documents, " +
                              std::to_string(id_entries) + " id entries, " +
                              std::to_string(vectors) + " vectors, record count " +
                              std::to_string(record_count));
  }
  return non_finite.status();
}

Status WriteCheckpoints(storage::Store& store, const Layout& layout,
                        const index::VectorIndex& vectors, const text::Analyzer& analyzer,
                        const text::LexicalIndex& lexical, uint64_t sequence) {
  // Each step's error names it: the caller's message then says what failed.
  Status s = vectors.WriteCheckpoint(layout.checkpoint_path(), sequence, store.faults());
  if (!s.ok()) return s.WithContext("writing the vector index checkpoint");
  s = WriteLexicalCheckpoint(layout, analyzer, lexical, sequence, store.faults());
  if (!s.ok()) return s.WithContext("writing the full-text index checkpoint");
  s = store.TrimOplog(sequence);
  return s.ok() ? s : s.WithContext("trimming the operation log after the checkpoints");
}

}  // namespace quiver::engine
