#include "tokenizer/bpe.h"

#include <cstdio>
#include <mutex>
#include <queue>

#include "util/utf8.h"

namespace quiver {

namespace {

// Words longer than this are cut at exact boundaries (see BpeModel::joinable_chars_).
constexpr size_t kCutThreshold = 1024;

std::string BytePiece(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "<0x%02X>", b);
  return buf;
}

char32_t FirstChar(std::string_view s) {
  const size_t len = utf8::ValidSequenceLength(s, 0);
  return len == 0 ? utf8::kReplacement : utf8::DecodeAt(s, 0, len);
}

char32_t LastChar(std::string_view s) {
  const size_t i = utf8::CharBoundaryAtOrBefore(s, s.size() - 1);
  const size_t len = utf8::ValidSequenceLength(s, i);
  return len == 0 ? utf8::kReplacement : utf8::DecodeAt(s, i, len);
}

uint64_t CharPairKey(char32_t a, char32_t b) {
  return (static_cast<uint64_t>(a) << 32) | static_cast<uint64_t>(b);
}

struct Merge {
  uint32_t rank;
  int32_t pos;
  int32_t new_id;
  // std::priority_queue is a max-heap: "less" means lower priority, i.e. higher rank, then
  // further right.
  bool operator<(const Merge& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
};

}  // namespace

Result<BpeModel> BpeModel::Create(BpeConfig config) {
  BpeModel m;
  m.vocab_ = std::move(config.vocab);
  m.fuse_unk_ = config.fuse_unk;
  m.byte_fallback_ = config.byte_fallback;
  m.ignore_merges_ = config.ignore_merges;
  m.prefix_ = std::move(config.continuing_subword_prefix);
  m.suffix_ = std::move(config.end_of_word_suffix);
  if (config.unk_token) {
    auto it = m.vocab_.find(*config.unk_token);
    if (it == m.vocab_.end()) {
      return Status::InvalidArgument("BPE unk_token \"" + *config.unk_token +
                                     "\" is not in the vocabulary");
    }
    m.unk_id_ = it->second;
  }
  bool all_bytes = true;
  for (int b = 0; b < 256; ++b) {
    auto it = m.vocab_.find(BytePiece(static_cast<uint8_t>(b)));
    m.byte_ids_[b] = it == m.vocab_.end() ? -1 : it->second;
    all_bytes &= m.byte_ids_[b] >= 0;
  }
  for (const auto& [piece, id] : m.vocab_) {
    const size_t len = piece.empty() ? 0 : utf8::ValidSequenceLength(piece, 0);
    if (len != 0 && len == piece.size()) m.char_ids_[utf8::DecodeAt(piece, 0, len)] = id;
  }
  std::unordered_set<int32_t> special_symbols;  // symbols that are not text characters
  if (m.unk_id_) special_symbols.insert(*m.unk_id_);
  if (m.byte_fallback_) {
    for (int b = 0; b < 256; ++b) {
      if (m.byte_ids_[b] >= 0) special_symbols.insert(m.byte_ids_[b]);
    }
  }
  bool cut_ok =
      m.prefix_.empty() && m.suffix_.empty() && !(m.unk_id_ && m.byte_fallback_ && !all_bytes);
  m.merges_.reserve(config.merges.size());
  for (size_t rank = 0; rank < config.merges.size(); ++rank) {
    const auto& [a, b] = config.merges[rank];
    auto ia = m.vocab_.find(a);
    auto ib = m.vocab_.find(b);
    std::string merged = a;
    merged += b.substr(std::min(m.prefix_.size(), b.size()));  // as tokenizers does
    auto im = m.vocab_.find(merged);
    if (ia == m.vocab_.end() || ib == m.vocab_.end() || im == m.vocab_.end()) {
      return Status::InvalidArgument("BPE merge " + std::to_string(rank) + " (\"" + a + "\" \"" +
                                     b + "\") names a token missing from the vocabulary");
    }
    // The first occurrence of a pair wins, as in tokenizers.
    m.merges_.try_emplace(PairKey(ia->second, ib->second), static_cast<uint32_t>(rank), im->second);
    if (special_symbols.count(ia->second) || special_symbols.count(ib->second)) cut_ok = false;
    if (!a.empty() && !b.empty()) m.joinable_chars_.insert(CharPairKey(LastChar(a), FirstChar(b)));
  }
  m.can_cut_ = cut_ok;
  if (!cut_ok) m.joinable_chars_.clear();
  return m;
}

std::optional<int32_t> BpeModel::Lookup(std::string_view s) const {
  auto it = vocab_.find(s);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

bool BpeModel::SafeBoundary(char32_t left, char32_t right) const {
  return joinable_chars_.count(CharPairKey(left, right)) == 0;
}

void BpeModel::AppendSymbol(std::vector<Symbol>& symbols, int32_t id, uint32_t begin,
                            uint32_t end) {
  symbols.push_back({id, static_cast<int32_t>(symbols.size()) - 1, -1, begin, end});
}

std::optional<int32_t> BpeModel::CharacterId(std::string_view w, size_t i, size_t len,
                                             std::string& decorated,
                                             std::string_view& piece) const {
  piece = w.substr(i, len);
  if (prefix_.empty() && suffix_.empty()) {
    auto it = char_ids_.find(utf8::DecodeAt(w, i, len));
    if (it != char_ids_.end() && len == utf8::ValidSequenceLength(w, i)) return it->second;
    return std::nullopt;
  }
  decorated.assign(i == 0 ? "" : prefix_);
  decorated.append(piece);
  if (i + len == w.size()) decorated.append(suffix_);
  piece = decorated;
  return Lookup(piece);
}

bool BpeModel::AppendByteSymbols(std::string_view piece, uint32_t b, uint32_t e,
                                 std::vector<Symbol>& symbols) const {
  for (char c : piece) {
    if (byte_ids_[static_cast<uint8_t>(c)] < 0) return false;
  }
  // As in tokenizers, decoration bytes (prefix/suffix) are emitted too; each byte token covers
  // one byte of the word (clamped to the character).
  uint32_t pos = b;
  for (char c : piece) {
    AppendSymbol(symbols, byte_ids_[static_cast<uint8_t>(c)], std::min(pos, e),
                 std::min(pos + 1, e));
    ++pos;
  }
  return true;
}

void BpeModel::InitialSymbols(std::string_view w, std::vector<Symbol>& symbols) const {
  bool has_unk = false;  // a pending unknown run, [unk_begin, unk_end)
  uint32_t unk_begin = 0, unk_end = 0;
  std::string decorated;
  size_t next = 0;
  for (size_t i = 0; i < w.size(); i = next) {
    const size_t len = utf8::CharLengthAt(w, i);
    next = i + len;
    const auto b = static_cast<uint32_t>(i), e = static_cast<uint32_t>(next);
    std::string_view piece;
    if (const std::optional<int32_t> id = CharacterId(w, i, len, decorated, piece)) {
      if (has_unk) {
        AppendSymbol(symbols, *unk_id_, unk_begin, unk_end);
        has_unk = false;
      }
      AppendSymbol(symbols, *id, b, e);
      continue;
    }
    // Byte tokens do not close a pending unknown run: it is appended after them.
    if (byte_fallback_ && AppendByteSymbols(piece, b, e, symbols)) continue;
    if (!unk_id_) continue;  // the character is dropped
    if (has_unk && fuse_unk_) {
      unk_end = e;
    } else {
      if (has_unk) AppendSymbol(symbols, *unk_id_, unk_begin, unk_end);
      has_unk = true;
      unk_begin = b;
      unk_end = e;
    }
  }
  if (has_unk) AppendSymbol(symbols, *unk_id_, unk_begin, unk_end);
  for (size_t k = 0; k + 1 < symbols.size(); ++k) symbols[k].next = static_cast<int32_t>(k + 1);
}

void BpeModel::MergeAll(std::vector<Symbol>& symbols) const {
  std::vector<Merge> storage;
  storage.reserve(symbols.size());
  std::priority_queue<Merge> queue(std::less<Merge>(), std::move(storage));
  const auto find = [&](int32_t a, int32_t b) -> const std::pair<uint32_t, int32_t>* {
    auto it = merges_.find(PairKey(a, b));
    return it == merges_.end() ? nullptr : &it->second;
  };
  for (size_t k = 0; k + 1 < symbols.size(); ++k) {
    if (const auto* m = find(symbols[k].id, symbols[k + 1].id)) {
      queue.push({m->first, static_cast<int32_t>(k), m->second});
    }
  }
  std::vector<bool> removed(symbols.size(), false);
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Symbol& cur = symbols[top.pos];
    if (removed[top.pos] || cur.next < 0) continue;
    const int32_t next_pos = cur.next;
    const Symbol right = symbols[next_pos];
    const auto* m = find(cur.id, right.id);
    if (m == nullptr || m->second != top.new_id) continue;  // stale entry
    cur.id = top.new_id;
    cur.end = right.end;
    cur.next = right.next;
    removed[next_pos] = true;
    if (right.next >= 0) symbols[right.next].prev = top.pos;
    if (cur.prev >= 0) {
      if (const auto* pm = find(symbols[cur.prev].id, cur.id)) {
        queue.push({pm->first, cur.prev, pm->second});
      }
    }
    if (cur.next >= 0) {
      if (const auto* nm = find(cur.id, symbols[cur.next].id)) {
        queue.push({nm->first, top.pos, nm->second});
      }
    }
  }
  size_t out = 0;
  for (size_t k = 0; k < symbols.size(); ++k) {
    if (!removed[k]) symbols[out++] = symbols[k];
  }
  symbols.resize(out);
}

void BpeModel::TokenizeChunk(std::string_view word, uint32_t base,
                             std::vector<BpeToken>& out) const {
  std::vector<Symbol> symbols;
  symbols.reserve(word.size());
  InitialSymbols(word, symbols);
  MergeAll(symbols);
  for (const Symbol& s : symbols) {
    // With fuse_unk, unknown runs split by a cut join again.
    if (fuse_unk_ && unk_id_ && s.id == *unk_id_ && !out.empty() && out.back().id == *unk_id_ &&
        out.back().end == base + s.begin && s.begin == 0) {
      out.back().end = base + s.end;
      continue;
    }
    out.push_back({s.id, base + s.begin, base + s.end});
  }
}

BpeModel::BpeModel(BpeModel&& o) noexcept
    : vocab_(std::move(o.vocab_)),
      merges_(std::move(o.merges_)),
      unk_id_(o.unk_id_),
      fuse_unk_(o.fuse_unk_),
      byte_fallback_(o.byte_fallback_),
      ignore_merges_(o.ignore_merges_),
      prefix_(std::move(o.prefix_)),
      suffix_(std::move(o.suffix_)),
      char_ids_(std::move(o.char_ids_)),
      joinable_chars_(std::move(o.joinable_chars_)),
      can_cut_(o.can_cut_),
      cache_(std::move(o.cache_)) {
  std::copy(std::begin(o.byte_ids_), std::end(o.byte_ids_), std::begin(byte_ids_));
}

void BpeModel::Tokenize(std::string_view word, std::vector<BpeToken>& out) const {
  if (word.empty()) return;
  if (word.size() > kCacheWordBytes) {
    TokenizeUncached(word, out);
    return;
  }
  {
    util::SharedReaderLock lock(&cache_mutex_);
    auto it = cache_.find(word);
    if (it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const size_t first = out.size();
  TokenizeUncached(word, out);
  util::SharedWriterLock lock(&cache_mutex_);
  if (cache_.size() < kCacheEntries) {
    cache_.emplace(std::string(word), std::vector<BpeToken>(out.begin() + first, out.end()));
  }
}

void BpeModel::TokenizeUncached(std::string_view word, std::vector<BpeToken>& out) const {
  if (ignore_merges_) {
    if (auto id = Lookup(word)) {
      out.push_back({*id, 0, static_cast<uint32_t>(word.size())});
      return;
    }
  }
  if (!can_cut_ || word.size() <= kCutThreshold) {
    TokenizeChunk(word, 0, out);
    return;
  }
  // Cut at boundaries no merge can cross, once a chunk has reached the threshold.
  size_t chunk_begin = 0, i = 0;
  char32_t prev = 0;
  while (i < word.size()) {
    size_t len = utf8::ValidSequenceLength(word, i);
    if (len == 0) len = 1;
    const char32_t c = utf8::DecodeAt(word, i, len);
    if (i - chunk_begin >= kCutThreshold && SafeBoundary(prev, c)) {
      TokenizeChunk(word.substr(chunk_begin, i - chunk_begin), static_cast<uint32_t>(chunk_begin),
                    out);
      chunk_begin = i;
    }
    prev = c;
    i += len;
  }
  TokenizeChunk(word.substr(chunk_begin), static_cast<uint32_t>(chunk_begin), out);
}

}  // namespace quiver
