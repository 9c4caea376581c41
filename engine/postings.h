// BM25 postings kept in the store's `postings` column family (layout in storage/keys.h) and
// updated in the same batch as the documents they describe, plus BM25 scoring over them.
#ifndef QUIVER_ENGINE_POSTINGS_H_
#define QUIVER_ENGINE_POSTINGS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "quiver/status.h"
#include "storage/store.h"
#include "text/bm25.h"

namespace quiver::engine {

// A document's (or query's) distinct terms with their counts, in term order.
using TermCounts = std::vector<std::pair<uint32_t, uint32_t>>;

// Counts the term ids of a token sequence; negative ids are skipped.
TermCounts CountTerms(std::span<const int32_t> ids);

// Collection statistics BM25 needs; mirrored from meta posting_documents / posting_tokens.
struct CollectionStats {
  uint64_t documents = 0;
  uint64_t tokens = 0;
};

// Adds and removes documents' postings in one WriteBatch. Removals read the store as it was
// before the batch, so each internal id may be added or removed at most once per writer.
// Call Finish() once, before the batch is written. With `start_empty`, the batch is taken to
// clear every posting first (WriteBatch::ClearPostings): stored frequencies are ignored.
class PostingsWriter {
 public:
  PostingsWriter(storage::Store* store, storage::WriteBatch* batch, bool start_empty = false)
      : store_(store), batch_(batch), start_empty_(start_empty) {}

  // Adds postings of `internal_id`, whose text has `terms` and `length` tokens.
  void Add(uint64_t internal_id, const TermCounts& terms, uint32_t length);
  // Removes the postings of `internal_id`; nothing happens when it has none.
  Status Remove(uint64_t internal_id);
  // Writes the changed document frequencies and returns the statistics after the batch.
  Result<CollectionStats> Finish(const CollectionStats& before);

 private:
  storage::Store* store_;
  storage::WriteBatch* batch_;
  bool start_empty_;
  std::unordered_map<uint32_t, int64_t> document_frequency_delta_;
  int64_t documents_delta_ = 0;
  int64_t tokens_delta_ = 0;
};

// BM25's parameters and a scored document (`doc`: its internal id) are the text module's.
using Bm25Params = text::Bm25Params;
using ScoredDocument = text::ScoredDoc;

// BM25 score of every document containing at least one query term (unsorted), with
// idf = ln(1 + (N - df + 0.5) / (df + 0.5)) (always positive, as in Lucene) and each query
// term weighted by its count in the query. `id_bound`, when not 0, is more than every
// internal id (it lets scores accumulate in an array).
Result<std::vector<ScoredDocument>> ScoreBm25(storage::Store& store, const TermCounts& query,
                                              const CollectionStats& stats,
                                              const Bm25Params& params, uint64_t id_bound = 0);

// Orders best first: higher score, then lower internal id (deterministic ties). With `keep`,
// only the best `keep` remain (found without sorting the rest).
void SortBestFirst(std::vector<ScoredDocument>* scored, size_t keep = SIZE_MAX);

// Reciprocal rank fusion of ranked lists (each best first): a document's fused score is the
// sum over the lists holding it of weight / (rrf_k + rank), rank counted from 1, `weights`
// parallel to `lists` (empty: all 1). Best first.
std::vector<ScoredDocument> FuseRrf(const std::vector<std::vector<ScoredDocument>>& lists,
                                    int rrf_k, const std::vector<float>& weights = {});

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_POSTINGS_H_
