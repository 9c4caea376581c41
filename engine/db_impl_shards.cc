// DBImpl's hooks for sharded collections: idempotent tagged writes, BM25 statistics gathered
// from every shard, and an index training shared by every shard (include/quiver/db.h).
#include <cmath>
#include <filesystem>
#include <optional>
#include <system_error>

#include "engine/db_impl.h"
#include "engine/write_tags.h"
#include "storage/keys.h"
#include "util/file_writer.h"

namespace quiver::engine {

namespace mk = storage::meta_key;

// ---- tagged writes ------------------------------------------------------------------------

Result<bool> DBImpl::ClaimTagLocked(const WriteTag* tag, CommitPlan* plan, WriteOutcome* outcome) {
  if (tag == nullptr) return true;
  QUIVER_ASSIGN_OR_RETURN(const bool applied, AlreadyApplied(*store_, *tag));
  if (applied) {
    if (outcome != nullptr) outcome->already_applied = true;
    return false;
  }
  plan->tag = *tag;
  return true;
}

Result<uint64_t> DBImpl::LastWriteSequence(std::string_view writer) {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  return StoredWriteSequence(*store_, writer);
}

// ---- BM25 statistics ----------------------------------------------------------------------

Result<CorpusStatistics> DBImpl::TermStatistics(const std::vector<std::string>& texts) {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  CorpusStatistics statistics;
  statistics.documents = lexical_->DocumentCount();
  statistics.total_length = lexical_->TotalLength();
  for (const std::string& text : texts) {
    QUIVER_ASSIGN_OR_RETURN(const text::LexicalQuery query, ParseTextQuery(text));
    statistics.constrained = statistics.constrained || HasConstraints(query);
    for (const text::QueryClause& clause : query.clauses) {
      if (clause.terms.empty()) continue;
      const std::string key = text::ClauseKey(clause);
      if (!statistics.frequencies.contains(key)) {
        statistics.frequencies.emplace(key, lexical_->ClauseFrequency(clause));
      }
    }
  }
  return statistics;
}

// ---- shared index training ----------------------------------------------------------------

Status DBImpl::TrainIndex(std::span<const float> sample) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  for (size_t i = 0; i < sample.size(); ++i) {
    if (!std::isfinite(sample[i])) {
      return Status::InvalidArgument("a training sample needs finite components; found " +
                                     std::to_string(sample[i]) + " in vector " +
                                     std::to_string(i / static_cast<size_t>(config_.dimension)));
    }
  }
  QUIVER_ASSIGN_OR_RETURN(const std::string training, index::VectorIndex::Train(config_, sample));
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  return AdoptTrainingLocked(training);
}

Status DBImpl::SetIndexTraining(std::string_view bytes) {
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  QUIVER_RETURN_IF_ERROR(index::VectorIndex::CreateTrained(config_, bytes).status());
  util::MutexLock write(&write_mu_);
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  return AdoptTrainingLocked(std::string(bytes));
}

Result<std::string> DBImpl::IndexTraining() {
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> stored, store_->GetMeta(mk::kIndexTraining));
  if (stored.has_value()) return std::move(*stored);
  return index_->Training();
}

Status DBImpl::AdoptTrainingLocked(const std::string& training) {
  // Recovery then finds no vector checkpoint and rebuilds from the store, under whichever
  // training meta holds when it runs.
  std::error_code error;
  std::filesystem::remove(layout_.checkpoint_path(), error);
  if (error) {
    return Status::IOError("removing " + layout_.checkpoint_path() + ": " + error.message());
  }
  if (std::filesystem::exists(layout_.index_dir())) {
    QUIVER_RETURN_IF_ERROR(util::SyncDirectory(layout_.index_dir(), store_->faults()));
  }
  storage::WriteBatch batch;
  batch.PutMeta(mk::kIndexTraining, training);
  QUIVER_RETURN_IF_ERROR(store_->Write(batch));
  ++data_version_;
  return ReplaceIndexFromStoreLocked();
}

}  // namespace quiver::engine
