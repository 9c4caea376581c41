#include "text/lexical_index.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "text/varint.h"
#include "util/crc32c.h"

namespace quiver::text {
namespace {

constexpr char kMagic[4] = {'Q', 'V', 'L', 'X'};

void PutFixed32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetFixed32(std::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return v;
}

// Docs of `list` that are in `sorted_ids`.
uint64_t CountIn(const PostingList& list, const std::vector<uint64_t>& sorted_ids) {
  if (sorted_ids.empty()) return 0;
  PostingCursor cursor(list);
  uint64_t n = 0;
  for (uint64_t id : sorted_ids) {
    cursor.Advance(id);
    if (cursor.Doc() == PostingCursor::kEnd) break;
    if (cursor.Doc() == id) ++n;
  }
  return n;
}

}  // namespace

Status LexicalIndex::Add(uint64_t doc, const std::vector<Term>& terms) {
  if (doc == PostingCursor::kEnd) return Status::InvalidArgument("document id 2^64-1 is reserved");
  if (any_added_ && doc <= last_added_) {
    return Status::InvalidArgument("document ids must increase: got " + std::to_string(doc) +
                                   " after " + std::to_string(last_added_));
  }
  if (terms.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("a document has at most 2^32-1 terms");
  }
  std::map<std::string_view, std::vector<uint32_t>> positions;
  for (const Term& t : terms) positions[t.text].push_back(t.position);
  uint32_t len = static_cast<uint32_t>(terms.size());
  for (auto& [text, pos] : positions) {
    std::sort(pos.begin(), pos.end());
    auto it = terms_.try_emplace(std::string(text)).first;
    it->second.Append(doc, static_cast<uint32_t>(pos.size()), pos.data(), len);
  }
  doc_ids_.push_back(doc);
  AddSlot(doc, doc_ids_.size() - 1);
  doc_lens_.push_back(len);
  deleted_.push_back(0);
  any_added_ = true;
  last_added_ = doc;
  ++live_count_;
  live_length_ += len;
  return Status::OK();
}

void LexicalIndex::AddSlot(uint64_t doc, size_t index) {
  if (!slots_dense_) return;
  const uint64_t offset = doc - doc_ids_.front();
  if (offset > kMaxSlotSpread * doc_ids_.size() + 4096 || index >= UINT32_MAX) {
    slots_dense_ = false;
    slot_of_ = {};
    return;
  }
  if (offset >= slot_of_.size())
    slot_of_.resize(std::max<uint64_t>(offset + 1, slot_of_.size() * 2), 0);
  slot_of_[offset] = static_cast<uint32_t>(index + 1);
}

void LexicalIndex::RebuildSlots() {
  slot_of_ = {};
  slots_dense_ = true;
  for (size_t i = 0; i < doc_ids_.size() && slots_dense_; ++i) AddSlot(doc_ids_[i], i);
}

int64_t LexicalIndex::FindDoc(uint64_t doc) const {
  if (slots_dense_) {
    if (doc_ids_.empty() || doc < doc_ids_.front()) return -1;
    const uint64_t offset = doc - doc_ids_.front();
    return offset < slot_of_.size() ? static_cast<int64_t>(slot_of_[offset]) - 1 : -1;
  }
  auto it = std::lower_bound(doc_ids_.begin(), doc_ids_.end(), doc);
  if (it == doc_ids_.end() || *it != doc) return -1;
  return it - doc_ids_.begin();
}

int64_t LexicalIndex::LengthOf(uint64_t doc) const {
  int64_t i = FindDoc(doc);
  return i < 0 ? -1 : doc_lens_[i];
}

std::vector<std::string> LexicalIndex::SortedTerms() const {
  std::vector<std::string> out;
  out.reserve(terms_.size());
  for (const auto& [term, list] : terms_) out.push_back(term);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::pair<uint64_t, uint32_t>> LexicalIndex::LiveDocuments() const {
  std::vector<std::pair<uint64_t, uint32_t>> out;
  out.reserve(live_count_);
  for (size_t i = 0; i < doc_ids_.size(); ++i) {
    if (IsLive(i)) out.emplace_back(doc_ids_[i], doc_lens_[i]);
  }
  return out;
}

bool LexicalIndex::Contains(uint64_t doc) const {
  int64_t i = FindDoc(doc);
  return i >= 0 && IsLive(i);
}

Status LexicalIndex::Remove(uint64_t doc) {
  int64_t i = FindDoc(doc);
  if (i < 0 || !IsLive(i)) {
    return Status::NotFound("document " + std::to_string(doc) + " is not in the lexical index");
  }
  deleted_[i] = 1;
  tombstones_.insert(std::lower_bound(tombstones_.begin(), tombstones_.end(), doc), doc);
  --live_count_;
  live_length_ -= doc_lens_[i];
  return Status::OK();
}

void LexicalIndex::Compact() {
  for (auto it = terms_.begin(); it != terms_.end();) {
    PostingList& list = it->second;
    if (CountIn(list, tombstones_) == 0) {
      list.Seal();
      ++it;
      continue;
    }
    PostingList rebuilt(true);
    for (PostingCursor c(list); c.Doc() != PostingCursor::kEnd; c.Next()) {
      int64_t i = FindDoc(c.Doc());
      if (!IsLive(i)) continue;
      rebuilt.Append(c.Doc(), c.Freq(), c.Positions().data(), doc_lens_[i]);
    }
    rebuilt.Seal();
    if (rebuilt.empty()) {
      it = terms_.erase(it);
    } else {
      list = std::move(rebuilt);
      ++it;
    }
  }
  size_t out = 0;
  for (size_t i = 0; i < doc_ids_.size(); ++i) {
    if (!IsLive(i)) continue;
    doc_ids_[out] = doc_ids_[i];
    doc_lens_[out] = doc_lens_[i];
    deleted_[out] = 0;
    ++out;
  }
  doc_ids_.resize(out);
  doc_lens_.resize(out);
  deleted_.resize(out);
  tombstones_.clear();
  RebuildSlots();
}

const PostingList* LexicalIndex::Find(const std::string& term) const {
  auto it = terms_.find(term);
  return it == terms_.end() ? nullptr : &it->second;
}

uint64_t LexicalIndex::DocumentFrequency(const std::string& term) const {
  const PostingList* list = Find(term);
  return list == nullptr ? 0 : list->size() - CountIn(*list, tombstones_);
}

size_t LexicalIndex::MemoryBytes() const {
  size_t bytes = sizeof(*this) + doc_ids_.capacity() * 8 + doc_lens_.capacity() * 4 +
                 deleted_.capacity() + tombstones_.capacity() * 8;
  for (const auto& [term, list] : terms_) bytes += term.capacity() + list.MemoryBytes() + 32;
  return bytes;
}

std::string LexicalIndex::Serialize() const {
  std::string out(kMagic, 4);
  out.push_back(static_cast<char>(kFormatVersion));
  PutVarint(&out, any_added_ ? 1 : 0);
  PutVarint(&out, last_added_);
  PutVarint(&out, doc_ids_.size());
  PutVarint(&out, terms_.size());
  uint64_t prev = 0;
  for (size_t i = 0; i < doc_ids_.size(); ++i) {
    PutVarint(&out, doc_ids_[i] - prev);
    PutVarint(&out, doc_lens_[i]);
    out.push_back(static_cast<char>(deleted_[i]));
    prev = doc_ids_[i];
  }
  std::vector<const std::string*> sorted;
  sorted.reserve(terms_.size());
  for (const auto& entry : terms_) sorted.push_back(&entry.first);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* term : sorted) {
    PutVarint(&out, term->size());
    out.append(*term);
    terms_.at(*term).AppendTo(&out);
  }
  PutFixed32(&out, util::Crc32c(0, out.data(), out.size()));
  return out;
}

Status LexicalIndex::ParseDocs(std::string_view in, size_t* pos, uint64_t count) {
  doc_ids_.reserve(count);
  doc_lens_.reserve(count);
  deleted_.reserve(count);
  uint64_t prev = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t delta = 0, len = 0;
    if (!GetVarint(in, pos, &delta) ||
        !GetVarintAtMost(in, pos, std::numeric_limits<uint32_t>::max(), &len) ||
        *pos >= in.size()) {
      return Status::Corruption("lexical index: truncated document table");
    }
    uint8_t state = static_cast<uint8_t>(in[(*pos)++]);
    if ((i > 0 && delta == 0) || delta > PostingCursor::kEnd - 1 - prev || state > 1) {
      return Status::Corruption("lexical index: bad document table entry");
    }
    prev += delta;
    doc_ids_.push_back(prev);
    doc_lens_.push_back(static_cast<uint32_t>(len));
    deleted_.push_back(state);
    if (state) {
      tombstones_.push_back(prev);
    } else {
      ++live_count_;
      live_length_ += len;
    }
  }
  if (count > 0 && (!any_added_ || last_added_ < doc_ids_.back())) {
    return Status::Corruption("lexical index: documents above the last id added");
  }
  RebuildSlots();
  return Status::OK();
}

Result<LexicalIndex> LexicalIndex::Deserialize(std::string_view bytes) {
  if (bytes.size() < 9 || bytes.substr(0, 4) != std::string_view(kMagic, 4)) {
    return Status::Corruption("lexical index: not a lexical index (bad magic or too short)");
  }
  if (static_cast<uint8_t>(bytes[4]) != kFormatVersion) {
    return Status::Corruption("lexical index: format version " +
                              std::to_string(static_cast<uint8_t>(bytes[4])) + ", expected " +
                              std::to_string(kFormatVersion));
  }
  std::string_view in = bytes.substr(0, bytes.size() - 4);
  if (util::Crc32c(0, in.data(), in.size()) != GetFixed32(bytes.substr(in.size()))) {
    return Status::Corruption("lexical index: checksum mismatch");
  }
  LexicalIndex index;
  size_t pos = 5;
  uint64_t any = 0, doc_count = 0, term_count = 0;
  if (!GetVarintAtMost(in, &pos, 1, &any) || !GetVarint(in, &pos, &index.last_added_) ||
      !GetVarintAtMost(in, &pos, in.size() / 3, &doc_count) ||
      !GetVarintAtMost(in, &pos, in.size() / 9, &term_count)) {
    return Status::Corruption("lexical index: bad header");
  }
  index.any_added_ = any == 1;
  QUIVER_RETURN_IF_ERROR(index.ParseDocs(in, &pos, doc_count));
  // Every posting is checked against its document's length: with nearly dense ids, through
  // one array of length + 1 by id (one memory access a posting), else by searching.
  std::vector<uint32_t> length_by_id;
  const uint64_t first_id = index.doc_ids_.empty() ? 0 : index.doc_ids_.front();
  if (index.slots_dense_ && !index.doc_ids_.empty()) {
    length_by_id.assign(index.doc_ids_.back() - first_id + 1, 0);
    for (size_t i = 0; i < index.doc_ids_.size() && !length_by_id.empty(); ++i) {
      if (index.doc_lens_[i] == std::numeric_limits<uint32_t>::max())
        length_by_id = {};
      else
        length_by_id[index.doc_ids_[i] - first_id] = index.doc_lens_[i] + 1;
    }
  }
  const std::function<int64_t(uint64_t)> doc_len = [&](uint64_t doc) -> int64_t {
    if (length_by_id.empty()) return index.LengthOf(doc);
    if (doc < first_id || doc - first_id >= length_by_id.size()) return -1;
    return static_cast<int64_t>(length_by_id[doc - first_id]) - 1;
  };
  std::string_view prev_term;
  for (uint64_t t = 0; t < term_count; ++t) {
    uint64_t len = 0;
    if (!GetVarintAtMost(in, &pos, in.size() - std::min(in.size(), pos), &len) || len == 0) {
      return Status::Corruption("lexical index: bad term length");
    }
    std::string_view term = in.substr(pos, len);
    pos += len;
    if (t > 0 && term <= prev_term) return Status::Corruption("lexical index: terms out of order");
    prev_term = term;
    PostingList list;
    QUIVER_RETURN_IF_ERROR(PostingList::ParseFrom(in, &pos, doc_len, &list));
    index.terms_.emplace(std::string(term), std::move(list));
  }
  if (pos != in.size()) return Status::Corruption("lexical index: trailing bytes");
  return index;
}

}  // namespace quiver::text
