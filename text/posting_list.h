// A compressed posting list: for one term, the documents holding it (ids ascending), the
// term's frequency in each and, optionally, its positions, stored Lucene/Tantivy style.
//
// Postings are sealed into blocks of up to kBlockSize (128). A block's bytes are
//   count × (varint doc delta, varint frequency)      doc delta: from the previous posting,
//                                                     for a block's first posting from the
//                                                     previous block's last doc (the first
//                                                     block's first doc is absolute)
//   then, when the list has positions, for each posting in order its `frequency` positions
//   as varints: the first absolute, each next one as the delta from the one before.
// Beside the bytes each block keeps its skip data (BlockMeta): its last doc id, its posting
// count, its maximum frequency and the minimum document length among its postings. The tf
// norm of BM25 grows with the frequency and shrinks with the length, so these two bound the
// score of every posting of the block for any k1 and b (BlockUpperBound), and Advance skips
// whole blocks by their last doc without decoding them.
//
// Appended postings first go into an uncompressed tail, sealed into a block when it holds
// kBlockSize postings (or by Seal()); cursors read the tail as one more block. Blocks
// normally hold kBlockSize postings; Seal() and deserialization may leave shorter ones.
//
// Not thread-safe for writes: const access (cursors) may run concurrently, but a cursor must
// not be used after its list was modified.
#ifndef QUIVER_TEXT_POSTING_LIST_H_
#define QUIVER_TEXT_POSTING_LIST_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "text/bm25.h"

namespace quiver::text {

// Skip data of one sealed block.
struct BlockMeta {
  uint64_t last_doc = 0;
  uint32_t count = 0;
  uint32_t max_freq = 0;
  uint32_t min_doc_len = 0;
  uint64_t offset = 0;  // of the block's bytes in the list's byte buffer
  uint32_t size = 0;    // bytes
};

class PostingList {
 public:
  static constexpr uint32_t kBlockSize = 128;

  explicit PostingList(bool with_positions = true) : with_positions_(with_positions) {}

  // Appends a posting. Requires `doc` > LastDoc() (when not empty), `freq` >= 1, and, for a
  // list with positions, `positions` holding `freq` positions in ascending order (ignored
  // otherwise). `doc_len` is the document's length in terms (>= freq for term lists).
  void Append(uint64_t doc, uint32_t freq, const uint32_t* positions, uint32_t doc_len);
  // Encodes the tail, if any, as a block (possibly shorter than kBlockSize), and releases
  // spare capacity.
  void Seal();

  bool with_positions() const { return with_positions_; }
  uint64_t size() const { return size_; }  // postings
  bool empty() const { return size_ == 0; }
  uint64_t LastDoc() const { return last_doc_; }  // requires !empty()
  // The maximum frequency and the minimum document length over all postings.
  uint32_t MaxFreq() const { return max_freq_; }
  uint32_t MinDocLen() const { return min_doc_len_; }
  size_t block_count() const { return blocks_.size(); }
  size_t tail_size() const { return tail_docs_.size(); }
  size_t MemoryBytes() const;

  // Appends the serialized list to `*out`: varint block count, then per block varint count,
  // varint last-doc delta (from the previous block's last doc; the first is absolute),
  // varint max frequency, varint min document length, varint byte size, the block's bytes.
  // The tail is written as a final block. Term lists only (with positions).
  void AppendTo(std::string* out) const;
  // Parses what AppendTo wrote at `*pos` of `in` into `*list` (a fresh list with positions),
  // validating every field, every posting and the skip data against `doc_len`, which gives
  // the length of a known document or -1 for an unknown one. Corruption on any mismatch;
  // never reads past `in` nor allocates more than `in` justifies.
  static Status ParseFrom(std::string_view in, size_t* pos,
                          const std::function<int64_t(uint64_t)>& doc_len, PostingList* list);

 private:
  friend class PostingCursor;
  // Encodes the tail as one block appended to bytes_ and blocks_, and clears it.
  void EncodeTail();

  bool with_positions_;
  std::string bytes_;
  std::vector<BlockMeta> blocks_;
  std::vector<uint64_t> tail_docs_;
  std::vector<uint32_t> tail_freqs_;
  std::vector<uint32_t> tail_lens_;
  std::vector<uint32_t> tail_positions_;  // flattened, `freq` per posting
  uint32_t tail_max_freq_ = 0;
  uint32_t tail_min_doc_len_ = std::numeric_limits<uint32_t>::max();
  uint64_t size_ = 0;
  uint64_t last_doc_ = 0;
  uint32_t max_freq_ = 0;
  uint32_t min_doc_len_ = std::numeric_limits<uint32_t>::max();
};

// Iterates a posting list in doc order. Starts on the first posting (Doc() == kEnd for an
// empty list). Blocks are decoded when the cursor lands in them; positions only on request.
class PostingCursor {
 public:
  static constexpr uint64_t kEnd = std::numeric_limits<uint64_t>::max();

  explicit PostingCursor(const PostingList& list);

  uint64_t Doc() const { return doc_; }           // kEnd once exhausted
  uint32_t Freq() const { return freqs_[idx_]; }  // requires Doc() != kEnd
  // The current posting's positions (empty for a list without positions).
  std::span<const uint32_t> Positions();
  void Next();
  // Moves to the first posting with doc >= target (never backwards), skipping whole blocks by
  // their last doc without decoding them.
  void Advance(uint64_t target);

  // Moves only the block used by the Block* accessors to the first block whose last doc is
  // >= target (never before the current posting's block). Decodes nothing.
  void ShallowAdvance(uint64_t target);
  // Skip data of that block; BlockMaxDoc() is kEnd past the last block.
  uint64_t BlockMaxDoc() const;
  uint32_t BlockMaxFreq() const;
  uint32_t BlockMinDocLen() const;
  // The highest BM25 score any posting of that block can get (0 past the last block).
  // Remembered per block: a cursor must be asked with the same idf, avgdl and params.
  float BlockUpperBound(float idf, float avgdl, const Bm25Params& params);

 private:
  size_t BlockCount() const;
  uint64_t LastDocOf(size_t block) const;
  // The first block at or after `from` whose last doc is >= target (BlockCount() if none).
  size_t FirstBlockReaching(size_t from, uint64_t target) const;
  void LoadBlock(size_t block);
  void DecodePositions();

  const PostingList* list_;
  size_t block_ = 0;    // the current posting's block (BlockCount() when exhausted)
  size_t shallow_ = 0;  // the block the Block* accessors describe
  size_t idx_ = 0;      // the current posting within the block
  uint64_t doc_ = kEnd;
  std::vector<uint64_t> docs_;
  std::vector<uint32_t> freqs_;
  size_t positions_offset_ = 0;  // of the block's positions in the list's bytes
  bool positions_decoded_ = false;
  std::vector<uint32_t> positions_;
  std::vector<uint32_t> position_starts_;  // count + 1 entries
  size_t bound_block_ = SIZE_MAX;          // the block whose upper bound is bound_
  float bound_ = 0;
};

}  // namespace quiver::text

#endif  // QUIVER_TEXT_POSTING_LIST_H_
