// DBImpl: the engine behind quiver::DB, a facade that holds the locks and delegates to
//   recovery      open: meta, checkpoint + oplog replay, rebuild (engine/recovery.h)
//   commit        planning a write batch and the counters after it (engine/commit.h)
//   model store   tokenizer and model load, import, training, copy (engine/model_store.h)
//   ingest        files in, one commit per changed file; re-embedding (engine/ingest_pipeline.h)
//   query planner filters, dense and BM25 candidates, fusion (engine/query_planner.h)
//
// The store is the source of truth; the vector index and the full-text index are derived
// state kept in step:
//   write: validate and analyze -> one synced store batch (records + oplog + counters) ->
//          publish the new counters and apply the batch to both indexes, together, under
//          state_mu_ exclusive
//
// Locking: write_mu_ serializes writers (and model changes) and is taken before state_mu_.
// state_mu_ is held shared by readers, exclusively while the indexes, the counters, the
// analyzer or the cached model change. Model pointers from models_ and the analyzer stay
// valid while either lock is held.
#ifndef QUIVER_ENGINE_DB_IMPL_H_
#define QUIVER_ENGINE_DB_IMPL_H_

#include <atomic>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/commit.h"
#include "engine/external_ids.h"
#include "engine/layout.h"
#include "engine/lexical.h"
#include "engine/model_store.h"
#include "engine/open_hooks.h"
#include "engine/query_planner.h"
#include "engine/recovery.h"
#include "index/vector_index.h"
#include "quiver/db.h"
#include "storage/store.h"
#include "util/mutex.h"

namespace quiver::engine {

class DBImpl final : public DB {
 public:
  static Result<std::unique_ptr<DB>> Open(const Options& options, const std::string& path,
                                          const OpenHooks& hooks = {});
  ~DBImpl() override;

  Status Upsert(const std::vector<Record>& records, WriteOutcome* outcome,
                const WriteTag* tag) override;
  Status CheckRecord(const Record& record) const override;
  Status Delete(const std::vector<std::string>& ids, size_t* removed, WriteOutcome* outcome,
                const WriteTag* tag) override;
  Result<uint64_t> LastWriteSequence(std::string_view writer) override;
  Result<CorpusStatistics> TermStatistics(const std::vector<std::string>& texts) override;
  Status TrainIndex(std::span<const float> sample) override;
  Result<std::string> IndexTraining() override;
  Status SetIndexTraining(std::string_view bytes) override;
  Result<Record> Get(const std::string& id) override;
  Result<std::vector<Hit>> Search(std::span<const float> query,
                                  const SearchOptions& options) override;
  Result<Tokenization> Tokenize(std::string_view text, bool add_special_tokens) override;
  Status ImportWordVectors(const std::string& path, std::string_view format,
                           ExistingModel existing) override;
  Status ImportSafetensors(const std::string& path, const std::string& tensor,
                           const std::string& tokenizer_path, ExistingModel existing) override;
  Status ImportModel(const std::string& directory, const ModelImportOptions& options) override;
  Status TrainModel(const std::vector<std::string>& corpus, const TrainOptions& options) override;
  Result<ModelInfo> GetModelInfo() override;
  Result<std::vector<float>> TokenVector(std::string_view token) override;
  using DB::Neighbors;
  Result<std::vector<TokenScore>> Neighbors(const NeighborQuery& query) override;
  Result<EmbeddedText> Embed(std::string_view text) override;
  Result<IngestSummary> Ingest(const std::vector<std::string>& paths,
                               const IngestOptions& options) override;
  Result<std::vector<Hit>> Query(std::string_view text, const QueryOptions& options) override;
  Result<QueryResult> QueryWithReport(std::string_view text, const QueryOptions& options) override;
  Result<std::vector<Hit>> QueryLike(const std::string& id, const QueryOptions& options) override;
  Result<ReembedSummary> Reembed() override;
  Status Reindex(const std::string& language) override;
  Result<Stats> GetStats() override;
  Result<std::vector<std::vector<Hit>>> SearchBatch(std::span<const float> queries,
                                                    const SearchOptions& options) override;
  Result<std::vector<std::vector<Hit>>> QueryBatch(const std::vector<std::string>& texts,
                                                   const QueryOptions& options) override;
  Result<std::vector<QueryResult>> QueryBatchWithReport(const std::vector<std::string>& texts,
                                                        const QueryOptions& options) override;
  Status ScanRecords(const ScanOptions& options, const RecordVisitor& visit) override;
  Status ScanSources(const SourceVisitor& visit) override;
  Status Verify() override;
  Status Compact() override;
  Result<BackupSummary> Backup(const std::string& dest) override;
  Status Close() override;

 private:
  DBImpl(const Options& options, Layout layout);

  // Open's steps: a new store's meta, or an existing one's (migrated to the current format);
  // then the indexes.
  // Load sets *lexical_rebuild_reason when the full-text index must be rebuilt whatever its
  // checkpoint holds (a store migrated from format 1), for Recover.
  Status Create(const std::string& tokenizer_blob) REQUIRES(write_mu_);
  Status Load(std::string* lexical_rebuild_reason) REQUIRES(write_mu_);
  Status Recover(const std::string& lexical_rebuild_reason) REQUIRES(write_mu_);
  // The analyzer meta names (english for format 1, whose store it migrates unless read-only);
  // records the running ICU version when another one segmented the texts.
  Status LoadAnalyzer(const StoredMeta& meta, std::string* lexical_rebuild_reason)
      REQUIRES(write_mu_);

  // Writes `plan` in one synced batch and publishes it. `removed`, when given, receives how
  // many deleted ids existed; `outcome` whether the batch is durable. An error after the
  // batch is durable (publishing, checkpointing) says so in its message.
  Status CommitLocked(CommitPlan& plan, size_t* removed = nullptr, WriteOutcome* outcome = nullptr)
      REQUIRES(write_mu_);
  // Tags `plan` with `tag` (none: nothing to do) and returns true, or returns false, setting
  // outcome->already_applied, when the tag's writer has reached its sequence already.
  Result<bool> ClaimTagLocked(const WriteTag* tag, CommitPlan* plan, WriteOutcome* outcome)
      REQUIRES(write_mu_);
  // Stores `training` (checked by the caller) as the index training and rebuilds the indexes
  // under it; the old vector checkpoint is removed first, so that recovery never pairs it
  // with the new training.
  Status AdoptTrainingLocked(const std::string& training) REQUIRES(write_mu_) EXCLUDES(state_mu_);
  // Makes the counters and both indexes reflect a durable batch of `plan`; rebuilds them when
  // applying fails.
  Status Publish(const CommitPlan& plan, const PreparedCommit& commit) REQUIRES(write_mu_)
      EXCLUDES(state_mu_);
  // Builds fresh indexes from the store, swaps them in (with `counters`, when given) and
  // checkpoints them. Readers keep using the old indexes until the swap.
  Status ReplaceIndexFromStoreLocked(const Counters* counters = nullptr) REQUIRES(write_mu_)
      EXCLUDES(state_mu_);
  // Replaces both indexes by ones rebuilt from the store, announcing `reason`.
  Status RebuildHeld(const std::string& reason) REQUIRES(state_mu_);
  // Whether the full-text index's tombstones are more than a tenth of its documents, which
  // checkpoints then merge away.
  bool LexicalCompactionDue() const REQUIRES_SHARED(state_mu_);
  // Checkpoints the indexes (compacting the full-text one first when due): the first with
  // state_mu_ held exclusively, the second taking it.
  Status CheckpointHeld() REQUIRES(state_mu_);
  Status CheckpointLocked() REQUIRES(write_mu_) EXCLUDES(state_mu_);
  // Checkpoints when options_.checkpoint_interval operations have passed since the last.
  Status MaybeCheckpointLocked() REQUIRES(write_mu_) EXCLUDES(state_mu_);

  // The full-text terms of the records' texts, by the current analyzer; returns it.
  const text::Analyzer* AddTerms(std::vector<PendingRecord>* records) EXCLUDES(state_mu_);
  // The model an ingest uses: the stored one, else one copied or trained (announced).
  Result<const LoadedModel*> ModelForIngestLocked(const std::vector<std::string>& files,
                                                  const IngestOptions& options,
                                                  IngestSummary* summary) REQUIRES(write_mu_);
  // Drops the cached model after the stored one changed.
  void ForgetModel() EXCLUDES(state_mu_);

  Counters CurrentCounters() const EXCLUDES(state_mu_);
  QueryContext Context() const REQUIRES_SHARED(state_mu_);
  // The full-text query of `text`, or of a stored record's text for QueryLike (its distinct
  // terms, each a should clause).
  Result<text::LexicalQuery> ParseTextQuery(std::string_view text) const REQUIRES_SHARED(state_mu_);
  text::LexicalQuery LikeQuery(std::string_view text) const REQUIRES_SHARED(state_mu_);
  Status CheckOpen() const;
  Status CheckWritable() const;
  void Report(const std::string& message) const;

  const Options options_;
  const Layout layout_;
  index::IndexConfig config_;  // set by Open, constant afterwards
  // Set by Open; reset by Close holding both locks, so either lock keeps it valid.
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ModelStore> models_;  // set by Open, with store_
  // Set by Open; replaced by Reindex holding both locks, so either lock keeps them valid.
  std::unique_ptr<text::Analyzer> analyzer_;
  QueryPlanner planner_;

  util::Mutex write_mu_ ACQUIRED_BEFORE(state_mu_);
  mutable util::FairSharedMutex state_mu_;
  std::atomic<bool> closed_{false};  // set once, by Close holding both locks
  std::unique_ptr<index::VectorIndex> index_ GUARDED_BY(state_mu_);
  std::unique_ptr<text::LexicalIndex> lexical_ GUARDED_BY(state_mu_);
  Counters counters_ GUARDED_BY(state_mu_);
  // The operation-log sequence both on-disk checkpoints cover (the lower of the two).
  uint64_t checkpoint_sequence_ GUARDED_BY(state_mu_) = 0;
  // Built by the first ids-only search (under state_mu_ shared), applied to by Publish.
  mutable ExternalIds external_ids_;
  // Counts committed writes (a new value after each), so caches of stored data can tell
  // they are stale. Read before the store when building such a cache.
  std::atomic<uint64_t> data_version_{0};
};

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_DB_IMPL_H_
