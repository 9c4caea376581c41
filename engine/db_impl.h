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

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "embed/embedding_matrix.h"
#include "embed/pooling.h"
#include "engine/fair_shared_mutex.h"
#include "engine/layout.h"
#include "index/vector_index.h"
#include "quiver/db.h"
#include "storage/store.h"
#include "tokenizer/tokenizer.h"

namespace quiver::engine {

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
  Status ImportWordVectors(const std::string& path, std::string_view format) override;
  Status ImportSafetensors(const std::string& path, const std::string& tensor,
                           const std::string& tokenizer_path) override;
  Status TrainModel(const std::vector<std::string>& corpus, const TrainOptions& options) override;
  Result<ModelInfo> GetModelInfo() override;
  Result<std::vector<float>> TokenVector(std::string_view token) override;
  Result<std::vector<TokenScore>> Neighbors(std::string_view token, int k) override;
  Result<EmbeddedText> Embed(std::string_view text) override;
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
  // InvalidArgument when the database already has a tokenizer or model.
  Status CheckNoModel();
  // Stores tokenizer, matrix and description in one batch; the matrix must have the
  // database's dimension. `source` names where the model came from.
  // With `sif`, the model pools with SIF using those parts; otherwise with mean.
  Status StoreModel(const Tokenizer& tokenizer, const embed::EmbeddingMatrix& matrix,
                    const std::string& source, const SifParts* sif = nullptr);
  // Loads the SIF parts a trained model stored.
  Result<SifParts> LoadSifParts(int64_t rows, int64_t cols);
  // The matrix row of `token` (see DB::TokenVector).
  Result<int64_t> TokenRow(const LoadedModel& model, std::string_view token);
  Status LoadMeta();
  Status RecoverIndex();
  Status ReplayOplog(index::VectorIndex* target, uint64_t after);
  Result<std::unique_ptr<index::VectorIndex>> BuildIndexFromStore();
  Status RebuildIndex(const std::string& reason);
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
  std::unique_ptr<Tokenizer> tokenizer_;  // guarded by tokenizer_mu_; set once
  std::mutex model_mu_;
  std::unique_ptr<LoadedModel> model_;  // guarded by model_mu_; set once

  std::mutex write_mu_;
  mutable FairSharedMutex state_mu_;
  bool closed_ = false;

  // Mirrors of the store's counters; changed only under write_mu_ after a committed write.
  uint64_t next_internal_id_ = 1;
  uint64_t last_sequence_ = 0;
  uint64_t record_count_ = 0;
  uint64_t checkpoint_sequence_ = 0;
};

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_DB_IMPL_H_
