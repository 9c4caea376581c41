// The in-memory lexical index: term → compressed posting list (text/posting_list.h), the
// length of every document in terms, tombstones, and BM25 top-k search by block-max WAND.
//
// Documents. Add(doc, terms) takes a document's analyzed terms (text/analyzer.h); its length
// is terms.size() (whole identifiers included). Document ids must be strictly increasing over
// the index's whole life (the engine hands out internal ids from a counter), including ids
// already removed and compacted away; anything else is InvalidArgument. UINT64_MAX is
// reserved. Remove(doc) tombstones a document: it is excluded from results and from the
// statistics (document count N, total and average length, every df) at once. Compact()
// rewrites the posting lists holding tombstoned documents without them, drops those
// documents, and seals every list's tail.
//
// Posting tails. New postings of a term go to its list's uncompressed tail, sealed into a
// block of 128 when full and at Compact(); search reads tails like blocks.
//
// Statistics are exact: df of a term is its posting count minus the tombstoned documents in
// its list (found per query term by skipping through the list, so the cost grows with the
// tombstones left since the last Compact()); a phrase's df and frequencies are computed at
// query time over the intersection of its terms' lists.
//
// Thread safety: const members may run concurrently; Add, Remove, Compact need exclusive
// access (the engine's writer lock).
//
// Serialized format, version 1 ("varint": LEB128, 7 bits a byte, low group first):
//   bytes 0-3   magic "QVLX"
//   byte  4     format version, 1
//   varint      1 if a document was ever added, else 0
//   varint      the last document id ever added (0 if none); later Adds must exceed it
//   varint      D, documents in the table (live and tombstoned)
//   varint      T, terms
//   D times     varint doc id delta (the first absolute, then >= 1: ids strictly ascending),
//               varint length in terms (< 2^32), 1 byte state: 0 live, 1 tombstoned
//   T times     varint term length L (>= 1), L bytes of term (terms in strictly ascending
//               byte order), then its posting list:
//                 varint block count B (>= 1)
//                 B times: varint posting count (1..128), varint last-doc delta (from the
//                 previous block's last doc; the first absolute), varint max frequency,
//                 varint min document length, varint byte size S, S bytes of block
//                 (the block layout of text/posting_list.h, with positions)
//   bytes       CRC-32C of every byte before it, 4 bytes little-endian
// Deserialize checks the checksum, every count against the bytes left (before allocating),
// every posting against the document table (known document, frequency <= length) and every
// block's skip data against its postings; any mismatch or trailing byte is Corruption.
#ifndef QUIVER_TEXT_LEXICAL_INDEX_H_
#define QUIVER_TEXT_LEXICAL_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "quiver/options.h"
#include "quiver/status.h"
#include "text/analyzer.h"
#include "text/bm25.h"
#include "text/lexical_query.h"
#include "text/posting_list.h"

namespace quiver::text {

class LexicalIndex {
 public:
  static constexpr uint8_t kFormatVersion = 1;

  LexicalIndex() = default;
  LexicalIndex(LexicalIndex&&) = default;
  LexicalIndex& operator=(LexicalIndex&&) = default;

  // Indexes a document. InvalidArgument when `doc` is not above every id added before, is
  // UINT64_MAX, or has 2^32 terms or more.
  Status Add(uint64_t doc, const std::vector<Term>& terms);
  // Tombstones a live document; NotFound when it is unknown or already removed.
  Status Remove(uint64_t doc);
  // Rewrites lists without tombstoned documents and seals all tails.
  void Compact();

  uint64_t DocumentCount() const { return live_count_; }  // live documents (N)
  uint64_t TotalLength() const { return live_length_; }   // sum of their lengths
  uint64_t TombstoneCount() const { return tombstones_.size(); }
  size_t TermCount() const { return terms_.size(); }
  bool Contains(uint64_t doc) const;  // live
  // The posting list of `term`, or nullptr (lists may hold tombstoned documents).
  const PostingList* Find(const std::string& term) const;
  // Live documents holding `term`.
  uint64_t DocumentFrequency(const std::string& term) const;
  size_t MemoryBytes() const;
  // Every term, in ascending byte order (some may have only tombstoned documents).
  std::vector<std::string> SortedTerms() const;
  // The live documents as (id, length in terms), ascending by id.
  std::vector<std::pair<uint64_t, uint32_t>> LiveDocuments() const;

  // Live documents matching `clause` (its df as Search computes it): holding its term, or,
  // for a phrase, an exact match of it.
  uint64_t ClauseFrequency(const QueryClause& clause) const;

  // The k best live documents for `query` by BM25, best first, ties to the lower doc id;
  // only documents for which `*allowed` is true when given. With `statistics`, its documents
  // (N), total_length / documents (avgdl) and the df of each clause (by ClauseKey; 0 when
  // missing) replace the index's own; each df must be <= its documents. Which documents
  // qualify does not change, only their scores. A document qualifies when it
  // holds every must clause, no must-not clause, and (when the query has no must clause) at
  // least one should clause. Its score sums, over its should and must clauses, idf × tf norm
  // (a phrase counts its exact matches as its frequency). Uses block-max WAND.
  std::vector<ScoredDoc> Search(const LexicalQuery& query, size_t k, const Bm25Params& params,
                                const std::function<bool(uint64_t)>* allowed = nullptr,
                                const CorpusStatistics* statistics = nullptr) const;
  // The same by scoring every document (slow; for tests).
  std::vector<ScoredDoc> SearchExhaustive(const LexicalQuery& query, size_t k,
                                          const Bm25Params& params,
                                          const std::function<bool(uint64_t)>* allowed = nullptr,
                                          const CorpusStatistics* statistics = nullptr) const;

  // The format above.
  std::string Serialize() const;
  static Result<LexicalIndex> Deserialize(std::string_view bytes);

 private:
  class Searcher;  // one query's evaluation (lexical_search.cc)

  // Index of `doc` in the document table, or -1.
  int64_t FindDoc(uint64_t doc) const;
  // Rebuilds slot_of_ from the document table (after Compact or Deserialize).
  void RebuildSlots();
  // Records that doc_ids_[index] is `doc`, in slot_of_ while the ids stay dense enough.
  void AddSlot(uint64_t doc, size_t index);
  int64_t LengthOf(uint64_t doc) const;  // -1 when unknown
  bool IsLive(size_t index) const { return !deleted_[index]; }
  Status ParseDocs(std::string_view in, size_t* pos, uint64_t count);

  std::vector<uint64_t> doc_ids_;     // ascending
  std::vector<uint32_t> doc_lens_;    // parallel to doc_ids_
  std::vector<uint8_t> deleted_;      // parallel to doc_ids_: 1 when tombstoned
  std::vector<uint64_t> tombstones_;  // tombstoned ids, ascending
  // slot_of_[doc - doc_ids_.front()] is doc's index in the document table + 1 (0: none), kept
  // while the ids span at most kMaxSlotSpread times as many values as there are documents
  // (the engine's ids are nearly dense); empty otherwise, when FindDoc searches doc_ids_.
  static constexpr uint64_t kMaxSlotSpread = 8;
  std::vector<uint32_t> slot_of_;
  bool slots_dense_ = true;
  std::unordered_map<std::string, PostingList> terms_;
  bool any_added_ = false;
  uint64_t last_added_ = 0;
  uint64_t live_count_ = 0;
  uint64_t live_length_ = 0;
};

}  // namespace quiver::text

#endif  // QUIVER_TEXT_LEXICAL_INDEX_H_
