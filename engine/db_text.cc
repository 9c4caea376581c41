// The text side of DBImpl: ingesting collections, text queries (dense, BM25, hybrid) with
// metadata filters, and re-embedding stored texts with a new model.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "engine/chunker.h"
#include "engine/db_impl.h"
#include "engine/metadata_filter.h"
#include "engine/parallel.h"
#include "engine/postings.h"
#include "engine/source_reader.h"
#include "engine/source_ref.h"
#include "storage/keys.h"

namespace quiver::engine {
namespace {

namespace mk = storage::meta_key;

// A text as the index and BM25 see it.
struct AnalyzedText {
  std::vector<float> vector;  // pooled; meaningful only when has_vector
  bool has_vector = false;    // some token is known to the model
  TermCounts terms;           // BM25 terms: the token ids, special and unknown left out
  uint32_t length = 0;        // tokens counted in `terms`
};

AnalyzedText AnalyzeIds(std::span<const int32_t> ids, const Tokenizer& tokenizer,
                        const embed::Pooler& pooler) {
  AnalyzedText analyzed;
  embed::PooledVector pooled = pooler.Pool(ids);
  analyzed.has_vector = pooled.ok();
  analyzed.vector = std::move(pooled.vector);
  // Unknown words all share the unk id: as a term it would match every text with any
  // unknown word, so it is left out like the special tokens.
  const int32_t unknown = tokenizer.special_tokens().unk;
  std::vector<int32_t> terms;
  terms.reserve(ids.size());
  for (int32_t id : ids) {
    if (id >= 0 && id != unknown && !tokenizer.IsSpecial(id)) terms.push_back(id);
  }
  analyzed.terms = CountTerms(terms);
  analyzed.length = static_cast<uint32_t>(terms.size());
  return analyzed;
}

// Similarity of two vectors the way the index scores them; higher is better for every
// metric here (L2 distances are negated).
float Similarity(Metric metric, std::span<const float> a, std::span<const float> b) {
  double dot = 0, aa = 0, bb = 0, l2 = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
    const double d = double(a[i]) - b[i];
    l2 += d * d;
  }
  switch (metric) {
    case Metric::kCosine:
      return aa > 0 && bb > 0 ? static_cast<float>(dot / std::sqrt(aa * bb)) : 0.0f;
    case Metric::kInnerProduct:
      return static_cast<float>(dot);
    case Metric::kL2:
      return static_cast<float>(-l2);
  }
  return 0;
}

// The score a caller sees for a similarity computed by Similarity.
float MetricScore(Metric metric, float similarity) {
  return metric == Metric::kL2 ? -similarity : similarity;
}

// Splits a document into training lines: its paragraphs (blank-line separated), single line
// breaks joined with spaces, at most 60000 bytes each.
Status ForEachParagraph(std::string_view text,
                        const std::function<Status(const std::string&)>& visit) {
  std::string paragraph;
  auto flush = [&]() -> Status {
    Status s = Status::OK();
    if (paragraph.find_first_not_of(" \t\r") != std::string::npos) s = visit(paragraph);
    paragraph.clear();
    return s;
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      QUIVER_RETURN_IF_ERROR(flush());
    } else {
      if (!paragraph.empty()) paragraph.push_back(' ');
      paragraph.append(line);
      if (paragraph.size() > 60000) QUIVER_RETURN_IF_ERROR(flush());
    }
    start = end + 1;
  }
  return flush();
}

// What the `sources` family keeps for an ingested file.
struct SourceEntry {
  std::string content_hash;
  int64_t mtime = 0;
  uint64_t size = 0;
  std::string recipe;  // the reading and chunking options it was ingested with
  std::vector<std::string> chunk_ids;
};

std::string EncodeSourceEntry(const SourceEntry& entry) {
  return nlohmann::json{{"hash", entry.content_hash},
                        {"mtime", entry.mtime},
                        {"size", entry.size},
                        {"recipe", entry.recipe},
                        {"chunks", entry.chunk_ids}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<SourceEntry> DecodeSourceEntry(std::string_view path, std::string_view value) {
  auto json = nlohmann::json::parse(value, nullptr, false);
  try {
    if (json.is_object()) {
      return SourceEntry{json.at("hash").get<std::string>(), json.at("mtime").get<int64_t>(),
                         json.at("size").get<uint64_t>(), json.at("recipe").get<std::string>(),
                         json.at("chunks").get<std::vector<std::string>>()};
    }
  } catch (const nlohmann::json::exception&) {
  }
  return Status::Corruption("the stored entry of source " + std::string(path) + " is malformed");
}

// The options that decide what chunks a file gives; a change means re-ingesting it.
std::string IngestRecipe(const IngestOptions& options) {
  return nlohmann::json{{"chunk_tokens", options.chunk_tokens},
                        {"chunk_overlap", options.chunk_overlap},
                        {"id_field", options.id_field},
                        {"text_field", options.text_field},
                        {"metadata_fields", options.metadata_fields},
                        {"extra_metadata", options.extra_metadata}}
      .dump();
}

// The key a source is remembered by: its absolute, normalized path.
std::string SourceKey(const std::string& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

// Whether `key` lies under (or is) one of the absolute input paths.
bool UnderAny(const std::string& key, const std::vector<std::string>& roots) {
  for (const std::string& root : roots) {
    if (key == root) return true;
    if (key.size() > root.size() && key.starts_with(root) &&
        (root.ends_with('/') || key[root.size()] == '/')) {
      return true;
    }
  }
  return false;
}

Status CheckIngestOptions(const IngestOptions& options) {
  if (options.chunk_tokens < 1) {
    return Status::InvalidArgument("chunk size must be at least 1 token; found " +
                                   std::to_string(options.chunk_tokens));
  }
  if (options.chunk_overlap < 0 || options.chunk_overlap >= options.chunk_tokens) {
    return Status::InvalidArgument("chunk overlap must be in [0, " +
                                   std::to_string(options.chunk_tokens) + "); found " +
                                   std::to_string(options.chunk_overlap));
  }
  return Status::OK();
}

Status CheckQueryOptions(const QueryOptions& options) {
  if (options.k <= 0)
    return Status::InvalidArgument("k must be > 0; found " + std::to_string(options.k));
  if (!(options.dense_weight >= 0) || !std::isfinite(options.dense_weight)) {
    return Status::InvalidArgument("dense weight must be a finite number >= 0; found " +
                                   std::to_string(options.dense_weight));
  }
  if (options.rrf_k <= 0) {
    return Status::InvalidArgument("rrf k must be > 0; found " + std::to_string(options.rrf_k));
  }
  if (!(options.bm25_k1 >= 0) || !(options.bm25_b >= 0 && options.bm25_b <= 1)) {
    return Status::InvalidArgument(
        "BM25 needs k1 >= 0 and b in [0, 1]; found k1 = " + std::to_string(options.bm25_k1) +
        ", b = " + std::to_string(options.bm25_b));
  }
  return Status::OK();
}

// Merges a record's metadata with the options' extra pairs and the file's path and mtime
// (which do not override keys the record has).
std::string ChunkMetadata(const std::string& record_metadata, const IngestOptions& options,
                          const SourceFile& file) {
  auto metadata = nlohmann::json::parse(record_metadata, nullptr, false);
  if (!metadata.is_object()) metadata = nlohmann::json::object();
  for (const auto& [key, value] : options.extra_metadata) metadata[key] = value;
  if (!metadata.contains("path")) metadata["path"] = file.path;
  if (!metadata.contains("mtime")) metadata["mtime"] = file.mtime;
  return metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

// ---- model checks and copies -----------------------------------------------------------------

Status DBImpl::CopyModelLocked(const std::string& path) {
  Layout other{path};
  if (std::filesystem::equivalent(path, layout_.root)) {
    return Status::InvalidArgument("--model-from names this database itself");
  }
  auto store = storage::Store::Open(other.store_dir(), storage::Store::Mode::kReadOnly, false);
  if (!store.ok()) return store.status().WithContext("the model database " + path);
  auto dimension = (*store)->GetMetaU64(mk::kDimension, 0);
  if (!dimension.ok()) return dimension.status();
  if (static_cast<int>(*dimension) != config_.dimension) {
    return Status::InvalidArgument("the model of " + path + " has " + std::to_string(*dimension) +
                                   " dimensions; this database stores " +
                                   std::to_string(config_.dimension));
  }
  storage::WriteBatch batch;
  batch.ClearModel();
  size_t parts = 0;
  QUIVER_RETURN_IF_ERROR((*store)->ScanModel([&](std::string_view key, std::string_view value) {
    batch.PutModel(key, value);
    ++parts;
    return Status::OK();
  }));
  if (parts == 0) return Status::NotFound(path + " has no embedding model to reuse");
  QUIVER_RETURN_IF_ERROR(store_->Write(batch));
  ForgetModel();
  return Status::OK();
}

// ---- ingest -----------------------------------------------------------------------------------

Result<IngestSummary> DBImpl::Ingest(const std::vector<std::string>& paths,
                                     const IngestOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(CheckIngestOptions(options));
  if (paths.empty()) return Status::InvalidArgument("no files or directories to ingest");
  auto say = [&](const std::string& message) {
    if (options.on_message) options.on_message(message);
  };
  std::vector<std::string> warnings;
  auto files = ListSources(paths, &warnings);
  if (!files.ok()) return files.status();
  for (const std::string& warning : warnings) say(warning);
  const ReaderOptions reader{options.id_field, options.text_field, options.metadata_fields,
                             options.skip_bad};

  std::lock_guard write(write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  IngestSummary summary;
  auto model = StoredModel();
  if (model.ok() && !options.model_from.empty()) {
    QUIVER_RETURN_IF_ERROR(CheckSameModel(**model, options.model_from));
  }
  if (model.status().IsNotFound()) {
    if (!options.model_from.empty()) {
      QUIVER_RETURN_IF_ERROR(CopyModelLocked(options.model_from));
      say("using the embedding model of " + options.model_from);
    } else {
      say("no embedding model yet: training one on the collection");
      const auto train_start = std::chrono::steady_clock::now();
      LineSource lines = [&](const std::function<Status(const std::string&)>& visit) {
        for (const std::string& path : *files) {
          auto file = ReadSource(path, reader);
          if (!file.ok()) continue;  // reported by the ingest pass
          for (const SourceDocument& doc : file->documents) {
            QUIVER_RETURN_IF_ERROR(ForEachParagraph(doc.text, visit));
          }
        }
        return Status::OK();
      };
      QUIVER_RETURN_IF_ERROR(TrainModelLocked(
          lines, "trained on " + std::to_string(files->size()) + " ingested file(s)",
          options.train));
      summary.trained_model = true;
      summary.train_seconds = SecondsSince(train_start);
      char line[96];
      std::snprintf(line, sizeof(line), "trained the embedding model in %.1f s",
                    summary.train_seconds);
      say(line);
    }
    model = StoredModel();
  }
  if (!model.ok()) return model.status();
  QUIVER_RETURN_IF_ERROR(CheckVectorsMatchModel(**model));

  IngestProgress progress;
  progress.files_total = files->size();
  std::vector<uint64_t> sizes(files->size());  // 0 for a file that cannot be stat'ed
  for (size_t i = 0; i < files->size(); ++i) {
    std::error_code ec;
    const auto size = std::filesystem::file_size((*files)[i], ec);
    sizes[i] = ec ? 0 : size;
    progress.bytes_total += sizes[i];
  }
  const std::string recipe = IngestRecipe(options);
  std::unordered_set<std::string> seen_keys;
  for (size_t i = 0; i < files->size(); ++i) {
    const std::string& path = (*files)[i];
    const std::string key = SourceKey(path);
    QUIVER_RETURN_IF_ERROR(
        IngestFileLocked(path, key, sizes[i], reader, options, recipe, **model, &summary));
    seen_keys.insert(key);
    ++progress.files_done;
    progress.bytes_done += sizes[i];
    progress.chunks = summary.chunks_added;
    if (options.on_progress) options.on_progress(progress);
  }
  summary.files_seen = files->size();
  if (options.prune) QUIVER_RETURN_IF_ERROR(PruneSourcesLocked(paths, seen_keys, &summary));
  summary.seconds = SecondsSince(start);
  return summary;
}

Status DBImpl::CheckSameModel(const LoadedModel& model, const std::string& other_path) {
  auto store =
      storage::Store::Open(Layout{other_path}.store_dir(), storage::Store::Mode::kReadOnly, false);
  if (!store.ok()) return store.status().WithContext("the model database " + other_path);
  auto info_text = (*store)->GetModel(storage::model_key::kInfo);
  if (!info_text.ok()) return info_text.status();
  auto info = nlohmann::json::parse(info_text->value_or(""), nullptr, false);
  if (!info.is_object()) return Status::NotFound(other_path + " has no embedding model to reuse");
  const std::string identity = info.value("identity", "");
  if (identity == model.info.identity) return Status::OK();
  return Status::InvalidArgument("this database's model is " + model.info.identity.substr(0, 16) +
                                 " (" + model.info.source + "); the model of " + other_path +
                                 " is " + identity.substr(0, 16) + " (" + info.value("source", "") +
                                 ")");
}

Status DBImpl::IngestFileLocked(const std::string& path, const std::string& key, uint64_t size,
                                const ReaderOptions& reader, const IngestOptions& options,
                                const std::string& recipe, const LoadedModel& model,
                                IngestSummary* summary) {
  auto stored = store_->GetSource(key);
  if (!stored.ok()) return stored.status();
  std::optional<SourceEntry> previous;
  if (stored->has_value()) {
    auto entry = DecodeSourceEntry(key, **stored);
    if (!entry.ok()) return entry.status();
    previous = std::move(*entry);
  }
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path, ec);
  const int64_t mtime_seconds = ec ? 0
                                   : std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::file_clock::to_sys(mtime).time_since_epoch())
                                         .count();
  if (previous && previous->recipe == recipe && previous->size == size &&
      previous->mtime == mtime_seconds) {
    ++summary->files_unchanged;  // same size and time: not even read
    return Status::OK();
  }
  auto file = ReadSource(path, reader);
  if (!file.ok()) {
    if (file.status().IsInvalidArgument()) return file.status();
    if (options.on_message) options.on_message(file.status().ToString());
    ++summary->files_skipped;
    return Status::OK();
  }
  summary->repaired_bytes += file->repaired_bytes;
  summary->skipped_records += file->skipped_records;
  if (file->skipped_records > 0 && options.on_message) {
    options.on_message(path + ": skipped " + std::to_string(file->skipped_records) +
                       " bad record(s); the first: " + file->first_skip_reason);
  }
  if (previous && previous->recipe == recipe && previous->content_hash == file->content_hash) {
    ++summary->files_unchanged;
    CommitPlan touch;  // remember the new time so the next run need not read it
    touch.put_sources.emplace_back(
        key, EncodeSourceEntry(
                 {file->content_hash, file->mtime, file->size, recipe, previous->chunk_ids}));
    return CommitLocked(touch);
  }
  CommitPlan plan;
  QUIVER_RETURN_IF_ERROR(ChunkAndEmbed(*file, options, model, &plan.upserts, summary));
  SourceEntry entry{file->content_hash, file->mtime, file->size, recipe, {}};
  for (const PendingRecord& r : plan.upserts) entry.chunk_ids.push_back(r.id);
  if (previous) {
    std::unordered_set<std::string> kept(entry.chunk_ids.begin(), entry.chunk_ids.end());
    for (const std::string& id : previous->chunk_ids) {
      if (!kept.contains(id)) plan.deletes.push_back(id);
    }
    summary->chunks_removed += plan.deletes.size();
    ++summary->files_replaced;
  } else {
    ++summary->files_added;
  }
  plan.put_sources.emplace_back(key, EncodeSourceEntry(entry));
  plan.vectors_model = model.info.identity;
  summary->chunks_added += plan.upserts.size();
  for (const SourceDocument& doc : file->documents) summary->bytes += doc.text.size();
  return CommitLocked(plan);
}

Status DBImpl::ChunkAndEmbed(const SourceFile& file, const IngestOptions& options,
                             const LoadedModel& model, std::vector<PendingRecord>* records,
                             IngestSummary* summary) {
  const ChunkOptions chunking{options.chunk_tokens, options.chunk_overlap};
  const size_t n = file.documents.size();
  std::vector<std::vector<PendingRecord>> per_document(n);
  std::vector<Status> errors(n, Status::OK());
  std::vector<uint64_t> empty(n, 0);
  ParallelFor(n, WorkerCount(options.threads), [&](size_t i) {
    const SourceDocument& doc = file.documents[i];
    std::vector<int32_t> ids;
    auto chunks = ChunkText(doc.text, *model.tokenizer, chunking, &ids);
    if (!chunks.ok()) {
      errors[i] = chunks.status().WithContext(doc.id);
      return;
    }
    const std::string metadata = ChunkMetadata(doc.metadata_json, options, file);
    for (size_t c = 0; c < chunks->size(); ++c) {
      const TextChunk& chunk = (*chunks)[c];
      std::string_view text =
          std::string_view(doc.text).substr(chunk.begin, chunk.end - chunk.begin);
      std::span<const int32_t> chunk_ids(ids.data() + chunk.first_token, chunk.token_count);
      AnalyzedText analyzed = AnalyzeIds(chunk_ids, *model.tokenizer, *model.pooler);
      if (!analyzed.has_vector) {
        ++empty[i];
        continue;
      }
      PendingRecord record;
      record.id = doc.id + "#" + std::to_string(c);
      record.vector = std::move(analyzed.vector);
      record.text = std::string(text);
      record.metadata = metadata;
      record.source = EncodeSourceRef(
          {file.path, chunk.begin, chunk.end, static_cast<int32_t>(c), file.content_hash});
      record.terms = std::move(analyzed.terms);
      record.length = analyzed.length;
      per_document[i].push_back(std::move(record));
    }
  });
  for (size_t i = 0; i < n; ++i) {
    QUIVER_RETURN_IF_ERROR(errors[i]);
    summary->empty_chunks += empty[i];
    for (PendingRecord& r : per_document[i]) records->push_back(std::move(r));
  }
  return Status::OK();
}

Status DBImpl::PruneSourcesLocked(const std::vector<std::string>& inputs,
                                  const std::unordered_set<std::string>& seen,
                                  IngestSummary* summary) {
  std::vector<std::string> roots;
  for (const std::string& input : inputs) roots.push_back(SourceKey(input));
  CommitPlan plan;
  QUIVER_RETURN_IF_ERROR(store_->ScanSources([&](std::string_view key, std::string_view value) {
    const std::string path(key);
    if (seen.contains(path) || !UnderAny(path, roots)) return Status::OK();
    auto entry = DecodeSourceEntry(path, value);
    if (!entry.ok()) return entry.status();
    for (const std::string& id : entry->chunk_ids) plan.deletes.push_back(id);
    plan.delete_sources.push_back(path);
    return Status::OK();
  }));
  if (plan.delete_sources.empty()) return Status::OK();
  size_t removed = 0;
  QUIVER_RETURN_IF_ERROR(CommitLocked(plan, &removed));
  summary->sources_pruned += plan.delete_sources.size();
  summary->chunks_removed += removed;
  return Status::OK();
}

// ---- queries ----------------------------------------------------------------------------------

Result<std::shared_ptr<const DBImpl::MetadataSnapshot>> DBImpl::CurrentMetadata() {
  // Parsed metadata costs a few hundred bytes a record; beyond this many records filters
  // scan the store instead of keeping it all in memory.
  constexpr uint64_t kMaxSnapshotRecords = 2'000'000;
  if (record_count_ > kMaxSnapshotRecords) return std::shared_ptr<const MetadataSnapshot>();
  std::lock_guard lock(metadata_mu_);
  const uint64_t version = data_version_.load();
  if (metadata_ != nullptr && metadata_->version == version) return metadata_;
  auto snapshot = std::make_shared<MetadataSnapshot>();
  snapshot->version = version;  // read before the store: a concurrent write makes it stale
  snapshot->rows.reserve(record_count_);
  QUIVER_RETURN_IF_ERROR(store_->ScanDocMetadata([&](uint64_t id, std::string_view metadata) {
    auto parsed =
        nlohmann::json::parse(metadata.empty() ? std::string_view("{}") : metadata, nullptr, false);
    snapshot->rows.emplace_back(id, std::move(parsed));
    return Status::OK();
  }));
  metadata_ = std::move(snapshot);
  return metadata_;
}

Result<std::vector<uint64_t>> DBImpl::MatchingIds(const MetadataFilter& filter) {
  std::vector<uint64_t> matching;
  auto snapshot = CurrentMetadata();
  if (!snapshot.ok()) return snapshot.status();
  if (*snapshot != nullptr) {
    for (const auto& [id, metadata] : (*snapshot)->rows) {
      if (filter.Matches(metadata)) matching.push_back(id);
    }
    return matching;
  }
  QUIVER_RETURN_IF_ERROR(store_->ScanDocMetadata([&](uint64_t id, std::string_view metadata) {
    if (filter.Matches(metadata)) matching.push_back(id);
    return Status::OK();
  }));
  return matching;
}

Result<std::vector<ScoredDocument>> DBImpl::DenseCandidates(std::span<const float> query, size_t n,
                                                            const QueryOptions& options,
                                                            const std::vector<uint64_t>* allowed,
                                                            uint64_t exclude) {
  std::vector<ScoredDocument> out;
  // A small allowed set is searched exactly; a large one through the index with more
  // candidates fetched until enough of them pass.
  const size_t small = std::max<size_t>(4096, record_count_ / 10);
  if (allowed != nullptr && allowed->size() <= small) {
    std::vector<float> vector;
    for (uint64_t id : *allowed) {
      if (id == exclude) continue;
      QUIVER_RETURN_IF_ERROR(store_->GetVector(id, config_.dimension, &vector));
      out.push_back({id, Similarity(config_.metric, query, vector)});
    }
    SortBestFirst(&out, n);
    for (auto& d : out) d.score = MetricScore(config_.metric, d.score);
    return out;
  }
  for (size_t wanted = n + 1;; wanted *= 2) {
    auto neighbors = index_->Search(query, {static_cast<int>(std::min<size_t>(wanted, 1 << 30)),
                                            options.ef_search, options.nprobe});
    if (!neighbors.ok()) return neighbors.status();
    out.clear();
    for (const index::Neighbor& neighbor : *neighbors) {
      if (neighbor.id == exclude) continue;
      if (allowed != nullptr &&
          !std::binary_search(allowed->begin(), allowed->end(), neighbor.id)) {
        continue;
      }
      out.push_back({neighbor.id, neighbor.score});
      if (out.size() == n) return out;
    }
    if (neighbors->size() < wanted) return out;  // the index has nothing more
  }
}

Result<std::vector<ScoredDocument>> DBImpl::Bm25Candidates(const TermCounts& terms, size_t n,
                                                           const QueryOptions& options,
                                                           const std::vector<uint64_t>* allowed,
                                                           uint64_t exclude) {
  auto scored = ScoreBm25(*store_, terms, {posting_documents_, posting_tokens_},
                          {options.bm25_k1, options.bm25_b}, next_internal_id_);
  if (!scored.ok()) return scored.status();
  std::erase_if(*scored, [&](const ScoredDocument& d) {
    return d.internal_id == exclude ||
           (allowed != nullptr &&
            !std::binary_search(allowed->begin(), allowed->end(), d.internal_id));
  });
  SortBestFirst(&*scored, n);
  return scored;
}

Result<std::vector<Hit>> DBImpl::RankLocked(const std::vector<float>* vector,
                                            const TermCounts& terms, const QueryOptions& options,
                                            uint64_t exclude) {
  std::optional<MetadataFilter> filter;
  std::vector<uint64_t> allowed;
  if (!options.where.empty()) {
    auto parsed = MetadataFilter::Parse(options.where);
    if (!parsed.ok()) return parsed.status();
    filter = std::move(*parsed);
    auto matching = MatchingIds(*filter);
    if (!matching.ok()) return matching.status();
    allowed = std::move(*matching);
  }
  const std::vector<uint64_t>* allowed_ptr = filter ? &allowed : nullptr;
  const size_t k = static_cast<size_t>(options.k);
  // Fusion looks deeper than k into each list, so that a document ranked moderately by both
  // can beat one ranked first by one.
  const size_t depth = options.mode == QueryMode::kHybrid ? std::max<size_t>(k, 100) : k;
  std::vector<std::vector<ScoredDocument>> lists;
  std::vector<float> weights;
  if (options.mode != QueryMode::kBm25 && vector != nullptr) {
    auto dense = DenseCandidates(*vector, depth, options, allowed_ptr, exclude);
    if (!dense.ok()) return dense.status();
    lists.push_back(std::move(*dense));
    weights.push_back(options.dense_weight);
  }
  if (options.mode != QueryMode::kDense) {
    auto bm25 = Bm25Candidates(terms, depth, options, allowed_ptr, exclude);
    if (!bm25.ok()) return bm25.status();
    lists.push_back(std::move(*bm25));
    weights.push_back(1.0f);
  }
  std::vector<ScoredDocument> ranked;
  if (options.mode == QueryMode::kHybrid) {
    ranked = FuseRrf(lists, options.rrf_k, weights);
  } else if (!lists.empty()) {
    ranked = std::move(lists.front());
  }
  if (ranked.size() > k) ranked.resize(k);
  std::vector<Hit> hits;
  for (const ScoredDocument& d : ranked) {
    auto doc = store_->GetDoc(d.internal_id);
    if (doc.status().IsNotFound()) continue;  // deleted an instant ago
    if (!doc.ok()) return doc.status();
    hits.push_back({std::move(doc->external_id), d.score, std::move(doc->text),
                    std::move(doc->metadata), DecodeSourceRef(doc->source)});
  }
  return hits;
}

Result<std::vector<Hit>> DBImpl::Query(std::string_view text, const QueryOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckQueryOptions(options));
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  auto model = StoredModel();
  if (!model.ok()) return model.status();
  QUIVER_RETURN_IF_ERROR(CheckVectorsMatchModel(**model));
  auto ids = (*model)->tokenizer->EncodeIds(text, {.add_special_tokens = false});
  if (!ids.ok()) return ids.status();
  AnalyzedText analyzed = AnalyzeIds(*ids, *(*model)->tokenizer, *(*model)->pooler);
  // A query with no known token has no dense vector; BM25 then finds nothing either.
  return RankLocked(analyzed.has_vector ? &analyzed.vector : nullptr, analyzed.terms, options, 0);
}

Result<std::vector<Hit>> DBImpl::QueryLike(const std::string& id, const QueryOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckQueryOptions(options));
  std::shared_lock read(state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  auto internal = store_->FindInternalId(id);
  if (!internal.ok()) return internal.status();
  if (!internal->has_value()) return Status::NotFound("no record with id '" + id + "'");
  std::vector<float> vector;
  QUIVER_RETURN_IF_ERROR(store_->GetVector(**internal, config_.dimension, &vector));
  TermCounts terms;
  if (options.mode != QueryMode::kDense) {
    auto model = StoredModel();
    if (!model.ok()) return model.status();
    QUIVER_RETURN_IF_ERROR(CheckVectorsMatchModel(**model));
    auto doc = store_->GetDoc(**internal);
    if (!doc.ok()) return doc.status();
    auto ids = (*model)->tokenizer->EncodeIds(doc->text, {.add_special_tokens = false});
    if (!ids.ok()) return ids.status();
    terms = AnalyzeIds(*ids, *(*model)->tokenizer, *(*model)->pooler).terms;
  }
  return RankLocked(&vector, terms, options, **internal);
}

// ---- upserts with text, and re-embedding -----------------------------------------------------

Status DBImpl::AddTerms(std::vector<PendingRecord>* records) {
  const bool any_text = std::any_of(records->begin(), records->end(),
                                    [](const PendingRecord& r) { return !r.text.empty(); });
  if (!any_text) return Status::OK();
  std::shared_lock read(state_mu_);
  auto model = StoredModel();
  if (model.status().IsNotFound()) return Status::OK();  // no model: no BM25 postings
  if (!model.ok()) return model.status();
  for (PendingRecord& r : *records) {
    if (r.text.empty()) continue;
    auto ids = (*model)->tokenizer->EncodeIds(r.text, {.add_special_tokens = false});
    if (!ids.ok()) return ids.status();
    AnalyzedText analyzed = AnalyzeIds(*ids, *(*model)->tokenizer, *(*model)->pooler);
    r.terms = std::move(analyzed.terms);
    r.length = analyzed.length;
  }
  return Status::OK();
}

Result<ReembedSummary> DBImpl::Reembed() {
  const auto start = std::chrono::steady_clock::now();
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard write(write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  auto model = StoredModel();
  if (!model.ok()) return model.status();
  CommitPlan plan;
  plan.replace_all_postings = true;
  plan.rebuild_index = true;
  plan.vectors_model = (*model)->info.identity;
  std::vector<uint64_t> internal_ids;
  QUIVER_RETURN_IF_ERROR(store_->ScanDocs([&](uint64_t id, const storage::StoredDoc& doc) {
    plan.upserts.push_back({doc.external_id, {}, doc.text, doc.metadata, doc.source, {}, 0});
    internal_ids.push_back(id);
    return Status::OK();
  }));
  const size_t n = plan.upserts.size();
  std::vector<Status> errors(n, Status::OK());
  std::vector<char> kept(n, 0);
  ParallelFor(n, WorkerCount(0), [&](size_t i) {
    PendingRecord& r = plan.upserts[i];
    auto ids = (*model)->tokenizer->EncodeIds(r.text, {.add_special_tokens = false});
    if (!ids.ok()) {
      errors[i] = ids.status();
      return;
    }
    AnalyzedText analyzed = AnalyzeIds(*ids, *(*model)->tokenizer, *(*model)->pooler);
    r.terms = std::move(analyzed.terms);
    r.length = analyzed.length;
    if (analyzed.has_vector) {
      r.vector = std::move(analyzed.vector);
    } else {
      kept[i] = 1;
      errors[i] = store_->GetVector(internal_ids[i], config_.dimension, &r.vector);
    }
  });
  ReembedSummary summary;
  for (size_t i = 0; i < n; ++i) {
    QUIVER_RETURN_IF_ERROR(errors[i]);
    (kept[i] ? summary.records_kept : summary.records) += 1;
  }
  QUIVER_RETURN_IF_ERROR(CommitLocked(plan));
  summary.seconds = SecondsSince(start);
  return summary;
}

}  // namespace quiver::engine
