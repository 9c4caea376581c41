#include "engine/lexical.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <unordered_set>
#include <utility>

#include "engine/recovery.h"
#include "index/checkpoint.h"
#include "storage/keys.h"
#include "util/clock.h"
#include "util/parallel.h"

namespace quiver::engine {
namespace {

// Texts are analyzed (in parallel) and added in batches of this many records.
constexpr size_t kBatch = 4096;

// Records waiting to be analyzed and added to an index, in increasing id order.
class PendingDocs {
 public:
  PendingDocs(const text::Analyzer& analyzer, text::LexicalIndex* target)
      : analyzer_(analyzer), target_(target) {}

  Status Push(uint64_t id, std::string text) {
    ids_.push_back(id);
    texts_.push_back(std::move(text));
    return ids_.size() >= kBatch ? Flush() : Status::OK();
  }

  Status Flush() {
    std::vector<std::vector<text::Term>> terms(ids_.size());
    util::ParallelFor(ids_.size(), util::WorkerCount(0),
                      [&](size_t i) { analyzer_.Analyze(texts_[i], &terms[i]); });
    for (size_t i = 0; i < ids_.size(); ++i) {
      QUIVER_RETURN_IF_ERROR(target_->Add(ids_[i], terms[i]));
    }
    ids_.clear();
    texts_.clear();
    return Status::OK();
  }

 private:
  const text::Analyzer& analyzer_;
  text::LexicalIndex* target_;
  std::vector<uint64_t> ids_;
  std::vector<std::string> texts_;
};

// "<language> <ICU version>": what made an index.
std::string AnalyzerTag(const text::Analyzer& analyzer) {
  const AnalyzerChoice choice = ChoiceOf(analyzer);
  return choice.language + " " + choice.icu_version;
}

Result<std::unique_ptr<text::LexicalIndex>> ReadLexicalCheckpoint(const std::string& path,
                                                                  const text::Analyzer& analyzer,
                                                                  uint64_t* sequence) {
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<index::MappedCheckpoint> mapped,
                          index::MappedCheckpoint::Open(path));
  if (mapped->header().dimension != 0) {
    return Status::Corruption("checkpoint " + path + " is not a full-text index checkpoint");
  }
  std::string_view payload(reinterpret_cast<const char*>(mapped->payload()),
                           mapped->payload_size());
  uint32_t tag_size = 0;
  if (payload.size() >= 4) std::memcpy(&tag_size, payload.data(), 4);
  if (payload.size() < 4 || tag_size > payload.size() - 4) {
    return Status::Corruption("checkpoint " + path + " has no analyzer tag");
  }
  const std::string_view tag = payload.substr(4, tag_size);
  if (tag != AnalyzerTag(analyzer)) {
    return Status::Corruption("checkpoint " + path + " was made by analyzer '" + std::string(tag) +
                              "', not '" + AnalyzerTag(analyzer) + "'");
  }
  auto index = text::LexicalIndex::Deserialize(payload.substr(4 + tag_size));
  if (!index.ok()) return index.status().WithContext("checkpoint " + path);
  if (index->DocumentCount() != mapped->header().live_count) {
    return Status::Corruption(
        "checkpoint " + path + " holds " + std::to_string(index->DocumentCount()) +
        " documents; its header says " + std::to_string(mapped->header().live_count));
  }
  *sequence = mapped->header().sequence;
  return std::make_unique<text::LexicalIndex>(std::move(*index));
}

// Corruption naming `term` unless both lists hold the same live postings.
Status ComparePostings(const std::string& term, const text::LexicalIndex& expected,
                       const text::LexicalIndex& actual) {
  const text::PostingList* want = expected.Find(term);
  const text::PostingList* have = actual.Find(term);
  auto mismatch = [&](const std::string& what) {
    return Status::Corruption("the full-text index disagrees with the stored texts on term '" +
                              term + "': " + what);
  };
  if (want == nullptr || have == nullptr) {
    const bool live = have != nullptr && actual.DocumentFrequency(term) > 0;
    if (want == nullptr && !live) return Status::OK();
    return mismatch(want == nullptr ? "no stored text holds it" : "the index does not hold it");
  }
  text::PostingCursor w(*want), h(*have);
  auto skip_dead = [&]() {
    while (h.Doc() != text::PostingCursor::kEnd && !actual.Contains(h.Doc())) h.Next();
  };
  for (skip_dead(); w.Doc() != text::PostingCursor::kEnd; w.Next(), h.Next(), skip_dead()) {
    if (h.Doc() != w.Doc()) {
      return mismatch("document " + std::to_string(w.Doc()) + " holds it, the index has " +
                      (h.Doc() == text::PostingCursor::kEnd ? std::string("no more")
                                                            : std::to_string(h.Doc())));
    }
    const auto wp = w.Positions();
    const auto hp = h.Positions();
    if (!std::equal(wp.begin(), wp.end(), hp.begin(), hp.end())) {
      return mismatch("positions differ in document " + std::to_string(w.Doc()));
    }
  }
  if (h.Doc() != text::PostingCursor::kEnd) {
    return mismatch("the index lists document " + std::to_string(h.Doc()) +
                    ", whose text lacks it");
  }
  return Status::OK();
}

}  // namespace

AnalyzerChoice ChoiceOf(const text::Analyzer& analyzer) {
  return {analyzer.Name(), text::Analyzer::IcuVersion()};
}

Result<std::unique_ptr<text::Analyzer>> MakeAnalyzer(const std::string& language) {
  return text::Analyzer::Create({language});
}

std::vector<text::Term> IndexTerms(const text::Analyzer& analyzer, std::string_view text) {
  std::vector<text::Term> terms;
  analyzer.Analyze(text, &terms);
  return terms;
}

Result<std::unique_ptr<text::LexicalIndex>> BuildLexicalFromStore(storage::Store& store,
                                                                  const text::Analyzer& analyzer) {
  auto fresh = std::make_unique<text::LexicalIndex>();
  PendingDocs pending(analyzer, fresh.get());
  QUIVER_RETURN_IF_ERROR(store.ScanDocs(
      [&](uint64_t id, const storage::StoredDoc& doc) { return pending.Push(id, doc.text); }));
  QUIVER_RETURN_IF_ERROR(pending.Flush());
  fresh->Compact();  // seals every tail
  return fresh;
}

Status ReplayLexicalOplog(storage::Store& store, const text::Analyzer& analyzer,
                          text::LexicalIndex* target, uint64_t after) {
  PendingDocs pending(analyzer, target);
  std::vector<uint64_t> deletes;
  QUIVER_RETURN_IF_ERROR(store.ScanOplog(after, [&](const storage::OplogEntry& entry) {
    if (entry.op == storage::OpType::kDelete) {
      deletes.push_back(entry.internal_id);
      return Status::OK();
    }
    auto doc = store.GetDoc(entry.internal_id);
    if (doc.status().IsNotFound()) return Status::OK();  // deleted by a later entry
    if (!doc.ok()) return doc.status();
    return pending.Push(entry.internal_id, std::move(doc->text));
  }));
  QUIVER_RETURN_IF_ERROR(pending.Flush());
  // Internal ids are never reused: a delete names a document of the checkpoint, or one
  // added and deleted after it, which was never added above.
  for (uint64_t id : deletes) {
    if (target->Contains(id)) QUIVER_RETURN_IF_ERROR(target->Remove(id));
  }
  return Status::OK();
}

Result<RecoveredLexical> RebuildLexical(storage::Store& store, const Layout& layout,
                                        const text::Analyzer& analyzer, const std::string& reason,
                                        const Reporter& report) {
  report("rebuilding the full-text index of " + layout.root + " from stored texts: " + reason);
  const auto start = std::chrono::steady_clock::now();
  auto rebuilt = BuildLexicalFromStore(store, analyzer);
  if (!rebuilt.ok()) return rebuilt.status().WithContext("rebuilding the full-text index");
  RecoveredLexical out{std::move(*rebuilt), 0, true};
  char line[128];
  std::snprintf(line, sizeof(line), "indexed %llu texts (%zu terms) in %.1f s",
                static_cast<unsigned long long>(out.index->DocumentCount()), out.index->TermCount(),
                util::SecondsSince(start));
  report(line);
  return out;
}

Result<RecoveredLexical> RecoverLexical(storage::Store& store, const Layout& layout,
                                        const text::Analyzer& analyzer, const Counters& counters,
                                        const std::string& rebuild_reason, const Reporter& report) {
  if (!rebuild_reason.empty())
    return RebuildLexical(store, layout, analyzer, rebuild_reason, report);
  QUIVER_ASSIGN_OR_RETURN(uint64_t trimmed,
                          store.GetMetaU64(storage::meta_key::kOplogTrimmedThrough, 0));
  RecoveredLexical out;
  std::string reason;
  auto loaded =
      ReadLexicalCheckpoint(layout.lexical_checkpoint_path(), analyzer, &out.checkpoint_sequence);
  if (loaded.ok()) {
    reason = StaleCheckpointReason(out.checkpoint_sequence, counters.last_sequence, trimmed);
    if (reason.empty()) out.index = std::move(*loaded);
  } else if (loaded.status().IsNotFound() && trimmed == 0) {
    out.index = std::make_unique<text::LexicalIndex>();  // the whole history is in the oplog
    out.checkpoint_sequence = 0;
  } else {
    reason = loaded.status().IsNotFound() ? "its checkpoint is missing" : loaded.status().message();
  }
  if (out.index != nullptr) {
    Status replayed = ReplayLexicalOplog(store, analyzer, out.index.get(), out.checkpoint_sequence);
    if (!replayed.ok()) {
      reason = "replaying the operation log failed: " + replayed.message();
    } else if (out.index->DocumentCount() != counters.record_count) {
      reason = "it holds " + std::to_string(out.index->DocumentCount()) +
               " documents after replay; the store holds " + std::to_string(counters.record_count);
    } else {
      return out;
    }
  }
  return RebuildLexical(store, layout, analyzer, reason, report);
}

Status WriteLexicalCheckpoint(const Layout& layout, const text::Analyzer& analyzer,
                              const text::LexicalIndex& index, uint64_t sequence,
                              util::FaultInjector* faults) {
  const std::string tag = AnalyzerTag(analyzer);
  const uint32_t tag_size = static_cast<uint32_t>(tag.size());
  std::string payload(reinterpret_cast<const char*>(&tag_size), 4);
  payload += tag;
  payload += index.Serialize();
  index::CheckpointHeader header;
  header.sequence = sequence;
  header.live_count = index.DocumentCount();
  return index::WriteCheckpointFile(
      layout.lexical_checkpoint_path(), header, faults, [&](index::PayloadSink& sink) {
        return sink.Append(payload.data(), payload.size())
                   ? Status::OK()
                   : Status::IOError("cannot write " + layout.lexical_checkpoint_path());
      });
}

Status VerifyLexicalCheckpointFile(const std::string& path, const text::Analyzer& analyzer) {
  uint64_t sequence = 0;
  return ReadLexicalCheckpoint(path, analyzer, &sequence).status();
}

Status VerifyLexical(storage::Store& store, const text::Analyzer& analyzer,
                     const text::LexicalIndex& index) {
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<text::LexicalIndex> expected,
                          BuildLexicalFromStore(store, analyzer));
  if (index.LiveDocuments() != expected->LiveDocuments()) {
    return Status::Corruption("the full-text index holds " + std::to_string(index.DocumentCount()) +
                              " documents that differ from the " +
                              std::to_string(expected->DocumentCount()) + " stored texts");
  }
  for (const std::string& term : expected->SortedTerms()) {
    QUIVER_RETURN_IF_ERROR(ComparePostings(term, *expected, index));
  }
  for (const std::string& term : index.SortedTerms()) {
    if (expected->Find(term) == nullptr)
      QUIVER_RETURN_IF_ERROR(ComparePostings(term, *expected, index));
  }
  return Status::OK();
}

std::vector<TextSpan> HighlightSpans(const text::Analyzer& analyzer,
                                     const text::LexicalQuery& query, std::string_view text) {
  std::unordered_set<std::string_view> wanted;
  for (const text::QueryClause& clause : query.clauses) {
    if (clause.occur == text::Occur::kMustNot) continue;
    for (const std::string& term : clause.terms) wanted.insert(term);
  }
  std::vector<TextSpan> spans;
  if (wanted.empty()) return spans;
  for (const text::Term& term : IndexTerms(analyzer, text)) {
    if (wanted.contains(term.text)) spans.push_back({term.begin, term.end});
  }
  std::sort(spans.begin(), spans.end(),
            [](const TextSpan& a, const TextSpan& b) { return a.begin < b.begin; });
  std::vector<TextSpan> merged;
  for (const TextSpan& span : spans) {
    if (!merged.empty() && span.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, span.end);
    } else {
      merged.push_back(span);
    }
  }
  return merged;
}

}  // namespace quiver::engine
