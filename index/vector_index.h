// VectorIndex keeps FAISS behind one small class: stable uint64 ids (the store's internal
// ids), cosine as normalized inner product, training of IVF/PQ indexes once enough vectors
// exist (exact flat search until then), deletes by remove_ids or by tombstones where FAISS
// cannot remove (HNSW), and checkpoint files in the format of index/checkpoint.h.
//
// Not thread-safe: callers serialize mutations and may run const methods concurrently.
#ifndef QUIVER_INDEX_VECTOR_INDEX_H_
#define QUIVER_INDEX_VECTOR_INDEX_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/options.h"
#include "quiver/status.h"
#include "util/fault_injection.h"

namespace quiver::index {

struct IndexConfig {
  int dimension = 0;
  Metric metric = Metric::kCosine;
  std::string spec = "Flat";  // a FAISS index_factory string
};

struct Neighbor {
  uint64_t id = 0;
  float score = 0;  // inner product (cosine, ip) or squared L2 distance (l2)
};

struct QueryParams {
  int k = 10;
  int ef_search = 0;  // 0: the index's own setting (the spec's ef=, else 64)
  int nprobe = 0;     // 0: the index's own setting
};

// Internal ids a filtered search may return: ascending, with a bitmap for membership.
class IdSet {
 public:
  explicit IdSet(std::vector<uint64_t> ascending);
  bool Contains(uint64_t id) const {
    return id < bits_.size() * 64 && ((bits_[id >> 6] >> (id & 63)) & 1) != 0;
  }
  const std::vector<uint64_t>& ids() const { return ids_; }
  size_t size() const { return ids_.size(); }

 private:
  std::vector<uint64_t> ids_;
  std::vector<uint64_t> bits_;
};

class VectorIndex {
 public:
  // InvalidArgument naming the problem when FAISS cannot build `config`.
  static Status Validate(const IndexConfig& config);
  static Result<std::unique_ptr<VectorIndex>> Create(const IndexConfig& config);

  // Reads a checkpoint written by WriteCheckpoint. Corruption when the file is damaged or
  // was written for another dimension, metric or spec; NotFound when there is no file.
  struct Loaded;
  static Result<Loaded> ReadCheckpoint(const std::string& path, const IndexConfig& config);
  // Checks header and payload checksum without building the index.
  static Status VerifyCheckpointFile(const std::string& path);

  // ---- Training shared between indexes ----
  // A training is a trained, empty index of one config in quiver's training format:
  //   bytes 0-3 magic "QVTR", byte 4 version 1, u32 metric, u32 dimension, u32 spec size S,
  //   S bytes of spec, u64 size F, F bytes of FAISS serialization (the index as Create wraps
  //   it, trained, without vectors), u32 CRC-32C of every byte before it (little-endian).
  //
  // Trains a fresh index of `config` on `sample` (n × dimension floats, row major; cosine
  // rows normalized as Add does) and returns its training. InvalidArgument when the spec needs
  // no training, when `sample` is not a whole number of vectors or holds fewer than FAISS
  // needs (the message names how many, and how many quiver would wait for).
  static Result<std::string> Train(const IndexConfig& config, std::span<const float> sample);
  // An empty index of `config` trained with `training`, which later Adds go to directly
  // (no staging). InvalidArgument when the bytes are not a training, or one made for another
  // spec, dimension or metric (each named).
  static Result<std::unique_ptr<VectorIndex>> CreateTrained(const IndexConfig& config,
                                                            std::string_view training);
  // This index's training, for CreateTrained elsewhere. InvalidArgument when the spec needs no
  // training; NotFound while the index is still staging.
  Result<std::string> Training() const;

  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  const IndexConfig& config() const;

  // Adds ids.size() vectors (row-major, config().dimension floats each). Ids must not be
  // in the index already. May train the index when this add reaches the training size.
  Status Add(std::span<const uint64_t> ids, std::span<const float> vectors);
  // Removes these ids; ids not in the index are ignored.
  Status Remove(std::span<const uint64_t> ids);

  // Up to params.k live neighbours, best first; with `allowed`, only ids it contains (the
  // index walks or scans with the filter applied, so up to k of them come back whenever the
  // index finds that many).
  Result<std::vector<Neighbor>> Search(std::span<const float> query, const QueryParams& params,
                                       const IdSet* allowed = nullptr) const;

  // True when the index keeps every vector at full precision (Flat, HNSW over flat storage,
  // and any index still staging), so that SearchAmong can score ids exactly.
  bool HasExactVectors() const;
  // The k best of `ids` scored exactly from the index's own vectors (ids not indexed or
  // tombstoned are skipped). Requires HasExactVectors().
  Result<std::vector<Neighbor>> SearchAmong(std::span<const float> query, int k,
                                            std::span<const uint64_t> ids) const;

  uint64_t live_count() const;
  uint64_t tombstone_count() const;
  // False while a trainable index still answers from its exact staging area.
  bool trained() const;
  // Vectors needed before a trainable index is trained (0 if it needs no training).
  uint64_t training_threshold() const;
  bool Contains(uint64_t id) const;
  // The SIMD distance kernel flavour used for flat and HNSW distances on this CPU.
  static std::string_view DistanceKernelName();
  // Every live id, ascending.
  std::vector<uint64_t> LiveIds() const;

  // Writes the index atomically (temporary file, fsync, rename, directory fsync), recording
  // that it covers the operation log up to `sequence`.
  // `faults` (tests only) may fail its file operations (util/fault_injection.h).
  Status WriteCheckpoint(const std::string& path, uint64_t sequence,
                         util::FaultInjector* faults = nullptr) const;

 private:
  struct Rep;
  explicit VectorIndex(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

struct VectorIndex::Loaded {
  std::unique_ptr<VectorIndex> index;
  uint64_t sequence = 0;  // the operation-log sequence the checkpoint covers
};

}  // namespace quiver::index

#endif  // QUIVER_INDEX_VECTOR_INDEX_H_
