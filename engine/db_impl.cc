#include "engine/db_impl.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "embed/cooccurrence.h"
#include "embed/ppmi_svd.h"
#include "embed/safetensors.h"
#include "embed/token_table.h"
#include "embed/word_vectors.h"
#include "engine/postings.h"
#include "engine/record_validation.h"
#include "engine/source_reader.h"
#include "engine/source_ref.h"

namespace quiver {

Result<std::unique_ptr<DB>> DB::Open(const Options& options, const std::string& path) {
  return engine::DBImpl::Open(options, path);
}

namespace engine {
namespace {

namespace mk = storage::meta_key;

// Vectors are added to the index in chunks of this many during replay and rebuild.
constexpr size_t kChunk = 8192;

struct PendingAdds {
  std::vector<uint64_t> ids;
  std::vector<float> vectors;
  void clear() {
    ids.clear();
    vectors.clear();
  }
};

}  // namespace

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

DBImpl::DBImpl(const Options& options, Layout layout)
    : options_(options), layout_(std::move(layout)) {}

DBImpl::~DBImpl() {
  Status s = Close();
  if (!s.ok()) Report("closing " + layout_.root + ": " + s.ToString());
}

void DBImpl::Report(const std::string& message) const {
  if (options_.report_to_stderr) std::fprintf(stderr, "quiver: %s\n", message.c_str());
}

Result<std::unique_ptr<DB>> DBImpl::Open(const Options& options, const std::string& path) {
  Layout layout{path};
  bool create = false;
  QUIVER_RETURN_IF_ERROR(CheckLayout(layout, options, &create));
  std::unique_ptr<DBImpl> db(new DBImpl(options, layout));
  std::string tokenizer_blob;
  if (create) {
    db->config_ = {options.dimension, options.metric, options.index_spec};
    QUIVER_RETURN_IF_ERROR(index::VectorIndex::Validate(db->config_));
    if (!options.tokenizer_file.empty()) {
      auto tokenizer = LoadTokenizerFile(options.tokenizer_file);
      if (!tokenizer.ok()) return tokenizer.status().WithContext(options.tokenizer_file);
      auto blob = (*tokenizer)->Serialize();
      if (!blob.ok()) return blob.status();
      tokenizer_blob = std::move(*blob);
    }
  }
  std::error_code ec;
  if (create && !std::filesystem::create_directories(layout.index_dir(), ec) && ec) {
    return Status::IOError("cannot create " + layout.index_dir() + ": " + ec.message());
  }
  const auto mode =
      options.read_only ? storage::Store::Mode::kReadOnly : storage::Store::Mode::kReadWrite;
  auto store = storage::Store::Open(layout.store_dir(), mode, create);
  if (!store.ok()) return store.status().WithContext(path);
  db->store_ = std::move(store.value());
  QUIVER_RETURN_IF_ERROR(create ? db->InitializeNew(tokenizer_blob) : db->LoadMeta());
  QUIVER_RETURN_IF_ERROR(db->RecoverIndex());
  return std::unique_ptr<DB>(std::move(db));
}

Status DBImpl::InitializeNew(const std::string& tokenizer_blob) {
  storage::WriteBatch batch;
  if (!tokenizer_blob.empty()) batch.PutModel(storage::model_key::kTokenizer, tokenizer_blob);
  batch.PutMetaU64(mk::kFormatVersion, kFormatVersion);
  batch.PutMetaU64(mk::kDimension, static_cast<uint64_t>(config_.dimension));
  batch.PutMeta(mk::kMetric, MetricName(config_.metric));
  batch.PutMeta(mk::kIndexSpec, config_.spec);
  batch.PutMetaU64(mk::kNextInternalId, next_internal_id_);
  batch.PutMetaU64(mk::kLastSequence, 0);
  batch.PutMetaU64(mk::kRecordCount, 0);
  return store_->Write(batch);
}

Status DBImpl::LoadMeta() {
  const std::string where = layout_.root;
  auto version = store_->GetMetaU64(mk::kFormatVersion, 0);
  if (!version.ok()) return version.status();
  if (*version == 0) {
    return Status::Corruption(where + " has a store but no quiver format version");
  }
  if (*version > kFormatVersion) {
    return Status::NotSupported(where + " was written by format version " +
                                std::to_string(*version) + "; this quiver reads up to " +
                                std::to_string(kFormatVersion) + " (upgrade quiver)");
  }
  auto dimension = store_->GetMetaU64(mk::kDimension, 0);
  auto metric = store_->GetMeta(mk::kMetric);
  auto spec = store_->GetMeta(mk::kIndexSpec);
  if (!dimension.ok()) return dimension.status();
  if (!metric.ok()) return metric.status();
  if (!spec.ok()) return spec.status();
  auto parsed_metric = metric->has_value() ? ParseMetric(**metric) : std::nullopt;
  if (*dimension == 0 || !parsed_metric || !spec->has_value()) {
    return Status::Corruption(where + " has incomplete metadata (dimension, metric or index spec)");
  }
  config_ = {static_cast<int>(*dimension), *parsed_metric, **spec};

  auto next_id = store_->GetMetaU64(mk::kNextInternalId, 1);
  auto last_seq = store_->GetMetaU64(mk::kLastSequence, 0);
  auto count = store_->GetMetaU64(mk::kRecordCount, 0);
  auto posting_documents = store_->GetMetaU64(mk::kPostingDocuments, 0);
  auto posting_tokens = store_->GetMetaU64(mk::kPostingTokens, 0);
  for (const auto* r : {&next_id, &last_seq, &count, &posting_documents, &posting_tokens}) {
    QUIVER_RETURN_IF_ERROR(r->status());
  }
  next_internal_id_ = *next_id;
  last_sequence_ = *last_seq;
  record_count_ = *count;
  posting_documents_ = *posting_documents;
  posting_tokens_ = *posting_tokens;
  auto vectors_model = store_->GetMeta(mk::kVectorsModel);
  if (!vectors_model.ok()) return vectors_model.status();
  vectors_model_ = vectors_model->value_or("");
  return Status::OK();
}

Status DBImpl::RecoverIndex() {
  auto trimmed = store_->GetMetaU64(mk::kOplogTrimmedThrough, 0);
  if (!trimmed.ok()) return trimmed.status();
  auto loaded = index::VectorIndex::ReadCheckpoint(layout_.checkpoint_path(), config_);
  std::string reason;
  if (loaded.ok()) {
    const uint64_t covered = loaded->sequence;
    if (covered > last_sequence_) {
      reason = "the checkpoint covers operation " + std::to_string(covered) +
               " but the store ends at " + std::to_string(last_sequence_);
    } else if (covered < *trimmed) {
      reason = "the checkpoint is older than the operation log that was kept";
    } else {
      index_ = std::move(loaded->index);
      checkpoint_sequence_ = covered;
    }
  } else if (loaded.status().IsNotFound() && *trimmed == 0) {
    // Never checkpointed: the whole history is still in the operation log.
    auto created = index::VectorIndex::Create(config_);
    if (!created.ok()) return created.status();
    index_ = std::move(created.value());
  } else {
    reason = loaded.status().IsNotFound() ? "the checkpoint is missing" : loaded.status().message();
  }
  if (index_ != nullptr) {
    Status replayed = ReplayOplog(index_.get(), checkpoint_sequence_);
    if (!replayed.ok()) {
      reason = "replaying the operation log failed: " + replayed.message();
    } else if (index_->live_count() != record_count_) {
      reason = "the index holds " + std::to_string(index_->live_count()) +
               " vectors after replay; the store holds " + std::to_string(record_count_);
    } else {
      return Status::OK();
    }
  }
  return RebuildIndex(reason);
}

Status DBImpl::ReplayOplog(index::VectorIndex* target, uint64_t after) {
  PendingAdds pending;
  std::vector<uint64_t> deletes;
  std::vector<float> vector;
  auto flush = [&]() {
    Status s = target->Add(pending.ids, pending.vectors);
    pending.clear();
    return s;
  };
  QUIVER_RETURN_IF_ERROR(store_->ScanOplog(after, [&](const storage::OplogEntry& entry) {
    if (entry.op == storage::OpType::kDelete) {
      deletes.push_back(entry.internal_id);
      return Status::OK();
    }
    Status s = store_->GetVector(entry.internal_id, config_.dimension, &vector);
    if (s.IsNotFound()) return Status::OK();  // deleted by a later entry
    QUIVER_RETURN_IF_ERROR(s);
    pending.ids.push_back(entry.internal_id);
    pending.vectors.insert(pending.vectors.end(), vector.begin(), vector.end());
    return pending.ids.size() >= kChunk ? flush() : Status::OK();
  }));
  QUIVER_RETURN_IF_ERROR(flush());
  // Internal ids are never reused, so deletes commute with adds of other ids.
  return target->Remove(deletes);
}

Result<std::unique_ptr<index::VectorIndex>> DBImpl::BuildIndexFromStore() {
  auto created = index::VectorIndex::Create(config_);
  if (!created.ok()) return created.status();
  auto& fresh = created.value();
  PendingAdds pending;
  std::vector<float> vector;
  auto flush = [&]() {
    Status s = fresh->Add(pending.ids, pending.vectors);
    pending.clear();
    return s;
  };
  QUIVER_RETURN_IF_ERROR(store_->ScanVectors([&](uint64_t id, std::string_view raw) {
    QUIVER_RETURN_IF_ERROR(storage::DecodeVector(raw, config_.dimension, &vector));
    pending.ids.push_back(id);
    pending.vectors.insert(pending.vectors.end(), vector.begin(), vector.end());
    return pending.ids.size() >= kChunk ? flush() : Status::OK();
  }));
  QUIVER_RETURN_IF_ERROR(flush());
  return std::move(fresh);
}

Status DBImpl::RebuildIndex(const std::string& reason) {
  Report("rebuilding the index of " + layout_.root + " from stored vectors: " + reason);
  const auto start = std::chrono::steady_clock::now();
  auto rebuilt = BuildIndexFromStore();
  if (!rebuilt.ok()) return rebuilt.status().WithContext("rebuilding the index");
  index_ = std::move(rebuilt.value());
  checkpoint_sequence_ = 0;
  char line[128];
  std::snprintf(line, sizeof(line), "rebuilt %llu vectors in %.1f s",
                static_cast<unsigned long long>(index_->live_count()), SecondsSince(start));
  Report(line);
  if (options_.read_only) return Status::OK();
  return WriteCheckpointLocked();
}

Status DBImpl::WriteCheckpointLocked() {
  QUIVER_RETURN_IF_ERROR(index_->WriteCheckpoint(layout_.checkpoint_path(), last_sequence_));
  checkpoint_sequence_ = last_sequence_;
  return store_->TrimOplog(last_sequence_);
}

Status DBImpl::MaybeCheckpointLocked() {
  const uint64_t interval = options_.checkpoint_interval;
  if (interval == 0 || last_sequence_ - checkpoint_sequence_ < interval) return Status::OK();
  std::shared_lock read(state_mu_);
  return WriteCheckpointLocked();
}

Status DBImpl::CheckOpen() const {
  return closed_ ? Status::InvalidArgument("database " + layout_.root + " is closed")
                 : Status::OK();
}

Status DBImpl::CheckWritable() const {
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  return options_.read_only
             ? Status::NotSupported("database " + layout_.root + " is open read-only")
             : Status::OK();
}

Status DBImpl::ApplyToIndex(const std::vector<uint64_t>& removed,
                            const std::vector<uint64_t>& added,
                            const std::vector<float>& added_vectors) {
  std::unique_lock lock(state_mu_);
  Status s = index_->Remove(removed);
  if (s.ok()) s = index_->Add(added, added_vectors);
  if (s.ok()) return s;
  // The store already holds the write; bring the index back in line with it.
  return RebuildIndex("applying a committed write failed: " + s.message());
}

Status DBImpl::Upsert(const std::vector<Record>& records) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  // Validate everything first: nothing is written unless every record is good.
  CommitPlan plan;
  plan.upserts.resize(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    PendingRecord& pending = plan.upserts[i];
    QUIVER_RETURN_IF_ERROR(ValidateRecord(r, config_.dimension, config_.metric, &pending.metadata));
    pending.id = r.id;
    pending.vector = r.vector;
    pending.text = r.text;
    pending.source = EncodeSourceRef(r.source);
  }
  QUIVER_RETURN_IF_ERROR(AddTerms(&plan.upserts));
  std::lock_guard write(write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  return CommitLocked(plan);
}

Status DBImpl::CommitLocked(CommitPlan& plan, size_t* removed_count) {
  storage::WriteBatch batch;
  PostingsWriter postings(store_.get(), &batch, plan.replace_all_postings);
  if (plan.replace_all_postings) batch.ClearPostings();
  std::vector<uint64_t> removed, added;
  std::vector<float> added_vectors;
  uint64_t next_id = next_internal_id_, sequence = last_sequence_, count = record_count_;
  size_t deleted_existing = 0;
  std::unordered_set<std::string_view> gone;
  auto remove_existing = [&](const std::string& id, bool* existed) -> Status {
    *existed = false;
    if (!gone.insert(id).second) return Status::OK();
    auto existing = store_->FindInternalId(id);
    if (!existing.ok()) return existing.status();
    if (!existing->has_value()) return Status::OK();
    *existed = true;
    batch.DeleteRecord(**existing, id);
    batch.AppendOplog({++sequence, storage::OpType::kDelete, **existing});
    removed.push_back(**existing);
    return plan.replace_all_postings ? Status::OK() : postings.Remove(**existing);
  };
  for (const std::string& id : plan.deletes) {
    bool existed = false;
    QUIVER_RETURN_IF_ERROR(remove_existing(id, &existed));
    if (existed) {
      ++deleted_existing;
      --count;
    }
  }
  std::unordered_map<std::string_view, size_t> last_of;
  for (size_t i = 0; i < plan.upserts.size(); ++i) last_of[plan.upserts[i].id] = i;
  for (size_t i = 0; i < plan.upserts.size(); ++i) {
    const PendingRecord& r = plan.upserts[i];
    if (last_of[r.id] != i) continue;  // a later record with the same id wins
    bool existed = false;
    QUIVER_RETURN_IF_ERROR(remove_existing(r.id, &existed));
    if (!existed) ++count;
    const uint64_t id = next_id++;
    batch.PutRecord(id, {r.id, r.text, r.metadata, r.source}, r.vector);
    batch.AppendOplog({++sequence, storage::OpType::kAdd, id});
    postings.Add(id, r.terms, r.length);
    added.push_back(id);
    added_vectors.insert(added_vectors.end(), r.vector.begin(), r.vector.end());
  }
  for (const auto& [path, value] : plan.put_sources) batch.PutSource(path, value);
  for (const std::string& path : plan.delete_sources) batch.DeleteSource(path);
  if (!plan.vectors_model.empty()) batch.PutMeta(mk::kVectorsModel, plan.vectors_model);
  auto stats = postings.Finish({posting_documents_, posting_tokens_});
  if (!stats.ok()) return stats.status();
  if (removed_count != nullptr) *removed_count = deleted_existing;
  if (removed.empty() && added.empty() && plan.put_sources.empty() && plan.delete_sources.empty() &&
      plan.vectors_model.empty()) {
    return Status::OK();
  }
  batch.PutMetaU64(mk::kNextInternalId, next_id);
  batch.PutMetaU64(mk::kLastSequence, sequence);
  batch.PutMetaU64(mk::kRecordCount, count);
  QUIVER_RETURN_IF_ERROR(store_->Write(batch));
  ++data_version_;
  next_internal_id_ = next_id;
  last_sequence_ = sequence;
  record_count_ = count;
  posting_documents_ = stats->documents;
  posting_tokens_ = stats->tokens;
  if (!plan.vectors_model.empty()) vectors_model_ = plan.vectors_model;
  if (plan.rebuild_index) return ReplaceIndexFromStoreLocked();
  QUIVER_RETURN_IF_ERROR(ApplyToIndex(removed, added, added_vectors));
  return MaybeCheckpointLocked();
}

Status DBImpl::CheckRecord(const Record& record) const {
  std::string canonical_metadata;
  return ValidateRecord(record, config_.dimension, config_.metric, &canonical_metadata);
}

Status DBImpl::Delete(const std::vector<std::string>& ids, size_t* removed_count) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard write(write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  CommitPlan plan;
  plan.deletes = ids;
  return CommitLocked(plan, removed_count);
}

Result<Record> DBImpl::Get(const std::string& id) {
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  auto internal = store_->FindInternalId(id);
  if (!internal.ok()) return internal.status();
  if (!internal->has_value()) return Status::NotFound("no record with id '" + id + "'");
  auto doc = store_->GetDoc(**internal);
  if (!doc.ok()) return doc.status();
  Record record{doc->external_id,
                {},
                std::move(doc->text),
                std::move(doc->metadata),
                DecodeSourceRef(doc->source)};
  QUIVER_RETURN_IF_ERROR(store_->GetVector(**internal, config_.dimension, &record.vector));
  return record;
}

Result<std::vector<Hit>> DBImpl::Search(std::span<const float> query,
                                        const SearchOptions& options) {
  if (options.k <= 0) {
    return Status::InvalidArgument("k must be > 0; found " + std::to_string(options.k));
  }
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_RETURN_IF_ERROR(ValidateVector(query, config_.dimension, config_.metric, "query"));
  // A writer commits to the store before it updates the index, so a hit may name a record
  // deleted an instant ago. Such hits are skipped and more candidates fetched.
  std::vector<Hit> hits;
  for (int wanted = options.k;; wanted *= 2) {
    auto neighbors = index_->Search(query, {wanted, options.ef_search, options.nprobe});
    if (!neighbors.ok()) return neighbors.status();
    hits.clear();
    for (const index::Neighbor& n : *neighbors) {
      auto doc = store_->GetDoc(n.id);
      if (doc.status().IsNotFound()) continue;
      if (!doc.ok()) return doc.status();
      hits.push_back({std::move(doc->external_id), n.score, std::move(doc->text),
                      std::move(doc->metadata), DecodeSourceRef(doc->source)});
      if (hits.size() == static_cast<size_t>(options.k)) return hits;
    }
    if (neighbors->size() < static_cast<size_t>(wanted)) return hits;  // nothing more to fetch
  }
}

Result<const Tokenizer*> DBImpl::StoredTokenizer() {
  std::lock_guard lock(tokenizer_mu_);
  if (tokenizer_ != nullptr) return static_cast<const Tokenizer*>(tokenizer_.get());
  auto blob = store_->GetModel(storage::model_key::kTokenizer);
  if (!blob.ok()) return blob.status();
  if (!blob->has_value()) {
    return Status::NotFound("database " + layout_.root +
                            " has no tokenizer (give one when creating it)");
  }
  auto loaded = LoadTokenizerBlob(**blob);
  if (!loaded.ok()) return loaded.status().WithContext("the stored tokenizer");
  tokenizer_ = std::move(*loaded);
  return static_cast<const Tokenizer*>(tokenizer_.get());
}

Result<Tokenization> DBImpl::Tokenize(std::string_view text, bool add_special_tokens) {
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  auto tokenizer = StoredTokenizer();
  if (!tokenizer.ok()) return tokenizer.status();
  auto encoding = (*tokenizer)->Encode(text, {add_special_tokens});
  if (!encoding.ok()) return encoding.status();
  return ToTokenization(**tokenizer, *encoding);
}

Status DBImpl::CheckNoModel(ExistingModel existing) {
  if (existing == ExistingModel::kReplace) return Status::OK();
  auto stored = store_->GetModel(storage::model_key::kTokenizer);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    return Status::InvalidArgument("database " + layout_.root +
                                   " already has a tokenizer or model (replace it, then "
                                   "reembed, or create a new database for another model)");
  }
  return Status::OK();
}

void DBImpl::ForgetModel() {
  std::unique_lock lock(state_mu_);
  std::lock_guard tokenizer_lock(tokenizer_mu_);
  std::lock_guard model_lock(model_mu_);
  model_.reset();
  model_absent_ = false;
  tokenizer_.reset();
}

Status DBImpl::CheckVectorsMatchModel(const LoadedModel& model) const {
  if (record_count_ == 0 || vectors_model_ == model.info.identity) return Status::OK();
  const std::string now = "the database's model is " + model.info.identity.substr(0, 16) + " (" +
                          model.info.source + ")";
  if (vectors_model_.empty()) {
    return Status::InvalidArgument("the " + std::to_string(record_count_) +
                                   " stored vectors were not computed by a model; " + now +
                                   " (run `quiver reembed` to embed their text with it)");
  }
  return Status::InvalidArgument("the stored vectors were computed by model " +
                                 vectors_model_.substr(0, 16) + "; " + now +
                                 " (run `quiver reembed` first)");
}

Status DBImpl::StoreModel(const Tokenizer& tokenizer, const embed::EmbeddingMatrix& matrix,
                          const std::string& source, const SifParts* sif) {
  if (matrix.cols != config_.dimension) {
    return Status::InvalidArgument(source + " has " + std::to_string(matrix.cols) +
                                   " dimensions; this database stores " +
                                   std::to_string(config_.dimension));
  }
  auto blob = tokenizer.Serialize();
  if (!blob.ok()) return blob.status();
  const auto& data = matrix.data;
  const std::string identity = embed::Fingerprint(
      {*blob, std::string_view(reinterpret_cast<const char*>(data.data()), data.size() * 4)});
  // Imported embeddings carry no token frequencies, so they pool with mean (SIF needs them).
  const nlohmann::json info = {
      {"source", source}, {"identity", identity}, {"pooling", sif ? "sif" : "mean"}};
  storage::WriteBatch batch;
  batch.ClearModel();
  if (sif != nullptr) {
    const auto& counts = sif->token_counts;
    batch.PutModel(
        storage::model_key::kTokenCounts,
        std::string_view(reinterpret_cast<const char*>(counts.data()), counts.size() * 8));
    batch.PutModel(storage::model_key::kSifComponent,
                   std::string_view(reinterpret_cast<const char*>(sif->component.data()),
                                    sif->component.size() * 4));
  }
  batch.PutModel(storage::model_key::kTokenizer, *blob);
  for (const auto& [key, value] : embed::EncodeMatrix(matrix)) batch.PutModel(key, value);
  batch.PutModel(storage::model_key::kInfo, info.dump());
  QUIVER_RETURN_IF_ERROR(store_->Write(batch));
  ForgetModel();
  return Status::OK();
}

Status DBImpl::ImportWordVectors(const std::string& path, std::string_view format,
                                 ExistingModel existing) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  auto parsed_format = embed::ParseWordVectorFormat(format);
  if (!parsed_format.ok()) return parsed_format.status();
  std::lock_guard write(write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(CheckNoModel(existing));
  auto vectors = embed::ReadWordVectors(path, {.format = *parsed_format});
  if (!vectors.ok()) return vectors.status();
  auto tokenizer = MakeWordTokenizer(vectors->words);
  if (!tokenizer.ok()) return tokenizer.status();
  return StoreModel(**tokenizer, vectors->matrix,
                    "word vectors " + path + " (" +
                        std::string(embed::WordVectorFormatName(vectors->format)) + ")");
}

Status DBImpl::ImportSafetensors(const std::string& path, const std::string& tensor,
                                 const std::string& tokenizer_path, ExistingModel existing) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard write(write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(CheckNoModel(existing));
  auto tokenizer = LoadTokenizerFile(tokenizer_path);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(tokenizer_path);
  auto matrix = embed::ReadSafetensorsEmbedding(
      path, tensor.empty() ? embed::kDefaultEmbeddingTensor : std::string_view(tensor));
  if (!matrix.ok()) return matrix.status();
  const std::string layer = embed::EmbeddingShapeString(matrix->rows, matrix->cols);
  if (matrix->rows != (*tokenizer)->vocab_size()) {
    return Status::InvalidArgument("the tensor " + layer + " has " + std::to_string(matrix->rows) +
                                   " rows but the tokenizer " + tokenizer_path + " has " +
                                   std::to_string((*tokenizer)->vocab_size()) + " entries");
  }
  return StoreModel(**tokenizer, *matrix, "safetensors " + path + " " + layer);
}

Result<const DBImpl::LoadedModel*> DBImpl::StoredModel() {
  const Status absent = Status::NotFound("database " + layout_.root +
                                         " has no embedding model (import word vectors first)");
  {
    std::lock_guard lock(model_mu_);
    if (model_ != nullptr) return static_cast<const LoadedModel*>(model_.get());
    if (model_absent_) return absent;  // every Upsert asks: spare it the store lookups
  }
  auto tokenizer = StoredTokenizer();
  std::lock_guard lock(model_mu_);
  if (model_ != nullptr) return static_cast<const LoadedModel*>(model_.get());
  if (!tokenizer.ok() && !tokenizer.status().IsNotFound()) return tokenizer.status();
  auto lookup = [this](std::string_view key) { return store_->GetModel(key); };
  auto matrix = embed::DecodeMatrix(lookup);
  auto info_text = store_->GetModel(storage::model_key::kInfo);
  if (matrix.status().IsNotFound() || !tokenizer.ok()) {
    model_absent_ = true;
    return absent;
  }
  if (!matrix.ok()) return matrix.status().WithContext("the stored model");
  if (!info_text.ok()) return info_text.status();
  auto info = nlohmann::json::parse(info_text->value_or(""), nullptr, false);
  if (!info.is_object()) return Status::Corruption("the stored model's description is malformed");
  auto model = std::make_unique<LoadedModel>();
  model->tokenizer = *tokenizer;
  model->info = {info.value("source", ""),
                 std::string(TokenizerKindName((*tokenizer)->kind())),
                 matrix->rows,
                 static_cast<int>(matrix->cols),
                 info.value("identity", ""),
                 info.value("pooling", "mean")};
  embed::PoolingOptions pooling{.method = embed::PoolingMethod::kMean};
  if (model->info.pooling == "sif") {
    auto sif = LoadSifParts(matrix->rows, matrix->cols);
    if (!sif.ok()) return sif.status();
    model->sif = std::move(*sif);
    pooling.method = embed::PoolingMethod::kSif;
  } else if (model->info.pooling != "mean") {
    return Status::NotSupported("the stored model pools with '" + model->info.pooling +
                                "'; this quiver knows mean and sif");
  }
  model->unit_rows = embed::UnitRows(*matrix);
  model->matrix = std::move(*matrix);
  auto pooler =
      embed::Pooler::Create(model->matrix, pooling, model->sif.token_counts, model->sif.component);
  if (!pooler.ok()) return pooler.status();
  model->pooler.emplace(std::move(*pooler));
  model_ = std::move(model);
  return static_cast<const LoadedModel*>(model_.get());
}

Result<DBImpl::SifParts> DBImpl::LoadSifParts(int64_t rows, int64_t cols) {
  auto counts = store_->GetModel(storage::model_key::kTokenCounts);
  auto component = store_->GetModel(storage::model_key::kSifComponent);
  if (!counts.ok()) return counts.status();
  if (!component.ok()) return component.status();
  if (!counts->has_value() || (*counts)->size() != static_cast<size_t>(rows) * 8 ||
      !component->has_value() || (*component)->size() != static_cast<size_t>(cols) * 4) {
    return Status::Corruption("the stored model's SIF statistics are missing or malformed");
  }
  SifParts sif;
  sif.token_counts.resize(rows);
  sif.component.resize(cols);
  std::memcpy(sif.token_counts.data(), (*counts)->data(), rows * 8);
  std::memcpy(sif.component.data(), (*component)->data(), cols * 4);
  return sif;
}

namespace {

// Calls `visit` with every non-empty line of every corpus file, in order.
Status ForEachLine(const std::vector<std::string>& corpus,
                   const std::function<Status(const std::string&)>& visit) {
  for (const std::string& path : corpus) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound("cannot open corpus file " + path);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.empty()) QUIVER_RETURN_IF_ERROR(visit(line));
    }
    if (in.bad()) return Status::IOError("cannot read corpus file " + path);
  }
  return Status::OK();
}

// The corpus files: files as given, directories expanded to their .txt and .md files.
Result<std::vector<std::string>> CorpusFiles(const std::vector<std::string>& corpus) {
  std::vector<std::string> warnings;
  auto listed = ListSources(corpus, &warnings);
  if (!listed.ok()) return listed.status();
  std::vector<std::string> files;
  for (std::string& path : *listed) {
    const bool named = std::find(corpus.begin(), corpus.end(), path) != corpus.end();
    if (named || path.ends_with(".txt") || path.ends_with(".md")) files.push_back(std::move(path));
  }
  if (files.empty()) return Status::InvalidArgument("the corpus has no .txt or .md file");
  return files;
}

}  // namespace

Status DBImpl::TrainModel(const std::vector<std::string>& corpus, const TrainOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  if (corpus.empty()) return Status::InvalidArgument("no corpus files given");
  auto files = CorpusFiles(corpus);
  if (!files.ok()) return files.status();
  std::lock_guard write(write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  return TrainModelLocked(
      [&](const std::function<Status(const std::string&)>& visit) {
        return ForEachLine(*files, visit);
      },
      "trained on " + std::to_string(files->size()) + " corpus file(s)", options);
}

Status DBImpl::TrainModelLocked(const LineSource& for_each_line, const std::string& description,
                                const TrainOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckNoModel(options.existing_model));
  // 1. A tokenizer from the first lines of the corpus.
  std::vector<std::string> sample;
  Status s = for_each_line([&](const std::string& line) {
    if (sample.size() < options.tokenizer_sentences) sample.push_back(line);
    return Status::OK();
  });
  QUIVER_RETURN_IF_ERROR(s);
  SentencePieceTrainOptions spm;
  spm.vocab_size = options.vocab_size;
  spm.seed = options.seed;
  spm.preserve_text = false;
  spm.case_fold = options.case_fold;
  spm.hard_vocab_limit = false;  // a small corpus gets a smaller vocabulary, not an error
  spm.max_sentence_length = 1 << 16;
  auto tokenizer = TrainSentencePiece(sample, spm);
  if (!tokenizer.ok()) return tokenizer.status().WithContext("training the tokenizer");
  // 2. Co-occurrence counts over the whole corpus, streamed.
  auto counter =
      embed::CooccurrenceCounter::Create((*tokenizer)->vocab_size(), {.window = options.window});
  if (!counter.ok()) return counter.status();
  s = for_each_line([&](const std::string& line) {
    auto ids = (*tokenizer)->EncodeIds(line, {.add_special_tokens = false});
    if (!ids.ok()) return ids.status();
    counter->Add(*ids);
    return Status::OK();
  });
  QUIVER_RETURN_IF_ERROR(s);
  // 3. Token vectors by PPMI + truncated SVD.
  embed::PpmiSvdOptions ppmi;
  ppmi.dim = config_.dimension;
  ppmi.cooccurrence.window = options.window;
  ppmi.seed = options.seed;
  auto matrix = embed::TrainPpmiSvd(*counter, ppmi);
  if (!matrix.ok()) return matrix.status().WithContext("training token vectors");
  // 4. SIF: token counts, and the first principal component of sampled sentence vectors.
  SifParts sif{counter->token_counts(), {}};
  auto pooler =
      embed::Pooler::Create(*matrix, {.method = embed::PoolingMethod::kSif}, sif.token_counts);
  if (!pooler.ok()) return pooler.status();
  std::vector<float> sentence_vectors, average(matrix->cols);
  for (size_t i = 0; i < sample.size() && i < 10000; ++i) {
    auto ids = (*tokenizer)->EncodeIds(sample[i], {.add_special_tokens = false});
    if (!ids.ok() || pooler->Average(*ids, average) == 0) continue;
    sentence_vectors.insert(sentence_vectors.end(), average.begin(), average.end());
  }
  auto component =
      embed::EstimateFirstPrincipalComponent(sentence_vectors, static_cast<int>(matrix->cols));
  if (!component.ok()) return component.status().WithContext("estimating the SIF component");
  sif.component = std::move(*component);
  return StoreModel(**tokenizer, *matrix,
                    description + ", " + std::to_string(counter->total_tokens()) + " tokens", &sif);
}

Result<int64_t> DBImpl::TokenRow(const LoadedModel& model, std::string_view token) {
  // Text first ("king" is "▁king" to sentencepiece), then a vocabulary entry as written.
  std::optional<int32_t> id;
  auto ids = model.tokenizer->EncodeIds(token, {.add_special_tokens = false});
  if (ids.ok() && ids->size() == 1) id = ids->front();
  if (!id) id = model.tokenizer->PieceToId(token);
  if (!id || *id < 0 || *id >= model.matrix.rows) {
    return Status::NotFound("'" + std::string(token) + "' is not one token of the model's " +
                            std::to_string(model.matrix.rows) + "-entry vocabulary");
  }
  return static_cast<int64_t>(*id);
}

Result<ModelInfo> DBImpl::GetModelInfo() {
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  auto model = StoredModel();
  if (!model.ok()) return model.status();
  return (*model)->info;
}

Result<std::vector<float>> DBImpl::TokenVector(std::string_view token) {
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  auto model = StoredModel();
  if (!model.ok()) return model.status();
  auto row = TokenRow(**model, token);
  if (!row.ok()) return row.status();
  auto values = (*model)->matrix.Row(*row);
  return std::vector<float>(values.begin(), values.end());
}

Result<std::vector<TokenScore>> DBImpl::Neighbors(std::string_view token, int k) {
  if (k <= 0) return Status::InvalidArgument("k must be > 0; found " + std::to_string(k));
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  auto model = StoredModel();
  if (!model.ok()) return model.status();
  auto row = TokenRow(**model, token);
  if (!row.ok()) return row.status();
  std::vector<TokenScore> neighbors;
  for (const embed::RowScore& near : embed::NearestRows((*model)->unit_rows, *row, k)) {
    auto piece = (*model)->tokenizer->IdToPiece(static_cast<int32_t>(near.row));
    if (!piece.ok()) return piece.status();
    neighbors.push_back({std::move(*piece), near.score});
  }
  return neighbors;
}

Result<EmbeddedText> DBImpl::Embed(std::string_view text) {
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  auto model = StoredModel();
  if (!model.ok()) return model.status();
  const LoadedModel& m = **model;
  auto encoding = m.tokenizer->Encode(text, {.add_special_tokens = false});
  if (!encoding.ok()) return encoding.status();
  embed::PooledVector pooled = m.pooler->Pool(encoding->ids);
  EmbeddedText result;
  result.vector = std::move(pooled.vector);
  result.known_tokens = pooled.tokens_used;
  result.tokens = ToTokenization(*m.tokenizer, *encoding).tokens;
  for (int32_t id : encoding->ids) {
    if (id >= 0 && id < m.matrix.rows) {
      auto row = m.matrix.Row(id);
      result.token_vectors.emplace_back(row.begin(), row.end());
    } else {
      result.token_vectors.emplace_back(m.matrix.cols, 0.0f);
    }
  }
  return result;
}

Result<Stats> DBImpl::GetStats() {
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  Stats stats;
  stats.count = record_count_;
  stats.dimension = config_.dimension;
  stats.metric = config_.metric;
  stats.index_spec = config_.spec;
  stats.index_trained = index_->trained();
  stats.deleted = index_->tombstone_count();
  stats.disk_bytes = DiskBytes(layout_);
  stats.last_sequence = last_sequence_;
  stats.checkpoint_sequence = checkpoint_sequence_;
  stats.distance_kernel = index::VectorIndex::DistanceKernelName();
  return stats;
}

Status DBImpl::VerifyStore(std::vector<uint64_t>* stored_ids) {
  QUIVER_RETURN_IF_ERROR(store_->VerifyChecksums());
  std::vector<float> vector;
  QUIVER_RETURN_IF_ERROR(store_->ScanDocs([&](uint64_t id, const storage::StoredDoc& doc) {
    auto mapped = store_->FindInternalId(doc.external_id);
    if (!mapped.ok()) return mapped.status();
    if (!mapped->has_value() || **mapped != id) {
      return Status::Corruption("document '" + doc.external_id + "' (internal id " +
                                std::to_string(id) + ") is not what its id maps to");
    }
    Status s = store_->GetVector(id, config_.dimension, &vector);
    if (!s.ok()) return s.WithContext("document '" + doc.external_id + "'");
    stored_ids->push_back(id);
    return Status::OK();
  }));
  uint64_t id_entries = 0, vectors = 0;
  QUIVER_RETURN_IF_ERROR(store_->ScanIds([&](std::string_view, uint64_t) {
    ++id_entries;
    return Status::OK();
  }));
  QUIVER_RETURN_IF_ERROR(store_->ScanVectors([&](uint64_t, std::string_view) {
    ++vectors;
    return Status::OK();
  }));
  const uint64_t docs = stored_ids->size();
  if (docs != record_count_ || id_entries != docs || vectors != docs) {
    return Status::Corruption("store counts disagree: " + std::to_string(docs) + " documents, " +
                              std::to_string(id_entries) + " id entries, " +
                              std::to_string(vectors) + " vectors, record count " +
                              std::to_string(record_count_));
  }
  return Status::OK();
}

Status DBImpl::Verify() {
  std::lock_guard write(write_mu_);
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  std::vector<uint64_t> stored_ids;
  QUIVER_RETURN_IF_ERROR(VerifyStore(&stored_ids));
  if (index_->LiveIds() != stored_ids) {
    return Status::Corruption("the index holds " + std::to_string(index_->live_count()) +
                              " vectors that differ from the " + std::to_string(stored_ids.size()) +
                              " stored records");
  }
  if (std::filesystem::exists(layout_.checkpoint_path())) {
    QUIVER_RETURN_IF_ERROR(index::VectorIndex::VerifyCheckpointFile(layout_.checkpoint_path()));
  }
  return Status::OK();
}

Status DBImpl::Compact() {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard write(write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(ReplaceIndexFromStoreLocked());
  return store_->CompactAll();
}

Status DBImpl::ReplaceIndexFromStoreLocked() {
  auto rebuilt = BuildIndexFromStore();
  if (!rebuilt.ok()) return rebuilt.status();
  {
    std::unique_lock lock(state_mu_);
    index_ = std::move(rebuilt.value());
  }
  std::shared_lock read(state_mu_);
  return WriteCheckpointLocked();
}

Status DBImpl::Close() {
  std::lock_guard write(write_mu_);
  std::unique_lock lock(state_mu_);
  if (closed_) return Status::OK();
  closed_ = true;
  if (store_ == nullptr || index_ == nullptr) return Status::OK();  // Open failed part-way
  Status s;
  const bool has_checkpoint = std::filesystem::exists(layout_.checkpoint_path());
  if (!options_.read_only && (last_sequence_ != checkpoint_sequence_ || !has_checkpoint)) {
    s = WriteCheckpointLocked();
  }
  index_.reset();
  store_.reset();
  return s;
}

}  // namespace engine
}  // namespace quiver
