// The RocksDB store: the single source of truth of a quiver database. Column families (see
// DESIGN.md): meta, docs, ids, vectors, model, postings, oplog, and sources (what an ingested
// file contributed: source path -> engine-defined JSON). All integer keys are
// big-endian (storage/keys.h). Every write goes through a WriteBatch committed atomically
// and synced, so an acknowledged write survives a crash.
#ifndef QUIVER_STORAGE_STORE_H_
#define QUIVER_STORAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "storage/record_codec.h"
#include "util/fault_injection.h"

namespace quiver::storage {

// Well-known keys of the `meta` column family.
namespace meta_key {
inline constexpr std::string_view kFormatVersion = "format_version";
inline constexpr std::string_view kDimension = "dimension";
inline constexpr std::string_view kMetric = "metric";
inline constexpr std::string_view kIndexSpec = "index_spec";
inline constexpr std::string_view kNextInternalId = "next_internal_id";
inline constexpr std::string_view kLastSequence = "last_sequence";
inline constexpr std::string_view kRecordCount = "record_count";
// Operation-log entries up to and including this sequence have been removed.
inline constexpr std::string_view kOplogTrimmedThrough = "oplog_trimmed_through";
// Identity of the embedding model that computed the stored text vectors (absent: none did).
inline constexpr std::string_view kVectorsModel = "vectors_model";
// The full-text analyzer's language and the ICU version whose data segmented the texts.
inline constexpr std::string_view kAnalyzer = "analyzer";
inline constexpr std::string_view kAnalyzerIcu = "analyzer_icu";
// The vector index's shared training (index/vector_index.h's training format), when the
// database was given one (DB::TrainIndex, DB::SetIndexTraining): rebuilds start from it.
inline constexpr std::string_view kIndexTraining = "index_training";
// Followed by a writer's name: the highest WriteTag sequence applied for it (u64).
inline constexpr std::string_view kWriteSequencePrefix = "write_sequence/";
// Format 1 only (removed by the migration to format 2): BM25 statistics of the postings.
inline constexpr std::string_view kPostingDocuments = "posting_documents";
inline constexpr std::string_view kPostingTokens = "posting_tokens";
}  // namespace meta_key

// Well-known keys of the `model` column family.
namespace model_key {
inline constexpr std::string_view kTokenizer = "tokenizer";  // a tokenizer/ blob
inline constexpr std::string_view kInfo = "info";  // JSON: {"source", "identity", "pooling"}
inline constexpr std::string_view kTokenCounts = "token_counts";    // int64 per token (SIF)
inline constexpr std::string_view kSifComponent = "sif_component";  // float per dimension
// JSON: a sentence encoder's description (embed::EncodeSpec), beside its tensors
inline constexpr std::string_view kSentenceModel = "sentence_model";
// The embedding matrix uses keys "matrix.meta" and "matrix/..." (embed/token_table.h); a
// sentence encoder's weights "tensors.meta" and "tensor/..." (embed/tensor_store.h).
}  // namespace model_key

// A set of changes applied all together or not at all by Store::Write.
class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  // Stores doc, id mapping and vector of `internal_id`.
  void PutRecord(uint64_t internal_id, const StoredDoc& doc, std::span<const float> vector);
  // Removes doc, vector and the mapping from `external_id`.
  void DeleteRecord(uint64_t internal_id, std::string_view external_id);
  // Replaces the stored vector of an existing record.
  void PutVector(uint64_t internal_id, std::span<const float> vector);
  void AppendOplog(const OplogEntry& entry);
  void PutMeta(std::string_view key, std::string_view value);
  void PutMetaU64(std::string_view key, uint64_t value);
  void DeleteMeta(std::string_view key);
  // Stores a part of the database's model (tokenizer blob, embedding matrix, ...).
  void PutModel(std::string_view key, std::string_view value);
  // Removes every part of the model (applied before the batch's later PutModel calls).
  void ClearModel();
  // Writes or removes one key of the `postings` column family (storage/keys.h layout), where
  // format 1 kept BM25 postings; format 2 leaves it empty.
  void PutPosting(std::string_view key, std::string_view value);
  void DeletePosting(std::string_view key);
  // Removes every key of the `postings` column family.
  void ClearPostings();
  void PutSource(std::string_view path, std::string_view value);
  void DeleteSource(std::string_view path);

 private:
  friend class Store;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

class Store {
 public:
  enum class Mode {
    kReadWrite,  // takes the directory's lock: Busy when another process holds it
    kReadOnly,   // a consistent view at open time; works while another process writes
  };

  // Opens (or, with create_if_missing, creates) the store in directory `dir`. `faults`
  // (tests only; it must outlive the store) makes the store's file operations fail as it
  // decides (storage/fault_file_system.h). Running out of space, like any failed write, is
  // IOError (RocksDB's "No space left on device"), never a crash.
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, Mode mode,
                                             bool create_if_missing,
                                             util::FaultInjector* faults = nullptr);
  ~Store();

  bool read_only() const;
  // The injector the store was opened with, for the files written beside it; null normally.
  util::FaultInjector* faults() const;

  // Commits `batch` atomically and syncs the log before returning.
  Status Write(WriteBatch& batch);

  // nullopt when the key is absent.
  Result<std::optional<std::string>> GetMeta(std::string_view key);
  // `fallback` when absent; Corruption when present but not a u64.
  Result<uint64_t> GetMetaU64(std::string_view key, uint64_t fallback);

  // nullopt when the model has no part under `key`.
  Result<std::optional<std::string>> GetModel(std::string_view key);

  // nullopt when the key is absent.
  Result<std::optional<std::string>> GetPosting(std::string_view key);
  Result<std::optional<std::string>> GetSource(std::string_view path);
  // nullopt when no record has this external id.
  Result<std::optional<uint64_t>> FindInternalId(std::string_view external_id);
  // FindInternalId of each, in one batched read.
  Result<std::vector<std::optional<uint64_t>>> FindInternalIds(
      std::span<const std::string_view> external_ids);
  // NotFound when absent.
  Result<StoredDoc> GetDoc(uint64_t internal_id);
  Status GetVector(uint64_t internal_id, int dimension, std::vector<float>* out);
  // Batched reads of `docs` (encoded documents, see record_codec.h) and `vectors` (raw
  // float32), one RocksDB MultiGet each: out[i] is the value of ids[i], nullopt when absent.
  using MaybeValues = std::vector<std::optional<std::string>>;
  Result<MaybeValues> MultiGetDocs(std::span<const uint64_t> internal_ids);
  Result<MaybeValues> MultiGetVectors(std::span<const uint64_t> internal_ids);

  // Scans run in key order; a visitor's non-OK Status stops the scan and is returned.
  using DocVisitor = std::function<Status(uint64_t internal_id, const StoredDoc& doc)>;
  using VectorVisitor = std::function<Status(uint64_t internal_id, std::string_view raw)>;
  using IdVisitor = std::function<Status(std::string_view external_id, uint64_t internal_id)>;
  using OplogVisitor = std::function<Status(const OplogEntry& entry)>;
  Status ScanDocs(const DocVisitor& visit);
  // Every document's metadata text, in id order (the cheap scan for filters).
  using MetadataVisitor = std::function<Status(uint64_t internal_id, std::string_view metadata)>;
  Status ScanDocMetadata(const MetadataVisitor& visit);
  Status ScanVectors(const VectorVisitor& visit);
  Status ScanIds(const IdVisitor& visit);
  using KeyValueVisitor = std::function<Status(std::string_view key, std::string_view value)>;
  // Every `postings` key starting with `prefix`, in key order.
  Status ScanPostings(std::string_view prefix, const KeyValueVisitor& visit);
  // Every part of the model (key and value), in key order.
  Status ScanModel(const KeyValueVisitor& visit);
  // Every source path and its value, in path order.
  Status ScanSources(const KeyValueVisitor& visit);
  // Entries with sequence > `after`, in order.
  Status ScanOplog(uint64_t after, const OplogVisitor& visit);

  // Removes operation-log entries with sequence <= `through` and records that in meta.
  Status TrimOplog(uint64_t through);

  // Reads every block of every file, checking RocksDB's checksums.
  Status VerifyChecksums();
  // Full manual compaction of every column family.
  Status CompactAll();

  // Writes a consistent copy of the store, as of this call's start, to the new directory
  // `dir` (RocksDB's checkpoint: a memtable flush, then the live files hard-linked where the
  // file system allows and copied where not). The caller keeps writes out meanwhile if it
  // needs the copy to match other state. InvalidArgument when `dir` exists.
  Status Backup(const std::string& dir);

 private:
  struct Rep;
  explicit Store(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace quiver::storage

#endif  // QUIVER_STORAGE_STORE_H_
