#include "engine/db_impl.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>

#include "engine/ingest_pipeline.h"
#include "engine/record_validation.h"
#include "engine/recovery.h"
#include "engine/text_analysis.h"
#include "engine/write_tags.h"
#include "ingest/source_reader.h"
#include "ingest/source_ref.h"
#include "util/clock.h"

namespace quiver {

Result<std::unique_ptr<DB>> DB::Open(const Options& options, const std::string& path) {
  return engine::DBImpl::Open(options, path);
}

namespace engine {
namespace {

// The tokenizer a new database is created with, serialized; "" when none is given.
Result<std::string> TokenizerBlob(const std::string& tokenizer_file) {
  if (tokenizer_file.empty()) return std::string();
  auto tokenizer = LoadTokenizerFile(tokenizer_file);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(tokenizer_file);
  return (*tokenizer)->Serialize();
}

}  // namespace

// ---- open and close ---------------------------------------------------------------------------

DBImpl::DBImpl(const Options& options, Layout layout)
    : options_(options), layout_(std::move(layout)) {}

DBImpl::~DBImpl() {
  Status s = Close();
  if (!s.ok()) Report("closing " + layout_.root + ": " + s.ToString());
}

void DBImpl::Report(const std::string& message) const {
  if (options_.report_to_stderr) std::fprintf(stderr, "quiver: %s\n", message.c_str());
}

Result<std::unique_ptr<DB>> OpenWithHooks(const Options& options, const std::string& path,
                                          const OpenHooks& hooks) {
  return DBImpl::Open(options, path, hooks);
}

Result<std::unique_ptr<DB>> DBImpl::Open(const Options& options, const std::string& path,
                                         const OpenHooks& hooks) {
  Layout layout{path};
  bool create = false;
  QUIVER_RETURN_IF_ERROR(CheckLayout(layout, options, &create));
  std::unique_ptr<DBImpl> db(new DBImpl(options, layout));
  std::string tokenizer_blob;
  if (create) {
    db->config_ = {options.dimension, options.metric, options.index_spec};
    QUIVER_RETURN_IF_ERROR(index::VectorIndex::Validate(db->config_));
    QUIVER_ASSIGN_OR_RETURN(db->analyzer_, MakeAnalyzer(options.analyzer));
    QUIVER_ASSIGN_OR_RETURN(tokenizer_blob, TokenizerBlob(options.tokenizer_file));
  }
  if (!options.read_only) QUIVER_RETURN_IF_ERROR(EnsureIndexDirectory(layout));
  const auto mode =
      options.read_only ? storage::Store::Mode::kReadOnly : storage::Store::Mode::kReadWrite;
  auto store = storage::Store::Open(layout.store_dir(), mode, create, hooks.faults);
  if (!store.ok()) return store.status().WithContext(path);
  db->store_ = std::move(store.value());
  util::MutexLock write(&db->write_mu_);
  std::string lexical_rebuild_reason;
  QUIVER_RETURN_IF_ERROR(create ? db->Create(tokenizer_blob) : db->Load(&lexical_rebuild_reason));
  db->models_ = std::make_unique<ModelStore>(db->store_.get(), path, db->config_.dimension);
  QUIVER_RETURN_IF_ERROR(db->Recover(lexical_rebuild_reason));
  return std::unique_ptr<DB>(std::move(db));
}

Status DBImpl::Create(const std::string& tokenizer_blob) {
  return InitializeStore(*store_, config_, ChoiceOf(*analyzer_), tokenizer_blob);
}

Status DBImpl::Load(std::string* lexical_rebuild_reason) {
  QUIVER_ASSIGN_OR_RETURN(StoredMeta meta, LoadStoredMeta(*store_, layout_.root));
  config_ = meta.config;
  {
    util::WriterLock lock(&state_mu_);
    counters_ = meta.counters;
  }
  return LoadAnalyzer(meta, lexical_rebuild_reason);
}

Status DBImpl::LoadAnalyzer(const StoredMeta& meta, std::string* lexical_rebuild_reason) {
  if (meta.format_version == 1) {
    // Format 1 had no analyzer: its BM25 ran over the model's tokens.
    QUIVER_ASSIGN_OR_RETURN(analyzer_, MakeAnalyzer(Options{}.analyzer));
    if (options_.read_only) {
      *lexical_rebuild_reason = "the database has format 1 (open it read-write once to migrate it)";
      return Status::OK();
    }
    Report("migrating " + layout_.root + " from format 1 to " + std::to_string(kFormatVersion) +
           ": its BM25 postings give way to a full-text index under index/ (analyzer " +
           analyzer_->Name() + ")");
    QUIVER_RETURN_IF_ERROR(MigrateFromFormat1(*store_, ChoiceOf(*analyzer_)));
    *lexical_rebuild_reason = "the database was migrated from format 1";
    return Status::OK();
  }
  auto analyzer = MakeAnalyzer(meta.analyzer.language);
  if (!analyzer.ok()) return analyzer.status().WithContext(layout_.root + " names an analyzer");
  analyzer_ = std::move(*analyzer);
  // Another ICU: record it; the checkpoint's analyzer tag then no longer matches, and the
  // full-text index is rebuilt.
  const AnalyzerChoice current = ChoiceOf(*analyzer_);
  if (meta.analyzer.icu_version != current.icu_version && !options_.read_only) {
    return StoreAnalyzerChoice(*store_, current);
  }
  return Status::OK();
}

Status DBImpl::Recover(const std::string& lexical_rebuild_reason) {
  const Counters counters = CurrentCounters();
  const Reporter report = [this](const std::string& m) { Report(m); };
  // The two indexes load independently (each reads the store and its own checkpoint): the
  // full-text one on a second thread while this one loads the vectors.
  auto lexical_future = std::async(std::launch::async, [&] {
    return RecoverLexical(*store_, layout_, *analyzer_, counters, lexical_rebuild_reason, report);
  });
  auto recovered_or = RecoverIndex(*store_, layout_, config_, counters, report);
  auto lexical_or = lexical_future.get();
  QUIVER_ASSIGN_OR_RETURN(RecoveredIndex recovered, std::move(recovered_or));
  QUIVER_ASSIGN_OR_RETURN(RecoveredLexical lexical, std::move(lexical_or));
  util::WriterLock lock(&state_mu_);
  index_ = std::move(recovered.index);
  lexical_ = std::move(lexical.index);
  checkpoint_sequence_ = std::min(recovered.checkpoint_sequence, lexical.checkpoint_sequence);
  if (!(recovered.rebuilt || lexical.rebuilt) || options_.read_only) return Status::OK();
  return CheckpointHeld();
}

Status DBImpl::Close() {
  util::MutexLock write(&write_mu_);
  util::WriterLock lock(&state_mu_);
  if (closed_) return Status::OK();
  closed_ = true;
  if (store_ == nullptr || index_ == nullptr || lexical_ == nullptr) {
    return Status::OK();  // Open failed part-way
  }
  Status s;
  const bool has_checkpoint = std::filesystem::exists(layout_.checkpoint_path()) &&
                              std::filesystem::exists(layout_.lexical_checkpoint_path());
  if (!options_.read_only && (counters_.last_sequence != checkpoint_sequence_ || !has_checkpoint)) {
    s = CheckpointHeld();
  }
  index_.reset();
  lexical_.reset();
  models_.reset();
  store_.reset();
  return s;
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

Counters DBImpl::CurrentCounters() const {
  util::ReaderLock read(&state_mu_);
  return counters_;
}

// ---- the index as derived state ---------------------------------------------------------------

bool DBImpl::LexicalCompactionDue() const {
  return lexical_->TombstoneCount() * 10 > lexical_->DocumentCount();
}

Status DBImpl::CheckpointHeld() {
  if (LexicalCompactionDue()) lexical_->Compact();
  const uint64_t sequence = counters_.last_sequence;
  QUIVER_RETURN_IF_ERROR(
      WriteCheckpoints(*store_, layout_, *index_, *analyzer_, *lexical_, sequence));
  checkpoint_sequence_ = sequence;
  return Status::OK();
}

Status DBImpl::CheckpointLocked() {
  bool compact = false;
  {
    util::ReaderLock read(&state_mu_);
    compact = LexicalCompactionDue();
  }
  if (compact) {
    util::WriterLock lock(&state_mu_);
    lexical_->Compact();
  }
  uint64_t sequence = 0;
  {
    // Only writers change the index, and this one holds write_mu_: readers may go on.
    util::ReaderLock read(&state_mu_);
    sequence = counters_.last_sequence;
    QUIVER_RETURN_IF_ERROR(
        WriteCheckpoints(*store_, layout_, *index_, *analyzer_, *lexical_, sequence));
  }
  util::WriterLock lock(&state_mu_);
  checkpoint_sequence_ = sequence;
  return Status::OK();
}

Status DBImpl::MaybeCheckpointLocked() {
  const uint64_t interval = options_.checkpoint_interval;
  {
    util::ReaderLock read(&state_mu_);
    if (interval == 0 || counters_.last_sequence - checkpoint_sequence_ < interval) {
      return Status::OK();
    }
  }
  return CheckpointLocked();
}

Status DBImpl::RebuildHeld(const std::string& reason) {
  const Reporter report = [this](const std::string& m) { Report(m); };
  QUIVER_ASSIGN_OR_RETURN(RecoveredIndex rebuilt,
                          RebuildIndex(*store_, layout_, config_, reason, report));
  QUIVER_ASSIGN_OR_RETURN(RecoveredLexical lexical,
                          RebuildLexical(*store_, layout_, *analyzer_, reason, report));
  index_ = std::move(rebuilt.index);
  lexical_ = std::move(lexical.index);
  checkpoint_sequence_ = 0;
  return options_.read_only ? Status::OK() : CheckpointHeld();
}

Status DBImpl::ReplaceIndexFromStoreLocked(const Counters* counters) {
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<index::VectorIndex> fresh,
                          BuildIndexFromStore(*store_, config_));
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<text::LexicalIndex> fresh_lexical,
                          BuildLexicalFromStore(*store_, *analyzer_));
  {
    util::WriterLock lock(&state_mu_);
    index_ = std::move(fresh);
    lexical_ = std::move(fresh_lexical);
    if (counters != nullptr) counters_ = *counters;
  }
  return CheckpointLocked();
}

// ---- writes -----------------------------------------------------------------------------------

Status DBImpl::CommitLocked(CommitPlan& plan, size_t* removed, WriteOutcome* outcome) {
  QUIVER_ASSIGN_OR_RETURN(PreparedCommit prepared, PlanCommit(*store_, plan, CurrentCounters()));
  if (removed != nullptr) *removed = prepared.deleted_existing;
  if (prepared.empty) return Status::OK();
  QUIVER_RETURN_IF_ERROR(store_->Write(*prepared.batch));
  ++data_version_;
  if (outcome != nullptr) outcome->stored = true;
  Status s = plan.rebuild_index ? ReplaceIndexFromStoreLocked(&prepared.counters)
                                : Publish(plan, prepared);
  if (s.ok() && !plan.rebuild_index) s = MaybeCheckpointLocked();
  if (s.ok()) return s;
  // The batch stands: say so, and what failed after it.
  return s.WithContext("the write is stored (through operation " +
                       std::to_string(prepared.counters.last_sequence) + "), but then");
}

Status DBImpl::Publish(const CommitPlan& plan, const PreparedCommit& commit) {
  util::WriterLock lock(&state_mu_);
  counters_ = commit.counters;
  Status s = index_->Remove(commit.removed);
  if (s.ok()) s = index_->Add(commit.added, commit.added_vectors);
  for (size_t i = 0; s.ok() && i < commit.removed.size(); ++i) {
    if (lexical_->Contains(commit.removed[i])) s = lexical_->Remove(commit.removed[i]);
  }
  for (size_t i = 0; s.ok() && i < commit.added.size(); ++i) {
    s = lexical_->Add(commit.added[i], plan.upserts[commit.added_records[i]].terms);
  }
  std::vector<std::string_view> added_names;
  added_names.reserve(commit.added.size());
  for (const size_t record : commit.added_records) added_names.push_back(plan.upserts[record].id);
  external_ids_.Apply(commit.removed, commit.added, added_names);
  if (s.ok()) return s;
  // The store already holds the write; bring the index back in line with it.
  return RebuildHeld("applying a committed write failed: " + s.message());
}

Status DBImpl::Upsert(const std::vector<Record>& records, WriteOutcome* outcome,
                      const WriteTag* tag) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  if (tag != nullptr) QUIVER_RETURN_IF_ERROR(CheckWriteTag(*tag));
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
    pending.source = ingest::EncodeSourceRef(r.source);
  }
  const text::Analyzer* analyzed_by = AddTerms(&plan.upserts);
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_ASSIGN_OR_RETURN(const bool apply, ClaimTagLocked(tag, &plan, outcome));
  if (!apply) return Status::OK();
  if (analyzer_.get() != analyzed_by) AddTerms(&plan.upserts);  // Reindex ran meanwhile
  return CommitLocked(plan, nullptr, outcome);
}

const text::Analyzer* DBImpl::AddTerms(std::vector<PendingRecord>* records) {
  util::ReaderLock read(&state_mu_);
  for (PendingRecord& r : *records) r.terms = IndexTerms(*analyzer_, r.text);
  return analyzer_.get();
}

Status DBImpl::CheckRecord(const Record& record) const {
  std::string canonical_metadata;
  return ValidateRecord(record, config_.dimension, config_.metric, &canonical_metadata);
}

Status DBImpl::Delete(const std::vector<std::string>& ids, size_t* removed, WriteOutcome* outcome,
                      const WriteTag* tag) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  if (tag != nullptr) QUIVER_RETURN_IF_ERROR(CheckWriteTag(*tag));
  if (removed != nullptr) *removed = 0;
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  CommitPlan plan;
  QUIVER_ASSIGN_OR_RETURN(const bool apply, ClaimTagLocked(tag, &plan, outcome));
  if (!apply) return Status::OK();
  plan.deletes = ids;
  return CommitLocked(plan, removed, outcome);
}

Status DBImpl::Compact() {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<index::VectorIndex> fresh,
                          BuildIndexFromStore(*store_, config_));
  {
    util::WriterLock lock(&state_mu_);
    index_ = std::move(fresh);
    lexical_->Compact();
  }
  QUIVER_RETURN_IF_ERROR(CheckpointLocked());
  return store_->CompactAll();
}

Status DBImpl::Reindex(const std::string& language) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<text::Analyzer> analyzer, MakeAnalyzer(language));
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<text::LexicalIndex> fresh,
                          BuildLexicalFromStore(*store_, *analyzer));
  QUIVER_RETURN_IF_ERROR(StoreAnalyzerChoice(*store_, ChoiceOf(*analyzer)));
  {
    util::WriterLock lock(&state_mu_);
    analyzer_ = std::move(analyzer);
    lexical_ = std::move(fresh);
  }
  return CheckpointLocked();
}

// ---- models -----------------------------------------------------------------------------------

void DBImpl::ForgetModel() {
  util::WriterLock lock(&state_mu_);
  models_->Forget();
}

Status DBImpl::ImportWordVectors(const std::string& path, std::string_view format,
                                 ExistingModel existing) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(models_->CheckNoModel(existing));
  QUIVER_RETURN_IF_ERROR(models_->ImportWordVectors(path, format));
  ForgetModel();
  return Status::OK();
}

Status DBImpl::ImportSafetensors(const std::string& path, const std::string& tensor,
                                 const std::string& tokenizer_path, ExistingModel existing) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(models_->CheckNoModel(existing));
  QUIVER_RETURN_IF_ERROR(models_->ImportSafetensors(path, tensor, tokenizer_path));
  ForgetModel();
  return Status::OK();
}

Status DBImpl::ImportModel(const std::string& directory, const ModelImportOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(models_->CheckNoModel(options.existing));
  QUIVER_RETURN_IF_ERROR(models_->ImportModel(directory, options));
  ForgetModel();
  return Status::OK();
}

Status DBImpl::TrainModel(const std::vector<std::string>& corpus, const TrainOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  if (corpus.empty()) return Status::InvalidArgument("no corpus files given");
  QUIVER_ASSIGN_OR_RETURN(std::vector<std::string> files, CorpusFiles(corpus));
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(models_->CheckNoModel(options.existing_model));
  const std::string description = "trained on " + std::to_string(files.size()) + " corpus file(s)";
  QUIVER_RETURN_IF_ERROR(models_->Train(LinesOfFiles(std::move(files)), description, options));
  ForgetModel();
  return Status::OK();
}

Result<Tokenization> DBImpl::Tokenize(std::string_view text, bool add_special_tokens) {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_ASSIGN_OR_RETURN(const Tokenizer* tokenizer, models_->GetTokenizer());
  QUIVER_ASSIGN_OR_RETURN(Encoding encoding, tokenizer->Encode(text, {add_special_tokens}));
  return ToTokenization(*tokenizer, encoding);
}

Result<ModelInfo> DBImpl::GetModelInfo() {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_ASSIGN_OR_RETURN(const LoadedModel* model, models_->GetModel());
  return model->info;
}

Result<std::vector<float>> DBImpl::TokenVector(std::string_view token) {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_ASSIGN_OR_RETURN(const LoadedModel* model, models_->GetModel());
  QUIVER_ASSIGN_OR_RETURN(int64_t row, TokenRow(*model, token));
  auto values = model->matrix.Row(row);
  return std::vector<float>(values.begin(), values.end());
}

Result<std::vector<TokenScore>> DBImpl::Neighbors(const NeighborQuery& query) {
  if (query.k <= 0)
    return Status::InvalidArgument("k must be > 0; found " + std::to_string(query.k));
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_ASSIGN_OR_RETURN(const LoadedModel* model, models_->GetModel());
  return NearestTokens(*model, query);
}

Result<EmbeddedText> DBImpl::Embed(std::string_view text) {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_ASSIGN_OR_RETURN(const LoadedModel* model, models_->GetModel());
  return EmbedText(*model, text);
}

// ---- ingest and re-embed ----------------------------------------------------------------------

Result<IngestSummary> DBImpl::Ingest(const std::vector<std::string>& paths,
                                     const IngestOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(CheckIngestOptions(options));
  if (paths.empty()) return Status::InvalidArgument("no files or directories to ingest");
  std::vector<std::string> warnings;
  QUIVER_ASSIGN_OR_RETURN(std::vector<std::string> files, ingest::ListSources(paths, &warnings));
  if (options.on_message) {
    for (const std::string& warning : warnings) options.on_message(warning);
  }
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  IngestSummary summary;
  QUIVER_ASSIGN_OR_RETURN(const LoadedModel* model, ModelForIngestLocked(files, options, &summary));
  QUIVER_RETURN_IF_ERROR(CheckVectorsMatchModel(*model, CurrentCounters()));
  IngestPipeline pipeline(
      *store_, options, *model, *analyzer_, [this](CommitPlan& plan, size_t* removed) {
        write_mu_.AssertHeld();  // the pipeline runs inside Ingest, which holds it
        return CommitLocked(plan, removed);
      });
  QUIVER_RETURN_IF_ERROR(pipeline.Run(paths, files, &summary));
  summary.seconds = util::SecondsSince(start);
  return summary;
}

Result<const LoadedModel*> DBImpl::ModelForIngestLocked(const std::vector<std::string>& files,
                                                        const IngestOptions& options,
                                                        IngestSummary* summary) {
  auto say = [&](const std::string& message) {
    if (options.on_message) options.on_message(message);
  };
  auto model = models_->GetModel();
  if (model.ok() && !options.model_from.empty()) {
    QUIVER_RETURN_IF_ERROR(models_->CheckSameModel(**model, options.model_from));
  }
  if (!model.status().IsNotFound()) return model;
  if (!options.model_from.empty()) {
    QUIVER_RETURN_IF_ERROR(models_->CopyFrom(options.model_from));
    say("using the embedding model of " + options.model_from);
  } else {
    say("no embedding model yet: training one on the collection");
    const auto start = std::chrono::steady_clock::now();
    QUIVER_RETURN_IF_ERROR(models_->CheckNoModel(options.train.existing_model));
    QUIVER_RETURN_IF_ERROR(models_->Train(
        CollectionLines(files, ReaderOptionsOf(options)),
        "trained on " + std::to_string(files.size()) + " ingested file(s)", options.train));
    summary->trained_model = true;
    summary->train_seconds = util::SecondsSince(start);
    char line[96];
    std::snprintf(line, sizeof(line), "trained the embedding model in %.1f s",
                  summary->train_seconds);
    say(line);
  }
  ForgetModel();
  return models_->GetModel();
}

Result<ReembedSummary> DBImpl::Reembed() {
  const auto start = std::chrono::steady_clock::now();
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_ASSIGN_OR_RETURN(const LoadedModel* model, models_->GetModel());
  ReembedSummary summary;
  QUIVER_ASSIGN_OR_RETURN(CommitPlan plan,
                          PlanReembed(*store_, *model, config_.dimension, &summary));
  QUIVER_RETURN_IF_ERROR(CommitLocked(plan));
  summary.seconds = util::SecondsSince(start);
  return summary;
}

// ---- reads ------------------------------------------------------------------------------------

QueryContext DBImpl::Context() const {
  return {store_.get(), index_.get(), lexical_.get(),      analyzer_.get(),
          &config_,     &counters_,   data_version_.load(), &external_ids_};
}

Result<text::LexicalQuery> DBImpl::ParseTextQuery(std::string_view text) const {
  return text::ParseQuery(text, *analyzer_);
}

text::LexicalQuery DBImpl::LikeQuery(std::string_view text) const {
  std::vector<text::Term> terms = IndexTerms(*analyzer_, text);
  std::sort(terms.begin(), terms.end(),
            [](const text::Term& a, const text::Term& b) { return a.text < b.text; });
  text::LexicalQuery query;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (i == 0 || terms[i].text != terms[i - 1].text) {
      query.clauses.push_back(text::TermClause(terms[i].text));
    }
  }
  return query;
}

Result<Record> DBImpl::Get(const std::string& id) {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_ASSIGN_OR_RETURN(std::optional<uint64_t> internal, store_->FindInternalId(id));
  if (!internal.has_value()) return Status::NotFound("no record with id '" + id + "'");
  QUIVER_ASSIGN_OR_RETURN(storage::StoredDoc doc, store_->GetDoc(*internal));
  Record record{doc.external_id,
                {},
                std::move(doc.text),
                std::move(doc.metadata),
                ingest::DecodeSourceRef(doc.source)};
  QUIVER_RETURN_IF_ERROR(store_->GetVector(*internal, config_.dimension, &record.vector));
  return record;
}

Result<std::vector<Hit>> DBImpl::Search(std::span<const float> query,
                                        const SearchOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckSearchOptions(options));
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_RETURN_IF_ERROR(ValidateVector(query, config_.dimension, config_.metric, "query"));
  return planner_.Search(Context(), query, options);
}

Result<std::vector<Hit>> DBImpl::Query(std::string_view text, const QueryOptions& options) {
  QUIVER_ASSIGN_OR_RETURN(QueryResult result, QueryWithReport(text, options));
  return std::move(result.hits);
}

Result<QueryResult> DBImpl::QueryWithReport(std::string_view text, const QueryOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckQueryOptions(options));
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  TextQuery query;
  QUIVER_ASSIGN_OR_RETURN(query.lexical, ParseTextQuery(text));
  AnalyzedText analyzed;
  QueryResult result;
  if (options.mode != QueryMode::kBm25) {  // full text alone needs no embedding model
    QUIVER_ASSIGN_OR_RETURN(const LoadedModel* model, models_->GetModel());
    QUIVER_RETURN_IF_ERROR(CheckVectorsMatchModel(*model, counters_));
    QUIVER_ASSIGN_OR_RETURN(analyzed, AnalyzeText(*model, text));
    QUIVER_ASSIGN_OR_RETURN(const bool known, HasKnownWord(*model, *lexical_, query.lexical, text));
    // A query with no word the model knows has no dense vector.
    result.no_known_words = !analyzed.has_vector || !known;
    if (!result.no_known_words) query.vector = &analyzed.vector;
  }
  QUIVER_ASSIGN_OR_RETURN(result.hits, planner_.Rank(Context(), query, options, 0));
  return result;
}

Result<std::vector<Hit>> DBImpl::QueryLike(const std::string& id, const QueryOptions& options) {
  QUIVER_RETURN_IF_ERROR(CheckQueryOptions(options));
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_ASSIGN_OR_RETURN(std::optional<uint64_t> internal, store_->FindInternalId(id));
  if (!internal.has_value()) return Status::NotFound("no record with id '" + id + "'");
  std::vector<float> vector;
  QUIVER_RETURN_IF_ERROR(store_->GetVector(*internal, config_.dimension, &vector));
  TextQuery query;
  query.vector = &vector;
  if (options.mode != QueryMode::kDense) {
    QUIVER_ASSIGN_OR_RETURN(storage::StoredDoc doc, store_->GetDoc(*internal));
    query.lexical = LikeQuery(doc.text);
  }
  return planner_.Rank(Context(), query, options, *internal);
}

Result<Stats> DBImpl::GetStats() {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  Stats stats;
  stats.count = counters_.record_count;
  stats.dimension = config_.dimension;
  stats.metric = config_.metric;
  stats.index_spec = config_.spec;
  stats.index_trained = index_->trained();
  stats.deleted = index_->tombstone_count();
  stats.disk_bytes = DiskBytes(layout_);
  stats.last_sequence = counters_.last_sequence;
  stats.checkpoint_sequence = checkpoint_sequence_;
  stats.distance_kernel = index::VectorIndex::DistanceKernelName();
  stats.analyzer = analyzer_->Name();
  stats.icu_version = text::Analyzer::IcuVersion();
  stats.lexical_documents = lexical_->DocumentCount();
  stats.lexical_terms = lexical_->TermCount();
  stats.lexical_deleted = lexical_->TombstoneCount();
  return stats;
}

Status DBImpl::Verify() {
  util::MutexLock write(&write_mu_);
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  std::vector<uint64_t> stored_ids;
  QUIVER_RETURN_IF_ERROR(
      VerifyStore(*store_, config_.dimension, counters_.record_count, &stored_ids));
  if (index_->LiveIds() != stored_ids) {
    return Status::Corruption("the index holds " + std::to_string(index_->live_count()) +
                              " vectors that differ from the " + std::to_string(stored_ids.size()) +
                              " stored records");
  }
  if (std::filesystem::exists(layout_.checkpoint_path())) {
    QUIVER_RETURN_IF_ERROR(index::VectorIndex::VerifyCheckpointFile(layout_.checkpoint_path()));
  }
  QUIVER_RETURN_IF_ERROR(VerifyLexical(*store_, *analyzer_, *lexical_));
  if (std::filesystem::exists(layout_.lexical_checkpoint_path())) {
    QUIVER_RETURN_IF_ERROR(
        VerifyLexicalCheckpointFile(layout_.lexical_checkpoint_path(), *analyzer_));
  }
  return Status::OK();
}

}  // namespace engine
}  // namespace quiver
