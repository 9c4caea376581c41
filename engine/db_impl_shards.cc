// DBImpl's hooks for sharded collections: idempotent tagged writes, and BM25 statistics
// gathered from every shard (include/quiver/db.h).
#include "engine/db_impl.h"
#include "engine/write_tags.h"

namespace quiver::engine {

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

}  // namespace quiver::engine
