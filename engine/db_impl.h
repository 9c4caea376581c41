// DBImpl: the engine behind quiver::DB. It owns the store (source of truth) and the vector
// index (a cache rebuilt or replayed from the store), and keeps them in step:
//
//   write:   validate -> one synced store batch (records + oplog + counters) -> apply to index
//   open:    checkpoint + replay of the oplog after it; rebuild from `vectors` when the
//            checkpoint is missing, stale or corrupt (announced on stderr)
//   locking: write_mu_ serializes writers; state_mu_ is held shared by readers and
//            exclusively while the index changes or the database closes.
#ifndef QUIVER_ENGINE_DB_IMPL_H_
#define QUIVER_ENGINE_DB_IMPL_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "embed/embedding_matrix.h"
#include "embed/pooling.h"
#include "engine/fair_shared_mutex.h"
#include "engine/layout.h"
#include "engine/metadata_filter.h"
#include "engine/postings.h"
#include "engine/source_reader.h"
#include "index/vector_index.h"
#include "quiver/db.h"
#include "storage/store.h"
#include "tokenizer/tokenizer.h"

namespace quiver::engine {

// Seconds elapsed since `start`.
double SecondsSince(std::chrono::steady_clock::time_point start);

inline constexpr uint64_t kFormatVersion = 1;

class DBImpl final : public DB {
 public:
  static Result<std::unique_ptr<DB>> Open(const Options& options, const std::string& path);
  ~DBImpl() override;

  Status Upsert(const std::vector<Record>& records) override;
  Status CheckRecord(const Record& record) const override;
  Status Delete(const std::vector<std::string>& ids, size_t* removed) override;
  Result<Record> Get(const std::string& id) override;
  Result<std::vector<Hit>> Search(std::span<const float> query,
                                  const SearchOptions& options) override;
  Result<Tokenization> Tokenize(std::string_view text, bool add_special_tokens) override;
  Status ImportWordVectors(const std::string& path, std::string_view format,
                           ExistingModel existing) override;
  Status ImportSafetensors(const std::string& path, const std::string& tensor,
                           const std::string& tokenizer_path, ExistingModel existing) override;
  Status TrainModel(const std::vector<std::string>& corpus, const TrainOptions& options) override;
  Result<ModelInfo> GetModelInfo() override;
  Result<std::vector<float>> TokenVector(std::string_view token) override;
  Result<std::vector<TokenScore>> Neighbors(std::string_view token, int k) override;
  Result<EmbeddedText> Embed(std::string_view text) override;
  Result<IngestSummary> Ingest(const std::vector<std::string>& paths,
                               const IngestOptions& options) override;
  Result<std::vector<Hit>> Query(std::string_view text, const QueryOptions& options) override;
  Result<std::vector<Hit>> QueryLike(const std::string& id, const QueryOptions& options) override;
  Result<ReembedSummary> Reembed() override;
  Result<Stats> GetStats() override;
  Status Verify() override;
  Status Compact() override;
  Status Close() override;

 private:
  DBImpl(const Options& options, Layout layout);

  // Writes the metadata of a new database (and its tokenizer blob, when not empty).
  Status InitializeNew(const std::string& tokenizer_blob);
  // The stored tokenizer, loaded on first use; NotFound when there is none.
  Result<const Tokenizer*> StoredTokenizer();

  // What SIF pooling needs besides the matrix: token counts and the component removed.
  struct SifParts {
    std::vector<int64_t> token_counts;
    std::vector<float> component;
  };

  // The stored embedding model, loaded on first use; NotFound when there is none.
  struct LoadedModel {
    const Tokenizer* tokenizer = nullptr;
    embed::EmbeddingMatrix unit_rows;  // the matrix with rows scaled to unit length
    embed::EmbeddingMatrix matrix;
    SifParts sif;                         // empty for mean pooling
    std::optional<embed::Pooler> pooler;  // refers to `matrix` and `sif`
    ModelInfo info;
  };
  Result<const LoadedModel*> StoredModel();
  // With kRefuse: InvalidArgument when the database already has a tokenizer or model.
  Status CheckNoModel(ExistingModel existing);
  // Stores tokenizer, matrix and description in one batch, replacing any model the database
  // had; the matrix must have the database's dimension. `source` names where the model came
  // from. With `sif`, the model pools with SIF using those parts; otherwise with mean.
  Status StoreModel(const Tokenizer& tokenizer, const embed::EmbeddingMatrix& matrix,
                    const std::string& source, const SifParts* sif = nullptr);
  // Learns a model from the lines `for_each_line` produces (it may be called several times
  // and must produce the same lines each time). Caller holds write_mu_.
  using LineSource = std::function<Status(const std::function<Status(const std::string&)>&)>;
  Status TrainModelLocked(const LineSource& for_each_line, const std::string& description,
                          const TrainOptions& options);
  // Copies the model of the database at `path` (which must have one). Caller holds write_mu_.
  Status CopyModelLocked(const std::string& path);
  // OK when text queries and ingest may use the current model: no record is stored yet, or
  // the stored vectors were computed by this model. InvalidArgument naming both otherwise.
  Status CheckVectorsMatchModel(const LoadedModel& model) const;

  // A record ready to be committed: validated, metadata canonical, source encoded; `terms`
  // (with `length` tokens) are its BM25 postings, none when it has no analyzed text.
  struct PendingRecord {
    std::string id;
    std::vector<float> vector;
    std::string text;
    std::string metadata;
    std::string source;
    std::vector<std::pair<uint32_t, uint32_t>> terms;
    uint32_t length = 0;
  };
  // Everything one atomic write changes.
  struct CommitPlan {
    std::vector<PendingRecord> upserts;  // a later record with the same id wins
    std::vector<std::string> deletes;
    std::vector<std::pair<std::string, std::string>> put_sources;  // path -> value
    std::vector<std::string> delete_sources;
    // Drop every posting first (the upserts then carry the complete new set).
    bool replace_all_postings = false;
    // Record that the current model computed the stored vectors (its identity).
    std::string vectors_model;
    // Build a fresh index from the store afterwards (and checkpoint it) instead of applying
    // the changes to the current one: for plans that replace most records.
    bool rebuild_index = false;
  };
  // Writes `plan` in one synced batch and applies it to the index. Caller holds write_mu_.
  // `removed`, when given, receives how many deleted ids existed.
  Status CommitLocked(CommitPlan& plan, size_t* removed = nullptr);
  // Drops the cached tokenizer and model (after the stored one changed).
  void ForgetModel();
  // BM25 terms of the records' texts, when the database has a model (else none).
  Status AddTerms(std::vector<PendingRecord>* records);

  // Ingest steps (db_text.cc); callers hold write_mu_.
  // InvalidArgument naming both models unless the database at `other_path` has `model`.
  Status CheckSameModel(const LoadedModel& model, const std::string& other_path);
  // Ingests one file (remembered under source `key`, `size` bytes on disk) unless it is
  // unchanged since it was last ingested with `recipe`.
  Status IngestFileLocked(const std::string& path, const std::string& key, uint64_t size,
                          const ReaderOptions& reader, const IngestOptions& options,
                          const std::string& recipe, const LoadedModel& model,
                          IngestSummary* summary);
  // Chunks, tokenizes and embeds every document of `file` (in parallel) into records.
  Status ChunkAndEmbed(const SourceFile& file, const IngestOptions& options,
                       const LoadedModel& model, std::vector<PendingRecord>* records,
                       IngestSummary* summary);
  // Removes sources under `inputs` that were ingested before but are not in `seen`.
  Status PruneSourcesLocked(const std::vector<std::string>& inputs,
                            const std::unordered_set<std::string>& seen, IngestSummary* summary);

  // Query steps (db_text.cc); callers hold state_mu_ shared. Candidate lists are best first
  // and never hold `exclude`; `allowed` (sorted internal ids), when given, limits them.
  Result<std::vector<uint64_t>> MatchingIds(const MetadataFilter& filter);

  // Every record's parsed metadata, in internal id order, as of data version `version`:
  // filters evaluate against it instead of re-reading and re-parsing the store per query.
  struct MetadataSnapshot {
    uint64_t version = 0;
    std::vector<std::pair<uint64_t, nlohmann::json>> rows;
  };
  // The snapshot for the current data version, built when missing or stale; nullptr when the
  // database is too large to keep one (filters then scan the store).
  Result<std::shared_ptr<const MetadataSnapshot>> CurrentMetadata();
  Result<std::vector<ScoredDocument>> DenseCandidates(std::span<const float> query, size_t n,
                                                      const QueryOptions& options,
                                                      const std::vector<uint64_t>* allowed,
                                                      uint64_t exclude);
  Result<std::vector<ScoredDocument>> Bm25Candidates(const TermCounts& terms, size_t n,
                                                     const QueryOptions& options,
                                                     const std::vector<uint64_t>* allowed,
                                                     uint64_t exclude);
  // The hits for a query vector (none: no dense list) and BM25 terms, per options.mode.
  Result<std::vector<Hit>> RankLocked(const std::vector<float>* vector, const TermCounts& terms,
                                      const QueryOptions& options, uint64_t exclude);
  // Loads the SIF parts a trained model stored.
  Result<SifParts> LoadSifParts(int64_t rows, int64_t cols);
  // The matrix row of `token` (see DB::TokenVector).
  Result<int64_t> TokenRow(const LoadedModel& model, std::string_view token);
  Status LoadMeta();
  Status RecoverIndex();
  Status ReplayOplog(index::VectorIndex* target, uint64_t after);
  Result<std::unique_ptr<index::VectorIndex>> BuildIndexFromStore();
  Status RebuildIndex(const std::string& reason);
  // Builds a fresh index from the stored vectors, swaps it in and checkpoints it. Caller holds
  // write_mu_; readers keep using the old index until the swap.
  Status ReplaceIndexFromStoreLocked();
  Status WriteCheckpointLocked();
  // Checkpoints when options_.checkpoint_interval operations have passed since the last.
  Status MaybeCheckpointLocked();
  // Makes the in-memory index reflect a committed batch; rebuilds it if that fails.
  Status ApplyToIndex(const std::vector<uint64_t>& removed, const std::vector<uint64_t>& added,
                      const std::vector<float>& added_vectors);
  Status CheckOpen() const;
  Status CheckWritable() const;
  Status VerifyStore(std::vector<uint64_t>* stored_ids);
  void Report(const std::string& message) const;

  const Options options_;
  const Layout layout_;
  index::IndexConfig config_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<index::VectorIndex> index_;

  std::mutex tokenizer_mu_;
  std::unique_ptr<Tokenizer> tokenizer_;  // guarded by tokenizer_mu_; reset by ForgetModel
  std::mutex model_mu_;
  std::unique_ptr<LoadedModel> model_;  // guarded by model_mu_; reset by ForgetModel
  bool model_absent_ = false;           // guarded by model_mu_: the store has no model

  std::mutex write_mu_;
  mutable FairSharedMutex state_mu_;
  bool closed_ = false;

  // Mirrors of the store's counters; changed only under write_mu_ after a committed write.
  uint64_t next_internal_id_ = 1;
  uint64_t last_sequence_ = 0;
  uint64_t record_count_ = 0;
  uint64_t checkpoint_sequence_ = 0;
  uint64_t posting_documents_ = 0;
  uint64_t posting_tokens_ = 0;
  std::string vectors_model_;  // meta vectors_model; "" when no model computed the vectors
  // Counts committed writes (a new value after each), so caches of stored data can tell
  // they are stale. Read before the store when building such a cache.
  std::atomic<uint64_t> data_version_{0};
  std::mutex metadata_mu_;
  std::shared_ptr<const MetadataSnapshot> metadata_;  // guarded by metadata_mu_
};

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_DB_IMPL_H_
