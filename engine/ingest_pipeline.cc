#include "engine/ingest_pipeline.h"

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "engine/lexical.h"
#include "engine/text_analysis.h"
#include "ingest/chunker.h"
#include "ingest/source_ref.h"
#include "util/parallel.h"

namespace quiver::engine {

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

namespace {

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

std::string EncodeSourceEntry(const SourceEntry& entry) {
  return nlohmann::json{{"hash", entry.content_hash},
                        {"mtime", entry.mtime},
                        {"size", entry.size},
                        {"recipe", entry.recipe},
                        {"chunks", entry.chunk_ids}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The stored entry of source `key`, if any.
Result<std::optional<SourceEntry>> FindSourceEntry(storage::Store& store, const std::string& key) {
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> stored, store.GetSource(key));
  if (!stored.has_value()) return std::optional<SourceEntry>();
  QUIVER_ASSIGN_OR_RETURN(SourceEntry entry, DecodeSourceEntry(key, *stored));
  return std::optional<SourceEntry>(std::move(entry));
}

// The options that decide what chunks a file gives; a change means re-ingesting it.
std::string IngestRecipe(const IngestOptions& options, const ingest::ChunkOptions& chunking) {
  return nlohmann::json{{"chunk_tokens", chunking.max_tokens},
                        {"chunk_overlap", chunking.overlap_tokens},
                        {"id_field", options.id_field},
                        {"text_field", options.text_field},
                        {"metadata_fields", options.metadata_fields},
                        {"extra_metadata", options.extra_metadata},
                        // 2: "relpath" added, CSV cells typed (text_columns kept strings)
                        {"metadata_version", 2},
                        {"text_columns", options.text_columns}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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

// `file` relative to the input it was listed from: a file named as an input is its file name;
// a file found under an input directory is its path below that directory.
std::string RelativePath(const std::string& file, const std::vector<std::string>& inputs) {
  const std::filesystem::path path(file);
  for (const std::string& input : inputs) {
    if (input == file) return path.filename().string();
  }
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(input, ec)) continue;
    const std::filesystem::path relative = path.lexically_relative(input);
    if (!relative.empty() && *relative.begin() != "..") return relative.generic_string();
  }
  return path.filename().string();
}

// Seconds since the epoch of the file's last change; 0 when it cannot be read.
int64_t MtimeSeconds(const std::string& path) {
  std::error_code ec;
  const auto mtime = std::filesystem::last_write_time(path, ec);
  if (ec) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::file_clock::to_sys(mtime).time_since_epoch())
      .count();
}

// Merges a record's metadata with the options' extra pairs and the file's path, relpath and mtime
// (which do not override keys the record has).
std::string ChunkMetadata(const std::string& record_metadata, const IngestOptions& options,
                          const ingest::SourceFile& file) {
  auto metadata = nlohmann::json::parse(record_metadata, nullptr, false);
  if (!metadata.is_object()) metadata = nlohmann::json::object();
  for (const auto& [key, value] : options.extra_metadata) metadata[key] = value;
  if (!metadata.contains("path")) metadata["path"] = file.path;
  if (!metadata.contains("relpath")) metadata["relpath"] = file.relpath;
  if (!metadata.contains("mtime")) metadata["mtime"] = file.mtime;
  return metadata.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The chunk size and overlap `options` ask for, fitted to a sentence encoder's input length.
ingest::ChunkOptions ChunkingFor(const IngestOptions& options, const LoadedModel& model) {
  ingest::ChunkOptions chunking{options.chunk_tokens, options.chunk_overlap};
  if (model.encoder != nullptr) {
    chunking.max_tokens = std::min(chunking.max_tokens, model.encoder->DocumentTokenBudget());
    chunking.overlap_tokens = std::min(chunking.overlap_tokens, chunking.max_tokens - 1);
  }
  return chunking;
}

// The chunks of one document as records; `empty` counts chunks the model knows no token of.
// A sentence encoder's records are left without vectors (the caller embeds them in batches).
Status DocumentRecords(const ingest::SourceFile& file, const ingest::SourceDocument& doc,
                       const IngestOptions& options, const LoadedModel& model,
                       const text::Analyzer& analyzer, std::vector<PendingRecord>* records,
                       uint64_t* empty) {
  const ingest::ChunkOptions chunking = ChunkingFor(options, model);
  std::vector<int32_t> ids;
  auto chunks = ingest::ChunkText(doc.text, *model.tokenizer, chunking, &ids);
  if (!chunks.ok()) return chunks.status().WithContext(doc.id);
  const std::string metadata = ChunkMetadata(doc.metadata_json, options, file);
  for (size_t c = 0; c < chunks->size(); ++c) {
    const ingest::TextChunk& chunk = (*chunks)[c];
    std::span<const int32_t> chunk_ids(ids.data() + chunk.first_token, chunk.token_count);
    AnalyzedText analyzed;
    if (model.encoder == nullptr) {
      analyzed = AnalyzeIds(chunk_ids, *model.pooler);
      if (!analyzed.has_vector) {
        ++*empty;
        continue;
      }
    }
    PendingRecord& record = records->emplace_back();
    record.id = doc.id + "#" + std::to_string(c);
    record.vector = std::move(analyzed.vector);
    record.text = doc.text.substr(chunk.begin, chunk.end - chunk.begin);
    record.metadata = metadata;
    record.source = ingest::EncodeSourceRef(
        {file.path, chunk.begin, chunk.end, static_cast<int32_t>(c), file.content_hash});
    record.terms = IndexTerms(analyzer, record.text);
  }
  return Status::OK();
}

// Gives every record of `records` the vector of its text (as a document), in batches, calling
// `embedded` with the records done after each.
Status EmbedRecords(const LoadedModel& model, int threads, std::span<PendingRecord> records,
                    const std::function<Status(size_t)>& embedded) {
  constexpr size_t kBatch = 256;  // bounds the memory of the encoder's activations
  for (size_t first = 0; first < records.size(); first += kBatch) {
    const size_t count = std::min(kBatch, records.size() - first);
    std::vector<std::string_view> texts;
    for (size_t i = first; i < first + count; ++i) texts.push_back(records[i].text);
    QUIVER_ASSIGN_OR_RETURN(std::vector<AnalyzedText> analyzed,
                            AnalyzeDocuments(model, texts, threads));
    for (size_t i = 0; i < count; ++i) records[first + i].vector = std::move(analyzed[i].vector);
    QUIVER_RETURN_IF_ERROR(embedded(first + count));
  }
  return Status::OK();
}

// The IngestProgress phase of a part of model training.
IngestPhase PhaseOf(TrainPart part) {
  return part == TrainPart::kTokenizer ? IngestPhase::kTrainingTokenizer
                                       : IngestPhase::kTrainingModel;
}

}  // namespace

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

ingest::ReaderOptions ReaderOptionsOf(const IngestOptions& options) {
  return {options.id_field, options.text_field, options.metadata_fields, options.skip_bad,
          options.text_columns};
}

LineSource CollectionLines(const std::vector<std::string>& files,
                           const ingest::ReaderOptions& reader) {
  // Files that cannot be read are reported by the ingest pass.
  return TextsOfFiles(files, reader, ForEachParagraph, /*skip_unreadable=*/true);
}

Status CheckTrainableCollection(const std::vector<std::string>& files,
                                const IngestSummary& summary) {
  if (!files.empty()) return Status::OK();
  std::string found = "no file at all";
  if (!summary.skipped.empty()) {
    const SkippedFile& first = summary.skipped.front();
    found = "no text file: " + std::to_string(summary.skipped.size()) + " file(s) skipped, e.g. " +
            first.path + " (" + first.reason + ")";
  }
  return Status::InvalidArgument(
      "an embedding model is trained on the text files ingested first; found " + found);
}

TrainProgress IngestTrainProgress(const IngestOptions& options, uint64_t files_total,
                                  uint64_t bytes_total) {
  if (!options.on_progress) return nullptr;
  return [&options, files_total, bytes_total](TrainPart part, uint64_t done, uint64_t total,
                                              std::string_view unit) {
    IngestProgress progress;
    progress.phase = PhaseOf(part);
    progress.done = done;
    progress.total = total;
    progress.unit = unit;
    progress.files_total = files_total;
    progress.bytes_total = bytes_total;
    return options.on_progress(progress);
  };
}

IngestPipeline::IngestPipeline(storage::Store& store, const IngestOptions& options,
                               const LoadedModel& model, const text::Analyzer& analyzer,
                               CommitFunction commit)
    : store_(store),
      options_(options),
      model_(model),
      analyzer_(analyzer),
      commit_(std::move(commit)),
      reader_(ReaderOptionsOf(options)),
      recipe_(IngestRecipe(options, ChunkingFor(options, model))) {}

void IngestPipeline::Say(const std::string& message) const {
  if (options_.on_message) options_.on_message(message);
}

Status IngestPipeline::Report(IngestPhase phase, uint64_t done, uint64_t total,
                              std::string_view unit) {
  if (!options_.on_progress) return Status::OK();
  progress_.phase = phase;
  progress_.done = done;
  progress_.total = total;
  progress_.unit = unit;
  if (options_.on_progress(progress_)) return Status::OK();
  return Status::Cancelled("ingest cancelled after " + std::to_string(progress_.files_done) +
                           " of " + std::to_string(progress_.files_total) +
                           " file(s); those are stored, ingesting again finishes the job");
}

Status IngestPipeline::Run(const std::vector<std::string>& inputs,
                           const std::vector<std::string>& files, IngestSummary* summary) {
  progress_ = IngestProgress{};
  progress_.files_total = files.size();
  const std::vector<uint64_t> sizes = FileSizes(files, &progress_.bytes_total);
  summary->source_bytes = progress_.bytes_total;
  std::unordered_set<std::string> seen_keys;
  for (size_t i = 0; i < files.size(); ++i) {
    QUIVER_RETURN_IF_ERROR(
        Report(IngestPhase::kReading, progress_.bytes_done, progress_.bytes_total, "bytes"));
    const std::string key = SourceKey(files[i]);
    QUIVER_RETURN_IF_ERROR(
        IngestFile(files[i], RelativePath(files[i], inputs), key, sizes[i], summary));
    seen_keys.insert(key);
    ++progress_.files_done;
    progress_.bytes_done += sizes[i];
    progress_.chunks = summary->chunks_added + summary->chunks_replaced;
  }
  QUIVER_RETURN_IF_ERROR(
      Report(IngestPhase::kCommitting, progress_.files_done, progress_.files_total, "files"));
  summary->files_seen += files.size();
  return options_.prune ? Prune(inputs, seen_keys, summary) : Status::OK();
}

Status IngestPipeline::IngestFile(const std::string& path, const std::string& relpath,
                                  const std::string& key, uint64_t size, IngestSummary* summary) {
  QUIVER_ASSIGN_OR_RETURN(std::optional<SourceEntry> previous, FindSourceEntry(store_, key));
  const bool same_recipe = previous && previous->recipe == recipe_;
  if (same_recipe && previous->size == size && previous->mtime == MtimeSeconds(path)) {
    ++summary->files_unchanged;  // same size and time: not even read
    return Status::OK();
  }
  auto file = ingest::ReadSource(path, reader_);
  if (!file.ok()) {
    if (file.status().IsInvalidArgument()) return file.status();
    Say(file.status().message());
    ++summary->files_skipped;
    summary->skipped.push_back({path, ingest::SkipReason(path, file.status())});
    return Status::OK();
  }
  file->relpath = relpath;
  summary->repaired_bytes += file->repaired_bytes;
  summary->skipped_records += file->skipped_records;
  if (file->skipped_records > 0) {
    Say(path + ": skipped " + std::to_string(file->skipped_records) +
        " bad record(s); the first: " + file->first_skip_reason);
  }
  SourceEntry entry{file->content_hash, file->mtime, file->size, recipe_, {}};
  if (same_recipe && previous->content_hash == file->content_hash) {
    ++summary->files_unchanged;
    CommitPlan touch;  // remember the new time so the next run need not read it
    entry.chunk_ids = previous->chunk_ids;
    touch.put_sources.emplace_back(key, EncodeSourceEntry(entry));
    return commit_(touch, nullptr);
  }
  CommitPlan plan;
  QUIVER_RETURN_IF_ERROR(ChunkAndEmbed(*file, &plan.upserts, summary));
  for (const PendingRecord& r : plan.upserts) entry.chunk_ids.push_back(r.id);
  const std::unordered_set<std::string> before =
      previous
          ? std::unordered_set<std::string>(previous->chunk_ids.begin(), previous->chunk_ids.end())
          : std::unordered_set<std::string>();
  uint64_t replaced = 0;
  for (const std::string& id : entry.chunk_ids) replaced += before.contains(id);
  if (previous) {
    std::unordered_set<std::string> kept(entry.chunk_ids.begin(), entry.chunk_ids.end());
    for (const std::string& id : previous->chunk_ids) {
      if (!kept.contains(id)) plan.deletes.push_back(id);
    }
  }
  plan.put_sources.emplace_back(key, EncodeSourceEntry(entry));
  plan.vectors_model = model_.info.identity;
  QUIVER_RETURN_IF_ERROR(
      Report(IngestPhase::kCommitting, progress_.files_done, progress_.files_total, "files"));
  QUIVER_RETURN_IF_ERROR(commit_(plan, nullptr));
  ++(previous ? summary->files_replaced : summary->files_added);
  summary->chunks_removed += plan.deletes.size();
  summary->chunks_replaced += replaced;
  summary->chunks_added += plan.upserts.size() - replaced;
  for (const ingest::SourceDocument& doc : file->documents) summary->bytes += doc.text.size();
  return Status::OK();
}

Status IngestPipeline::ChunkAndEmbed(const ingest::SourceFile& file,
                                     std::vector<PendingRecord>* records, IngestSummary* summary) {
  const size_t n = file.documents.size();
  std::vector<std::vector<PendingRecord>> per_document(n);
  std::vector<Status> errors(n, Status::OK());
  std::vector<uint64_t> empty(n, 0);
  util::ParallelFor(n, util::WorkerCount(options_.threads), [&](size_t i) {
    errors[i] = DocumentRecords(file, file.documents[i], options_, model_, analyzer_,
                                &per_document[i], &empty[i]);
  });
  for (size_t i = 0; i < n; ++i) {
    QUIVER_RETURN_IF_ERROR(errors[i]);
    summary->empty_chunks += empty[i];
    for (PendingRecord& r : per_document[i]) records->push_back(std::move(r));
  }
  const size_t chunks = records->size();
  auto embedded = [&](size_t done) {
    return Report(IngestPhase::kEmbedding, done, chunks, "chunks");
  };
  if (model_.encoder == nullptr) return embedded(chunks);  // pooled while chunking
  QUIVER_RETURN_IF_ERROR(embedded(0));
  return EmbedRecords(model_, options_.threads, *records, embedded);
}

Status IngestPipeline::Prune(const std::vector<std::string>& inputs,
                             const std::unordered_set<std::string>& seen, IngestSummary* summary) {
  std::vector<std::string> roots;
  for (const std::string& input : inputs) roots.push_back(SourceKey(input));
  CommitPlan plan;
  QUIVER_RETURN_IF_ERROR(store_.ScanSources([&](std::string_view key, std::string_view value) {
    const std::string path(key);
    if (seen.contains(path) || !UnderAny(path, roots)) return Status::OK();
    QUIVER_ASSIGN_OR_RETURN(SourceEntry entry, DecodeSourceEntry(path, value));
    for (const std::string& id : entry.chunk_ids) plan.deletes.push_back(id);
    plan.delete_sources.push_back(path);
    return Status::OK();
  }));
  if (plan.delete_sources.empty()) return Status::OK();
  size_t removed = 0;
  QUIVER_RETURN_IF_ERROR(commit_(plan, &removed));
  summary->sources_pruned += plan.delete_sources.size();
  summary->chunks_removed += removed;
  return Status::OK();
}

Result<CommitPlan> PlanReembed(storage::Store& store, const LoadedModel& model, int dimension,
                               ReembedSummary* summary) {
  CommitPlan plan;
  plan.rebuild_index = true;
  plan.vectors_model = model.info.identity;
  std::vector<uint64_t> internal_ids;
  QUIVER_RETURN_IF_ERROR(store.ScanDocs([&](uint64_t id, const storage::StoredDoc& doc) {
    plan.upserts.push_back({doc.external_id, {}, doc.text, doc.metadata, doc.source, {}});
    internal_ids.push_back(id);
    return Status::OK();
  }));
  const size_t n = plan.upserts.size();
  std::vector<Status> errors(n, Status::OK());
  std::vector<char> kept(n, 0);
  constexpr size_t kBatch = 1024;  // bounds the memory of a sentence encoder's activations
  for (size_t first = 0; first < n; first += kBatch) {
    const size_t count = std::min(kBatch, n - first);
    std::vector<std::string_view> texts;
    for (size_t i = first; i < first + count; ++i) texts.push_back(plan.upserts[i].text);
    QUIVER_ASSIGN_OR_RETURN(std::vector<AnalyzedText> analyzed, AnalyzeDocuments(model, texts, 0));
    for (size_t j = 0; j < count; ++j) {
      const size_t i = first + j;
      if (analyzed[j].has_vector) {
        plan.upserts[i].vector = std::move(analyzed[j].vector);
      } else {
        kept[i] = 1;
        errors[i] = store.GetVector(internal_ids[i], dimension, &plan.upserts[i].vector);
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    QUIVER_RETURN_IF_ERROR(errors[i]);
    (kept[i] ? summary->records_kept : summary->records) += 1;
  }
  return plan;
}

}  // namespace quiver::engine
