#include "text/posting_list.h"

#include <algorithm>
#include <string>

#include "text/varint.h"

namespace quiver::text {
namespace {

// Decodes the doc/frequency section of a block of `count` postings starting at `*pos` of
// `in`; `base` is the previous block's last doc (`first` for the list's first block). False
// on truncation, a zero delta after the first posting, a doc overflow or a zero frequency.
bool DecodeDocs(std::string_view in, size_t* pos, uint64_t base, bool first, uint32_t count,
                std::vector<uint64_t>* docs, std::vector<uint32_t>* freqs) {
  docs->resize(count);
  freqs->resize(count);
  uint64_t doc = base;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t delta = 0;
    uint64_t freq = 0;
    if (!GetVarint(in, pos, &delta)) return false;
    if (!GetVarintAtMost(in, pos, std::numeric_limits<uint32_t>::max(), &freq)) return false;
    bool absolute = first && i == 0;
    if ((!absolute && delta == 0) || freq == 0) return false;
    if (delta > PostingCursor::kEnd - 1 - doc) return false;  // kEnd is never a doc
    doc += delta;
    (*docs)[i] = doc;
    (*freqs)[i] = static_cast<uint32_t>(freq);
  }
  return true;
}

// Decodes the positions of postings with `freqs`, flattened into `*positions`.
bool DecodePositionSection(std::string_view in, size_t* pos, const std::vector<uint32_t>& freqs,
                           std::vector<uint32_t>* positions, std::vector<uint32_t>* starts) {
  positions->clear();
  starts->assign(1, 0);
  for (uint32_t f : freqs) {
    if (f > in.size() - std::min(in.size(), *pos)) return false;  // a byte per position
    uint64_t p = 0;
    for (uint32_t j = 0; j < f; ++j) {
      uint64_t delta = 0;
      if (!GetVarintAtMost(in, pos, std::numeric_limits<uint32_t>::max(), &delta)) return false;
      p += delta;
      if (p > std::numeric_limits<uint32_t>::max()) return false;
      positions->push_back(static_cast<uint32_t>(p));
    }
    starts->push_back(static_cast<uint32_t>(positions->size()));
  }
  return true;
}

}  // namespace

void PostingList::Append(uint64_t doc, uint32_t freq, const uint32_t* positions, uint32_t doc_len) {
  tail_docs_.push_back(doc);
  tail_freqs_.push_back(freq);
  tail_lens_.push_back(doc_len);
  if (with_positions_) tail_positions_.insert(tail_positions_.end(), positions, positions + freq);
  tail_max_freq_ = std::max(tail_max_freq_, freq);
  tail_min_doc_len_ = std::min(tail_min_doc_len_, doc_len);
  max_freq_ = std::max(max_freq_, freq);
  min_doc_len_ = std::min(min_doc_len_, doc_len);
  last_doc_ = doc;
  ++size_;
  if (tail_docs_.size() >= kBlockSize) EncodeTail();
}

void PostingList::Seal() {
  if (!tail_docs_.empty()) EncodeTail();
  // A sealed list is usually done growing for a while: give back the slack.
  bytes_.shrink_to_fit();
  blocks_.shrink_to_fit();
  tail_docs_.shrink_to_fit();
  tail_freqs_.shrink_to_fit();
  tail_lens_.shrink_to_fit();
  tail_positions_.shrink_to_fit();
}

void PostingList::EncodeTail() {
  BlockMeta meta;
  meta.offset = bytes_.size();
  meta.count = static_cast<uint32_t>(tail_docs_.size());
  meta.last_doc = tail_docs_.back();
  meta.max_freq = tail_max_freq_;
  meta.min_doc_len = tail_min_doc_len_;
  uint64_t prev = blocks_.empty() ? 0 : blocks_.back().last_doc;
  for (size_t i = 0; i < tail_docs_.size(); ++i) {
    PutVarint(&bytes_, tail_docs_[i] - prev);
    PutVarint(&bytes_, tail_freqs_[i]);
    prev = tail_docs_[i];
  }
  if (with_positions_) {
    size_t k = 0;
    for (uint32_t f : tail_freqs_) {
      uint32_t last = 0;
      for (uint32_t j = 0; j < f; ++j, ++k) {
        PutVarint(&bytes_, tail_positions_[k] - last);
        last = tail_positions_[k];
      }
    }
  }
  meta.size = static_cast<uint32_t>(bytes_.size() - meta.offset);
  blocks_.push_back(meta);
  tail_docs_.clear();
  tail_freqs_.clear();
  tail_lens_.clear();
  tail_positions_.clear();
  tail_max_freq_ = 0;
  tail_min_doc_len_ = std::numeric_limits<uint32_t>::max();
}

size_t PostingList::MemoryBytes() const {
  return sizeof(*this) + bytes_.capacity() + blocks_.capacity() * sizeof(BlockMeta) +
         tail_docs_.capacity() * 8 +
         (tail_freqs_.capacity() + tail_lens_.capacity() + tail_positions_.capacity()) * 4;
}

void PostingList::AppendTo(std::string* out) const {
  PostingList sealed_tail(with_positions_);
  if (!tail_docs_.empty()) {
    // Encode a copy of the tail, chained to the last sealed block.
    if (!blocks_.empty()) sealed_tail.blocks_.push_back(blocks_.back());
    sealed_tail.tail_docs_ = tail_docs_;
    sealed_tail.tail_freqs_ = tail_freqs_;
    sealed_tail.tail_lens_ = tail_lens_;
    sealed_tail.tail_positions_ = tail_positions_;
    sealed_tail.tail_max_freq_ = tail_max_freq_;
    sealed_tail.tail_min_doc_len_ = tail_min_doc_len_;
    sealed_tail.EncodeTail();
  }
  size_t extra = tail_docs_.empty() ? 0 : 1;
  PutVarint(out, blocks_.size() + extra);
  uint64_t prev = 0;
  auto put_block = [&](const BlockMeta& m, std::string_view bytes) {
    PutVarint(out, m.count);
    PutVarint(out, m.last_doc - prev);
    PutVarint(out, m.max_freq);
    PutVarint(out, m.min_doc_len);
    PutVarint(out, m.size);
    out->append(bytes.substr(m.offset, m.size));
    prev = m.last_doc;
  };
  for (const BlockMeta& m : blocks_) put_block(m, bytes_);
  if (extra) put_block(sealed_tail.blocks_.back(), sealed_tail.bytes_);
}

Status PostingList::ParseFrom(std::string_view in, size_t* pos,
                              const std::function<int64_t(uint64_t)>& doc_len, PostingList* list) {
  *list = PostingList(true);
  uint64_t block_count = 0;
  // A block takes at least 7 bytes: five varints and one posting's two.
  if (!GetVarintAtMost(in, pos, (in.size() - std::min(in.size(), *pos)) / 7, &block_count) ||
      block_count == 0) {
    return Status::Corruption("posting list: bad block count");
  }
  list->blocks_.reserve(block_count);
  std::vector<uint64_t> docs;
  std::vector<uint32_t> freqs, positions, starts;
  uint64_t prev = 0;
  for (uint64_t b = 0; b < block_count; ++b) {
    uint64_t count = 0, last_delta = 0, max_freq = 0, min_len = 0, size = 0;
    constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
    if (!GetVarintAtMost(in, pos, kBlockSize, &count) || count == 0 ||
        !GetVarint(in, pos, &last_delta) || !GetVarintAtMost(in, pos, kMax32, &max_freq) ||
        !GetVarintAtMost(in, pos, kMax32, &min_len) ||
        !GetVarintAtMost(in, pos, in.size() - std::min(in.size(), *pos), &size)) {
      return Status::Corruption("posting list: bad block header");
    }
    std::string_view bytes = in.substr(*pos, size);
    *pos += size;
    size_t p = 0;
    if (!DecodeDocs(bytes, &p, prev, b == 0, static_cast<uint32_t>(count), &docs, &freqs) ||
        !DecodePositionSection(bytes, &p, freqs, &positions, &starts) || p != bytes.size()) {
      return Status::Corruption("posting list: bad block bytes");
    }
    if ((b > 0 && last_delta == 0) || last_delta > PostingCursor::kEnd - 1 - prev ||
        docs.back() != prev + last_delta) {
      return Status::Corruption("posting list: block skip data disagrees with its postings");
    }
    uint32_t seen_max = 0;
    int64_t seen_min = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < docs.size(); ++i) {
      int64_t len = doc_len(docs[i]);
      if (len < 0 || len < freqs[i]) {
        return Status::Corruption("posting list: posting of an unknown or shorter document");
      }
      seen_max = std::max(seen_max, freqs[i]);
      seen_min = std::min(seen_min, len);
    }
    if (seen_max != max_freq || seen_min != static_cast<int64_t>(min_len)) {
      return Status::Corruption("posting list: block maxima disagree with its postings");
    }
    BlockMeta meta{docs.back(),
                   static_cast<uint32_t>(count),
                   static_cast<uint32_t>(max_freq),
                   static_cast<uint32_t>(min_len),
                   list->bytes_.size(),
                   static_cast<uint32_t>(size)};
    list->bytes_.append(bytes);
    list->blocks_.push_back(meta);
    list->size_ += count;
    list->max_freq_ = std::max(list->max_freq_, meta.max_freq);
    list->min_doc_len_ = std::min(list->min_doc_len_, meta.min_doc_len);
    prev = list->last_doc_ = docs.back();
  }
  return Status::OK();
}

PostingCursor::PostingCursor(const PostingList& list) : list_(&list) {
  if (BlockCount() > 0) LoadBlock(0);
}

size_t PostingCursor::BlockCount() const {
  return list_->blocks_.size() + (list_->tail_docs_.empty() ? 0 : 1);
}

uint64_t PostingCursor::LastDocOf(size_t block) const {
  if (block < list_->blocks_.size()) return list_->blocks_[block].last_doc;
  return list_->tail_docs_.back();
}

void PostingCursor::LoadBlock(size_t block) {
  block_ = block;
  shallow_ = std::max(shallow_, block);
  idx_ = 0;
  positions_decoded_ = false;
  if (block >= BlockCount()) {
    doc_ = kEnd;
    return;
  }
  if (block < list_->blocks_.size()) {
    const BlockMeta& m = list_->blocks_[block];
    std::string_view bytes(list_->bytes_);
    size_t pos = m.offset;
    uint64_t base = block == 0 ? 0 : list_->blocks_[block - 1].last_doc;
    DecodeDocs(bytes, &pos, base, block == 0, m.count, &docs_, &freqs_);  // validated data
    positions_offset_ = pos;
  } else {
    docs_ = list_->tail_docs_;
    freqs_ = list_->tail_freqs_;
  }
  doc_ = docs_[0];
}

void PostingCursor::DecodePositions() {
  positions_decoded_ = true;
  if (block_ < list_->blocks_.size()) {
    const BlockMeta& m = list_->blocks_[block_];
    std::string_view bytes(list_->bytes_.data(), m.offset + m.size);
    size_t pos = positions_offset_;
    DecodePositionSection(bytes, &pos, freqs_, &positions_, &position_starts_);
  } else {
    positions_ = list_->tail_positions_;
    position_starts_.assign(1, 0);
    for (uint32_t f : freqs_) position_starts_.push_back(position_starts_.back() + f);
  }
}

std::span<const uint32_t> PostingCursor::Positions() {
  if (!list_->with_positions_ || doc_ == kEnd) return {};
  if (!positions_decoded_) DecodePositions();
  return std::span<const uint32_t>(positions_.data() + position_starts_[idx_],
                                   position_starts_[idx_ + 1] - position_starts_[idx_]);
}

void PostingCursor::Next() {
  if (doc_ == kEnd) return;
  if (++idx_ < docs_.size()) {
    doc_ = docs_[idx_];
    return;
  }
  LoadBlock(block_ + 1);
}

size_t PostingCursor::FirstBlockReaching(size_t from, uint64_t target) const {
  const size_t count = BlockCount();
  // Gallop (1, 2, 4, ... blocks ahead), then binary search the last step.
  size_t low = from, step = 1;
  while (low < count && LastDocOf(low) < target) {
    const size_t probe = low + step;
    if (probe >= count || LastDocOf(probe) >= target) {
      size_t high = std::min(probe, count);  // LastDocOf(high) >= target, or high == count
      ++low;                                 // LastDocOf(low) < target
      while (low < high) {
        const size_t mid = low + (high - low) / 2;
        if (LastDocOf(mid) < target) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      return low;
    }
    low = probe;
    step *= 2;
  }
  return low;
}

void PostingCursor::Advance(uint64_t target) {
  if (doc_ >= target) return;
  if (LastDocOf(block_) < target) {
    LoadBlock(FirstBlockReaching(block_ + 1, target));
    if (doc_ == kEnd) return;
  }
  // The current block holds a doc >= target.
  auto it = std::lower_bound(docs_.begin() + idx_, docs_.end(), target);
  idx_ = it - docs_.begin();
  doc_ = *it;
}

void PostingCursor::ShallowAdvance(uint64_t target) {
  shallow_ = FirstBlockReaching(std::max(shallow_, block_), target);
}

uint64_t PostingCursor::BlockMaxDoc() const {
  return shallow_ < BlockCount() ? LastDocOf(shallow_) : kEnd;
}

uint32_t PostingCursor::BlockMaxFreq() const {
  if (shallow_ < list_->blocks_.size()) return list_->blocks_[shallow_].max_freq;
  return shallow_ < BlockCount() ? list_->tail_max_freq_ : 0;
}

uint32_t PostingCursor::BlockMinDocLen() const {
  if (shallow_ < list_->blocks_.size()) return list_->blocks_[shallow_].min_doc_len;
  return shallow_ < BlockCount() ? list_->tail_min_doc_len_ : 0;
}

float PostingCursor::BlockUpperBound(float idf, float avgdl, const Bm25Params& params) {
  if (shallow_ >= BlockCount()) return 0;
  if (bound_block_ != shallow_) {
    bound_block_ = shallow_;
    bound_ = Bm25TermScore(idf, BlockMaxFreq(), BlockMinDocLen(), avgdl, params);
  }
  return bound_;
}

}  // namespace quiver::text
