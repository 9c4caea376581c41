// VectorIndex over FAISS. Longer than the house's ~600 lines because the shared training
// (Train, CreateTrained, Training, at the end) needs the same private Rep, factory and
// id-wrapping helpers as the rest; its byte format lives apart, in training_format.cc.
#include "index/vector_index.h"

#include <faiss/IVFlib.h>
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <unordered_set>

#include "index/checkpoint.h"
#include "index/hnsw_build.h"
#include "index/hnsw_search.h"
#include "index/index_spec.h"
#include "index/simd/accelerate.h"
#include "index/simd/kernel_flat_index.h"
#include "index/training_format.h"

namespace quiver::index {
namespace {

using faiss_id = faiss::Index::idx_t;

// Every FAISS index_factory misconfiguration throws; quiver callers get a Status instead, of
// the class `make` gives (bad input unless said otherwise).
template <typename Fn>
Status Guard(std::string_view what, Fn&& fn,
             Status (*make)(std::string_view) = &Status::InvalidArgument) {
  try {
    fn();
    return Status::OK();
  } catch (const std::exception& e) {
    return make(std::string(what) + ": " + e.what());
  }
}

faiss::MetricType ToFaissMetric(Metric metric) {
  return metric == Metric::kL2 ? faiss::METRIC_L2 : faiss::METRIC_INNER_PRODUCT;
}

// The text of a FAISS exception without its "Error in <function> at <file>:<line>: " prefix.
std::string FaissReason(const std::exception& e) {
  std::string text = e.what();
  size_t at = text.rfind(": ");
  return at == std::string::npos ? text : text.substr(at + 2);
}

Result<std::unique_ptr<faiss::Index>> BuildFromSpec(const IndexConfig& config) {
  auto hint = [&](const std::string& why) {
    return Status::InvalidArgument("invalid index spec '" + config.spec + "' (" + why +
                                   "); expected a FAISS index_factory string such as Flat, "
                                   "HNSW32, IVF1024,Flat or IVF1024,PQ16, optionally with "
                                   "HNSW parameters such as HNSW32,efC=200,ef=64");
  };
  if (config.dimension <= 0) {
    return Status::InvalidArgument("dimension must be > 0; found " +
                                   std::to_string(config.dimension));
  }
  if (config.spec.empty()) return hint("it is empty");
  QUIVER_ASSIGN_OR_RETURN(const ParsedSpec parsed, ParseIndexSpec(config.spec));
  if (parsed.factory.empty()) return hint("it names no index");
  if (parsed.factory.rfind("IDMap", 0) == 0) return hint("quiver maps ids itself");
  try {
    std::unique_ptr<faiss::Index> index(faiss::index_factory(
        config.dimension, parsed.factory.c_str(), ToFaissMetric(config.metric)));
    ApplySpecParams(index.get(), parsed);
    return index;
  } catch (const std::exception& e) {
    return hint(FaissReason(e));
  }
}

// Vectors a trainable index needs before training gives useful centroids (FAISS warns
// below 39 points per centroid).
uint64_t TrainingThreshold(const faiss::Index* index) {
  if (index->is_trained) return 0;
  uint64_t centroids = 0;
  if (const auto* ivf = faiss::ivflib::try_extract_index_ivf(index)) centroids = ivf->nlist;
  if (const auto* pq = dynamic_cast<const faiss::IndexPQ*>(index)) {
    centroids = std::max<uint64_t>(centroids, pq->pq.ksub);
  }
  if (const auto* ivfpq = dynamic_cast<const faiss::IndexIVFPQ*>(index)) {
    centroids = std::max<uint64_t>(centroids, ivfpq->pq.ksub);
  }
  return centroids > 0 ? 39 * centroids : 1000;
}

// The fewest vectors FAISS trains `index` on: one per centroid of its IVF lists or PQ codebooks.
uint64_t MinimumTrainingVectors(const faiss::Index* index) {
  uint64_t centroids = 1;
  if (const auto* ivf = faiss::ivflib::try_extract_index_ivf(index)) centroids = ivf->nlist;
  if (const auto* pq = dynamic_cast<const faiss::IndexPQ*>(index)) {
    centroids = std::max<uint64_t>(centroids, pq->pq.ksub);
  }
  if (const auto* ivfpq = dynamic_cast<const faiss::IndexIVFPQ*>(index)) {
    centroids = std::max<uint64_t>(centroids, ivfpq->pq.ksub);
  }
  return centroids;
}

// FAISS can remove ids from flat and IVF indexes; others (HNSW) get tombstones.
bool SupportsRemoval(const faiss::Index* index) {
  return dynamic_cast<const faiss::IndexFlatCodes*>(index) != nullptr ||
         faiss::ivflib::try_extract_index_ivf(index) != nullptr;
}

// IVF indexes store caller ids themselves (and renumber nothing on removal); every other
// index numbers vectors 0..n-1 and needs an IndexIDMap2 around it.
bool HasNativeIds(const faiss::Index* index) {
  return faiss::ivflib::try_extract_index_ivf(index) != nullptr &&
         dynamic_cast<const faiss::IndexIDMap2*>(index) == nullptr;
}

std::unique_ptr<faiss::Index> WithIds(std::unique_ptr<faiss::Index> inner) {
  if (HasNativeIds(inner.get())) return inner;
  auto root = std::make_unique<faiss::IndexIDMap2>(inner.release());
  root->own_fields = true;
  return root;
}

std::vector<faiss_id> IvfIds(const faiss::Index* index) {
  std::vector<faiss_id> ids;
  const faiss::IndexIVF* ivf = faiss::ivflib::try_extract_index_ivf(index);
  for (size_t list = 0; list < ivf->nlist; ++list) {
    const size_t size = ivf->invlists->list_size(list);
    faiss::InvertedLists::ScopedIds list_ids(ivf->invlists, list);
    ids.insert(ids.end(), list_ids.get(), list_ids.get() + size);
  }
  return ids;
}

// A FAISS writer that streams into a checkpoint's payload.
struct SinkWriter : faiss::IOWriter {
  explicit SinkWriter(PayloadSink* sink) : sink(sink) {}
  size_t operator()(const void* ptr, size_t size, size_t nitems) override {
    return sink->Append(ptr, size * nitems) ? nitems : 0;
  }
  PayloadSink* sink;
};

// Reads from a mapped payload, for our own fields and as a FAISS reader; every read checks
// the remaining size.
struct SpanReader : faiss::IOReader {
  SpanReader(const uint8_t* data, size_t size) : p(data), left(size) {}
  bool Read(void* out, size_t size) { return (*this)(out, 1, size) == size; }
  size_t operator()(void* ptr, size_t size, size_t nitems) override {
    if (size == 0) return 0;
    const size_t n = std::min(nitems, left / size);
    if (n == 0) return 0;  // FAISS reads empty vectors into a null pointer: no memcpy then
    std::memcpy(ptr, p, n * size);
    p += n * size;
    left -= n * size;
    return n;
  }
  const uint8_t* p;
  size_t left;
};

}  // namespace

struct VectorIndex::Rep {
  IndexConfig config;
  // The index built from config.spec (wrapped by WithIds), searched once trained.
  std::unique_ptr<faiss::Index> main;
  // An exact flat index that holds vectors until `main` can be trained; null afterwards.
  std::unique_ptr<faiss::IndexIDMap2> staging;
  // Ids removed from indexes that cannot remove (HNSW); filtered out of results.
  std::unordered_set<faiss_id> tombstones;
  uint64_t threshold = 0;
  bool removal_supported = true;

  faiss::Index& active() const { return staging ? *staging : *main; }
  const faiss::IndexIDMap2* id_map() const {
    return dynamic_cast<const faiss::IndexIDMap2*>(&active());
  }

  void Normalize(float* vector) const {
    if (config.metric != Metric::kCosine) return;
    double norm = 0;
    for (int i = 0; i < config.dimension; ++i) norm += double(vector[i]) * vector[i];
    if (norm == 0) return;
    const float scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (int i = 0; i < config.dimension; ++i) vector[i] *= scale;
  }

  // Every id held by the active index, tombstoned or not.
  std::vector<faiss_id> AllIds() const {
    if (const auto* map = id_map()) return map->id_map;
    return IvfIds(&active());
  }

  bool Indexed(faiss_id id) const {
    if (const auto* map = id_map()) return map->rev_map.find(id) != map->rev_map.end();
    const auto ids = IvfIds(&active());
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }

  // Trains `main` on the staged vectors, moves them over and drops the staging area.
  void TrainFromStaging() {
    const auto* flat = static_cast<const faiss::IndexFlat*>(staging->index);
    const faiss_id n = staging->ntotal;
    main->train(n, flat->get_xb());
    main->add_with_ids(n, flat->get_xb(), staging->id_map.data());
    staging.reset();
  }

  // The index that answers searches, and how its result labels become ids.
  const faiss::Index& searched() const {
    const auto* map = id_map();
    return map ? *map->index : active();
  }
  faiss_id LabelToId(faiss_id label) const {
    const auto* map = id_map();
    return map ? map->id_map[label] : label;
  }

  // The HNSW graph when quiver's own walk can search it (flat storage); else null.
  const faiss::IndexHNSW* walkable_hnsw() const {
    const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(&searched());
    return hnsw != nullptr && HnswSearchable(*hnsw) ? hnsw : nullptr;
  }
  // The flat float rows the searched index keeps (its own, or its HNSW storage's); null
  // for IVF, PQ and other compressed indexes.
  const faiss::IndexFlat* flat_rows() const {
    const faiss::Index* inner = &searched();
    if (const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(inner)) inner = hnsw->storage;
    return dynamic_cast<const faiss::IndexFlat*>(inner);
  }
  // Storage position of `id` in the searched index; -1 when absent.
  faiss_id IdToLabel(faiss_id id) const {
    const auto* map = id_map();
    if (map == nullptr) return -1;
    auto it = map->rev_map.find(id);
    return it == map->rev_map.end() ? -1 : it->second;
  }

  Result<std::vector<Neighbor>> SearchHnsw(const faiss::IndexHNSW& hnsw, const float* q,
                                           const QueryParams& params, const IdSet* allowed) const;
  Result<std::vector<Neighbor>> SearchFaiss(const float* q, const QueryParams& params,
                                            const IdSet* allowed) const;
};

namespace {

// Admits the graph positions whose id is allowed and not tombstoned.
class LabelFilter final : public NodeFilter {
 public:
  LabelFilter(const std::vector<faiss_id>& id_map, const IdSet* allowed,
              const std::unordered_set<faiss_id>& tombstones)
      : id_map_(id_map), allowed_(allowed), tombstones_(tombstones) {}
  bool Accept(int64_t label) const override {
    const faiss_id id = id_map_[label];
    if (allowed_ != nullptr && !allowed_->Contains(static_cast<uint64_t>(id))) return false;
    return tombstones_.empty() || !tombstones_.contains(id);
  }

 private:
  const std::vector<faiss_id>& id_map_;
  const IdSet* allowed_;
  const std::unordered_set<faiss_id>& tombstones_;
};

// An IVF search's selector over caller ids.
struct IdSetSelector final : faiss::IDSelector {
  explicit IdSetSelector(const IdSet* set) : set(set) {}
  bool is_member(faiss_id id) const override {
    return id >= 0 && set->Contains(static_cast<uint64_t>(id));
  }
  const IdSet* set;
};

// What IndexIDMap2::add_with_ids does, with the graph linked by quiver's HnswAdd.
void AddToWalkableHnsw(faiss::IndexIDMap2& map, faiss::IndexHNSW& hnsw,
                       const std::vector<float>& rows, const std::vector<faiss_id>& labels) {
  const faiss_id first = map.ntotal;
  HnswAdd(hnsw, labels.size(), rows.data());
  map.id_map.insert(map.id_map.end(), labels.begin(), labels.end());
  map.ntotal = hnsw.ntotal;
  for (faiss_id position = first; position < map.ntotal; ++position) {
    map.rev_map[map.id_map[position]] = position;
  }
}

}  // namespace

Result<std::vector<Neighbor>> VectorIndex::Rep::SearchHnsw(const faiss::IndexHNSW& hnsw,
                                                           const float* q,
                                                           const QueryParams& params,
                                                           const IdSet* allowed) const {
  const int ef = params.ef_search > 0 ? params.ef_search : hnsw.hnsw.efSearch;
  const std::vector<faiss_id>& map = id_map()->id_map;
  LabelFilter filter(map, allowed, tombstones);
  const bool filtered = allowed != nullptr || !tombstones.empty();
  thread_local std::vector<std::pair<float, int64_t>> found;
  HnswSearch(hnsw, q, params.k, ef, filtered ? &filter : nullptr, &found);
  const bool ip = hnsw.metric_type == faiss::METRIC_INNER_PRODUCT;
  std::vector<Neighbor> hits;
  hits.reserve(found.size());
  for (const auto& [distance, label] : found) {
    hits.push_back({static_cast<uint64_t>(map[label]), ip ? -distance : distance});
  }
  return hits;
}

Result<std::vector<Neighbor>> VectorIndex::Rep::SearchFaiss(const float* q,
                                                            const QueryParams& params,
                                                            const IdSet* allowed) const {
  const faiss::Index& index = searched();
  const faiss::IndexIVF* ivf = faiss::ivflib::try_extract_index_ivf(&index);
  IdSetSelector selector(allowed);
  faiss::SearchParametersIVF ivf_params;
  const faiss::SearchParameters* search_params = nullptr;
  if (ivf != nullptr && (params.nprobe > 0 || allowed != nullptr)) {
    ivf_params.nprobe = params.nprobe > 0 ? static_cast<size_t>(params.nprobe) : ivf->nprobe;
    if (allowed != nullptr) ivf_params.sel = &selector;
    search_params = &ivf_params;
  }
  // Without a selector (other compressed indexes), filtered searches fetch more candidates
  // until k pass.
  const bool post_filter = allowed != nullptr && ivf == nullptr;
  const faiss_id total = active().ntotal;
  std::vector<Neighbor> hits;
  for (faiss_id wanted = static_cast<faiss_id>(params.k) + static_cast<faiss_id>(tombstones.size());
       ; wanted *= 2) {
    const faiss_id fetch = std::min<faiss_id>(total, wanted);
    if (fetch <= 0) return hits;
    std::vector<float> distances(fetch);
    std::vector<faiss_id> labels(fetch);
    QUIVER_RETURN_IF_ERROR(Guard("searching the index", [&] {
      index.search(1, q, fetch, distances.data(), labels.data(), search_params);
    }));
    hits.clear();
    for (faiss_id i = 0; i < fetch && hits.size() < static_cast<size_t>(params.k); ++i) {
      if (labels[i] < 0) continue;
      const faiss_id id = LabelToId(labels[i]);
      if (tombstones.contains(id)) continue;
      if (post_filter && !allowed->Contains(static_cast<uint64_t>(id))) continue;
      hits.push_back({static_cast<uint64_t>(id), distances[i]});
    }
    if (!post_filter || hits.size() == static_cast<size_t>(params.k) || fetch == total) {
      return hits;
    }
  }
}

IdSet::IdSet(std::vector<uint64_t> ascending) : ids_(std::move(ascending)) {
  if (ids_.empty()) return;
  bits_.assign(ids_.back() / 64 + 1, 0);
  for (uint64_t id : ids_) bits_[id >> 6] |= uint64_t{1} << (id & 63);
}

VectorIndex::VectorIndex(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
VectorIndex::~VectorIndex() = default;

Status VectorIndex::Validate(const IndexConfig& config) { return BuildFromSpec(config).status(); }

Result<std::unique_ptr<VectorIndex>> VectorIndex::Create(const IndexConfig& config) {
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<faiss::Index> built, BuildFromSpec(config));
  auto rep = std::make_unique<Rep>();
  rep->config = config;
  rep->threshold = TrainingThreshold(built.get());
  rep->removal_supported = SupportsRemoval(built.get());
  rep->main = WithIds(std::move(built));
  simd::AccelerateIndex(rep->main.get());
  if (rep->threshold > 0) {
    auto flat = std::make_unique<faiss::IndexFlat>(config.dimension, ToFaissMetric(config.metric));
    rep->staging.reset(static_cast<faiss::IndexIDMap2*>(WithIds(std::move(flat)).release()));
    simd::AccelerateIndex(rep->staging.get());
  }
  return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(rep)));
}

const IndexConfig& VectorIndex::config() const { return rep_->config; }

Status VectorIndex::Add(std::span<const uint64_t> ids, std::span<const float> vectors) {
  const size_t dim = rep_->config.dimension;
  if (vectors.size() != ids.size() * dim) {
    return Status::InvalidArgument("index add got " + std::to_string(vectors.size()) +
                                   " floats for " + std::to_string(ids.size()) + " vectors of " +
                                   std::to_string(dim));
  }
  if (ids.empty()) return Status::OK();
  std::vector<faiss_id> labels(ids.begin(), ids.end());
  if (const auto* map = rep_->id_map()) {  // IVF lists are not checked: that would scan them
    for (faiss_id id : labels) {
      if (map->rev_map.contains(id)) {
        return Status::InvalidArgument("internal id " + std::to_string(id) + " is already indexed");
      }
    }
  }
  std::vector<float> rows(vectors.begin(), vectors.end());
  for (size_t i = 0; i < ids.size(); ++i) rep_->Normalize(&rows[i * dim]);
  return Guard("adding to the index", [&] {
    auto* map = dynamic_cast<faiss::IndexIDMap2*>(&rep_->active());
    auto* hnsw = map != nullptr ? dynamic_cast<faiss::IndexHNSW*>(map->index) : nullptr;
    if (hnsw != nullptr && HnswSearchable(*hnsw)) {
      AddToWalkableHnsw(*map, *hnsw, rows, labels);
      return;
    }
    rep_->active().add_with_ids(static_cast<faiss_id>(ids.size()), rows.data(), labels.data());
    if (rep_->staging && static_cast<uint64_t>(rep_->staging->ntotal) >= rep_->threshold) {
      rep_->TrainFromStaging();
    }
  });
}

Status VectorIndex::Remove(std::span<const uint64_t> ids) {
  if (ids.empty()) return Status::OK();
  if (rep_->staging == nullptr && !rep_->removal_supported) {
    for (uint64_t id : ids) {
      const auto label = static_cast<faiss_id>(id);
      if (rep_->Indexed(label)) rep_->tombstones.insert(label);
    }
    return Status::OK();
  }
  std::vector<faiss_id> labels(ids.begin(), ids.end());
  return Guard("removing from the index", [&] {
    faiss::IDSelectorBatch selector(labels.size(), labels.data());
    rep_->active().remove_ids(selector);
  });
}

Result<std::vector<Neighbor>> VectorIndex::Search(std::span<const float> query,
                                                  const QueryParams& params,
                                                  const IdSet* allowed) const {
  if (params.k <= 0) {
    return Status::InvalidArgument("k must be > 0; found " + std::to_string(params.k));
  }
  if (query.size() != static_cast<size_t>(rep_->config.dimension)) {
    return Status::InvalidArgument("query has " + std::to_string(query.size()) +
                                   " dimensions; this index stores " +
                                   std::to_string(rep_->config.dimension));
  }
  if (rep_->active().ntotal == 0) return std::vector<Neighbor>();
  if (const faiss::IndexHNSW* hnsw = rep_->walkable_hnsw()) {
    thread_local std::vector<float> q;
    q.assign(query.begin(), query.end());
    rep_->Normalize(q.data());
    return rep_->SearchHnsw(*hnsw, q.data(), params, allowed);
  }
  // A flat index scores just the allowed ids: exact at any selectivity.
  if (allowed != nullptr && rep_->flat_rows() != nullptr) {
    return SearchAmong(query, params.k, allowed->ids());
  }
  std::vector<float> q(query.begin(), query.end());
  rep_->Normalize(q.data());
  return rep_->SearchFaiss(q.data(), params, allowed);
}

bool VectorIndex::HasExactVectors() const {
  return rep_->flat_rows() != nullptr && rep_->id_map() != nullptr;
}

Result<std::vector<Neighbor>> VectorIndex::SearchAmong(std::span<const float> query, int k,
                                                       std::span<const uint64_t> ids) const {
  const faiss::IndexFlat* flat = rep_->flat_rows();
  if (flat == nullptr || rep_->id_map() == nullptr) {
    return Status::NotSupported("index '" + rep_->config.spec + "' keeps no exact vectors");
  }
  if (query.size() != static_cast<size_t>(rep_->config.dimension) || k <= 0) {
    return Status::InvalidArgument("exact search needs k > 0 and a query of " +
                                   std::to_string(rep_->config.dimension) + " dimensions");
  }
  std::vector<float> q(query.begin(), query.end());
  rep_->Normalize(q.data());
  const bool ip = flat->metric_type == faiss::METRIC_INNER_PRODUCT;
  simd::PairKernel kernel = ip ? faiss::fvec_inner_product : faiss::fvec_L2sqr;
  if (const auto* fast = dynamic_cast<const simd::KernelFlatIndex*>(flat)) {
    kernel = ip ? fast->kernels().ip : fast->kernels().l2;
  }
  const size_t d = static_cast<size_t>(rep_->config.dimension);
  const float* rows = flat->get_xb();
  std::vector<Neighbor> scored;
  scored.reserve(ids.size());
  for (uint64_t id : ids) {
    const auto label = rep_->IdToLabel(static_cast<faiss_id>(id));
    if (label < 0 || rep_->tombstones.contains(static_cast<faiss_id>(id))) continue;
    scored.push_back({id, kernel(q.data(), rows + static_cast<size_t>(label) * d, d)});
  }
  // Best first (higher similarity, lower distance), ties to the lower id.
  auto better = [ip](const Neighbor& a, const Neighbor& b) {
    if (a.score != b.score) return ip ? a.score > b.score : a.score < b.score;
    return a.id < b.id;
  };
  const size_t n = std::min<size_t>(scored.size(), static_cast<size_t>(k));
  std::partial_sort(scored.begin(), scored.begin() + n, scored.end(), better);
  scored.resize(n);
  return scored;
}

uint64_t VectorIndex::live_count() const {
  return static_cast<uint64_t>(rep_->active().ntotal) - rep_->tombstones.size();
}
uint64_t VectorIndex::tombstone_count() const { return rep_->tombstones.size(); }
bool VectorIndex::trained() const { return rep_->staging == nullptr; }
uint64_t VectorIndex::training_threshold() const { return rep_->threshold; }

bool VectorIndex::Contains(uint64_t id) const {
  const auto label = static_cast<faiss_id>(id);
  return rep_->Indexed(label) && !rep_->tombstones.contains(label);
}

std::string_view VectorIndex::DistanceKernelName() { return simd::ActiveKernelName(); }

std::vector<uint64_t> VectorIndex::LiveIds() const {
  std::vector<uint64_t> ids;
  ids.reserve(live_count());
  for (faiss_id id : rep_->AllIds()) {
    if (!rep_->tombstones.contains(id)) ids.push_back(static_cast<uint64_t>(id));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Payload: u32 spec size, spec, u8 trained, u64 tombstone count, tombstones (i64 each),
// then the FAISS serialization of the active index (a plain FAISS file).
Status VectorIndex::WriteCheckpoint(const std::string& path, uint64_t sequence,
                                    util::FaultInjector* faults) const {
  CheckpointHeader header;
  header.metric = static_cast<uint32_t>(rep_->config.metric);
  header.sequence = sequence;
  header.dimension = static_cast<uint32_t>(rep_->config.dimension);
  header.live_count = live_count();
  return WriteCheckpointFile(path, header, faults, [&](PayloadSink& sink) {
    const std::string& spec = rep_->config.spec;
    const uint32_t spec_size = static_cast<uint32_t>(spec.size());
    const uint8_t trained = rep_->staging ? 0 : 1;
    const uint64_t tombstones = rep_->tombstones.size();
    sink.Append(&spec_size, 4);
    sink.Append(spec.data(), spec.size());
    sink.Append(&trained, 1);
    sink.Append(&tombstones, 8);
    for (faiss_id id : rep_->tombstones) sink.Append(&id, 8);
    SinkWriter writer(&sink);
    // FAISS throws when the sink refuses bytes, i.e. the file write failed (a full disk).
    return Guard(
        "serializing the index", [&] { faiss::write_index(&rep_->active(), &writer); },
        &Status::IOError);
  });
}

Result<VectorIndex::Loaded> VectorIndex::ReadCheckpoint(const std::string& path,
                                                        const IndexConfig& config) {
  QUIVER_ASSIGN_OR_RETURN(const std::unique_ptr<MappedCheckpoint> mapped,
                          MappedCheckpoint::Open(path));
  const CheckpointHeader& header = mapped->header();
  auto mismatch = [&](const std::string& what) {
    return Status::Corruption("checkpoint " + path + " was written for another " + what);
  };
  if (header.dimension != static_cast<uint32_t>(config.dimension)) return mismatch("dimension");
  if (header.metric != static_cast<uint32_t>(config.metric)) return mismatch("metric");

  SpanReader reader(mapped->payload(), mapped->payload_size());
  uint32_t spec_size = 0;
  uint8_t trained = 0;
  uint64_t tombstone_count = 0;
  std::string spec;
  bool ok = reader.Read(&spec_size, 4) && spec_size <= reader.left;
  if (ok) {
    spec.resize(spec_size);
    ok = reader.Read(spec.data(), spec_size) && reader.Read(&trained, 1) &&
         reader.Read(&tombstone_count, 8) && tombstone_count <= reader.left / 8;
  }
  if (!ok) return Status::Corruption("checkpoint " + path + " has a malformed payload");
  if (spec != config.spec) return mismatch("index spec");

  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<VectorIndex> created, Create(config));
  Rep& rep = *created->rep_;
  for (uint64_t i = 0; i < tombstone_count; ++i) {
    faiss_id id;
    reader.Read(&id, 8);
    rep.tombstones.insert(id);
  }
  std::unique_ptr<faiss::Index> loaded;
  Status s = Guard("reading the checkpoint's FAISS index",
                   [&] { loaded.reset(faiss::read_index(&reader)); });
  if (!s.ok()) return Status::Corruption(s.message());
  // The staging area is an IndexIDMap2; the trained index is an IDMap2 or a native-id IVF.
  auto* id_map = dynamic_cast<faiss::IndexIDMap2*>(loaded.get());
  const bool layout_ok =
      loaded->d == config.dimension &&
      (trained ? (id_map != nullptr) != HasNativeIds(loaded.get()) : id_map != nullptr);
  if (!layout_ok) return mismatch("index layout");
  QUIVER_ASSIGN_OR_RETURN(const ParsedSpec parsed, ParseIndexSpec(config.spec));
  ApplySpecParams(loaded.get(), parsed);
  simd::AccelerateIndex(loaded.get());
  if (trained) {
    rep.main = std::move(loaded);
    rep.staging.reset();
  } else {
    loaded.release();
    rep.staging.reset(id_map);
  }
  if (created->live_count() != header.live_count) return mismatch("vector count");
  return Loaded{std::move(created), header.sequence};
}

// ---- shared training ----

namespace {

// FAISS's serialization of `index`.
std::string SerializeFaiss(const faiss::Index& index) {
  faiss::VectorIOWriter writer;
  faiss::write_index(&index, &writer);
  return std::string(writer.data.begin(), writer.data.end());
}

// The training of a trained index (a copy emptied of its vectors).
Result<std::string> TrainingOf(const IndexConfig& config, const faiss::Index& trained) {
  std::string training;
  QUIVER_RETURN_IF_ERROR(Guard(
      "serializing the index training",
      [&] {
        std::string full = SerializeFaiss(trained);
        SpanReader reader(reinterpret_cast<const uint8_t*>(full.data()), full.size());
        std::unique_ptr<faiss::Index> copy(faiss::read_index(&reader));
        copy->reset();
        training = EncodeTraining(config, SerializeFaiss(*copy));
      },
      &Status::IOError));
  return training;
}

}  // namespace

Result<std::string> VectorIndex::Train(const IndexConfig& config, std::span<const float> sample) {
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<faiss::Index> built, BuildFromSpec(config));
  const uint64_t wanted = TrainingThreshold(built.get());
  if (wanted == 0) {
    return Status::InvalidArgument("index '" + config.spec + "' needs no training");
  }
  const size_t dim = static_cast<size_t>(config.dimension);
  if (sample.size() % dim != 0) {
    return Status::InvalidArgument("a training sample is whole vectors of " + std::to_string(dim) +
                                   " floats; found " + std::to_string(sample.size()) + " floats");
  }
  const uint64_t n = sample.size() / dim;
  const uint64_t minimum = MinimumTrainingVectors(built.get());
  if (n < minimum) {
    return Status::InvalidArgument("training index '" + config.spec + "' needs at least " +
                                   std::to_string(minimum) + " vectors (" + std::to_string(wanted) +
                                   " recommended); found " + std::to_string(n));
  }
  Rep normalizer;
  normalizer.config = config;
  std::vector<float> rows(sample.begin(), sample.end());
  for (uint64_t i = 0; i < n; ++i) normalizer.Normalize(&rows[i * dim]);
  std::unique_ptr<faiss::Index> index = WithIds(std::move(built));
  QUIVER_RETURN_IF_ERROR(
      Guard("training the index", [&] { index->train(static_cast<faiss_id>(n), rows.data()); }));
  return TrainingOf(config, *index);
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::CreateTrained(const IndexConfig& config,
                                                                std::string_view training) {
  QUIVER_ASSIGN_OR_RETURN(const std::string_view faiss_bytes, DecodeTraining(config, training));
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<VectorIndex> created, Create(config));
  Rep& rep = *created->rep_;
  if (rep.threshold == 0) {
    return Status::InvalidArgument("index '" + config.spec + "' needs no training");
  }
  SpanReader reader(reinterpret_cast<const uint8_t*>(faiss_bytes.data()), faiss_bytes.size());
  std::unique_ptr<faiss::Index> loaded;
  QUIVER_RETURN_IF_ERROR(
      Guard("reading the index training", [&] { loaded.reset(faiss::read_index(&reader)); }));
  // The same shape as Create gives: an IDMap2 around the index, or a native-id IVF.
  const bool wrapped = dynamic_cast<faiss::IndexIDMap2*>(loaded.get()) != nullptr;
  const bool wrapped_expected = dynamic_cast<faiss::IndexIDMap2*>(rep.main.get()) != nullptr;
  if (!loaded->is_trained || loaded->ntotal != 0 || loaded->d != config.dimension ||
      wrapped != wrapped_expected ||
      MinimumTrainingVectors(loaded.get()) != MinimumTrainingVectors(rep.main.get())) {
    return Status::InvalidArgument("expected a trained, empty index of spec '" + config.spec +
                                   "'; the training holds another");
  }
  QUIVER_ASSIGN_OR_RETURN(const ParsedSpec parsed, ParseIndexSpec(config.spec));
  ApplySpecParams(loaded.get(), parsed);
  simd::AccelerateIndex(loaded.get());
  rep.main = std::move(loaded);
  rep.staging.reset();
  return created;
}

Result<std::string> VectorIndex::Training() const {
  if (rep_->threshold == 0) {
    return Status::InvalidArgument("index '" + rep_->config.spec + "' needs no training");
  }
  if (rep_->staging != nullptr) {
    return Status::NotFound("index '" + rep_->config.spec + "' is not trained yet (" +
                            std::to_string(rep_->staging->ntotal) + " of " +
                            std::to_string(rep_->threshold) + " vectors)");
  }
  return TrainingOf(rep_->config, *rep_->main);
}

Status VectorIndex::VerifyCheckpointFile(const std::string& path) {
  return MappedCheckpoint::Open(path).status();
}

}  // namespace quiver::index
