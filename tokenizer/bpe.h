// The BPE model of Hugging Face tokenizers (tokenizers/src/models/bpe), reproduced exactly:
// characters → ids (with byte fallback and unknown-token fusing), then merges applied lowest
// rank first, leftmost first among equal ranks.
#ifndef QUIVER_TOKENIZER_BPE_H_
#define QUIVER_TOKENIZER_BPE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "quiver/status.h"
#include "util/mutex.h"

namespace quiver {

// Heterogeneous lookup (string_view keys) for string-keyed maps.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using StringIdMap = std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>>;

struct BpeConfig {
  StringIdMap vocab;
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  std::optional<std::string> unk_token;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
  std::string continuing_subword_prefix;
  std::string end_of_word_suffix;
};

// One output token: its id and the byte range [begin, end) of the word it covers.
struct BpeToken {
  int32_t id;
  uint32_t begin;
  uint32_t end;
};

class BpeModel {
 public:
  // InvalidArgument when a merge names a token missing from the vocabulary, or the unknown
  // token is not in it.
  static Result<BpeModel> Create(BpeConfig config);

  // Appends the tokens of `word` (one pre-tokenized piece, valid UTF-8) to `out`. Results for
  // short words are cached (thread-safe).
  void Tokenize(std::string_view word, std::vector<BpeToken>& out) const;

  BpeModel() = default;
  // Moving is construction: neither model may be in use by another thread.
  BpeModel(BpeModel&& other) noexcept NO_THREAD_SAFETY_ANALYSIS;
  BpeModel& operator=(BpeModel&&) = delete;

  const StringIdMap& vocab() const { return vocab_; }

 private:
  struct Symbol {
    int32_t id;
    int32_t prev;
    int32_t next;
    uint32_t begin;  // byte range in the word
    uint32_t end;
  };
  // Appends the symbols of `word` before any merge: each character's id, else its <0xXX> byte
  // tokens (byte_fallback), else the unknown token (runs fused with fuse_unk), else nothing;
  // then links them (prev/next).
  void InitialSymbols(std::string_view word, std::vector<Symbol>& symbols) const;
  // InitialSymbols' steps. The id of the character word[i, i + len), decorated with prefix_
  // (unless first) and suffix_ (if last) when either is set; `piece` receives the bytes looked
  // up (a view of `word` or of `decorated`, which holds the decorated form).
  std::optional<int32_t> CharacterId(std::string_view word, size_t i, size_t len,
                                     std::string& decorated, std::string_view& piece) const;
  // When every byte of `piece` has a <0xXX> token, appends them (covering [b, e) of the word
  // one byte each, clamped) and returns true; otherwise appends nothing.
  bool AppendByteSymbols(std::string_view piece, uint32_t b, uint32_t e,
                         std::vector<Symbol>& symbols) const;
  // Appends a symbol linked back to the previous one (its next is set later).
  static void AppendSymbol(std::vector<Symbol>& symbols, int32_t id, uint32_t begin, uint32_t end);
  void MergeAll(std::vector<Symbol>& symbols) const;
  void TokenizeChunk(std::string_view word, uint32_t base, std::vector<BpeToken>& out) const;
  void TokenizeUncached(std::string_view word, std::vector<BpeToken>& out) const;
  std::optional<int32_t> Lookup(std::string_view s) const;
  bool SafeBoundary(char32_t left, char32_t right) const;
  static uint64_t PairKey(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }

  StringIdMap vocab_;
  // (left id, right id) → (rank, merged id).
  std::unordered_map<uint64_t, std::pair<uint32_t, int32_t>> merges_;
  std::optional<int32_t> unk_id_;
  bool fuse_unk_ = false;
  bool byte_fallback_ = false;
  bool ignore_merges_ = false;
  std::string prefix_;
  std::string suffix_;
  std::unordered_map<char32_t, int32_t> char_ids_;  // single characters in the vocabulary
  int32_t byte_ids_[256];                           // <0xXX> pieces, -1 when absent
  // Long words are cut where no merge can join the two sides (pairs of the last character of a
  // merge's left part and the first of its right part): the result is unchanged and memory
  // stays bounded. Empty when cutting is not provably exact for this model.
  std::unordered_set<uint64_t> joinable_chars_;
  bool can_cut_ = false;

  // Word → tokens for words of at most kCacheWordBytes, up to kCacheEntries entries (then no
  // more are added), as tokenizers' BPE cache does.
  static constexpr size_t kCacheWordBytes = 64;
  static constexpr size_t kCacheEntries = 200000;
  using Cache = std::unordered_map<std::string, std::vector<BpeToken>, StringHash, std::equal_to<>>;
  mutable util::SharedMutex cache_mutex_;
  mutable Cache cache_ GUARDED_BY(cache_mutex_);
};

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_BPE_H_
