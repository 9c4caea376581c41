// Key encoding for the store: fixed-width big-endian integers, so that RocksDB's bytewise
// order equals numeric order and scans run in id (or sequence) order.
#ifndef QUIVER_STORAGE_KEYS_H_
#define QUIVER_STORAGE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace quiver::storage {

// 8 bytes, most significant first.
std::string EncodeU64Key(uint64_t value);
// nullopt unless `key` is exactly 8 bytes.
std::optional<uint64_t> DecodeU64Key(std::string_view key);

// Keys of the `postings` column family (BM25):
//   'P' term(u32) id(u64)  -> PostingValue: the term occurs in document `id`
//   'T' term(u32)          -> u64 key: how many documents contain the term
//   'D' id(u64)            -> the document's distinct term ids (u32 little-endian each)
std::string PostingKey(uint32_t term, uint64_t internal_id);
// The common prefix of every PostingKey of `term`.
std::string PostingPrefix(uint32_t term);
std::string TermDocsKey(uint32_t term);
std::string DocTermsKey(uint64_t internal_id);
// nullopt unless `key` is a PostingKey.
std::optional<uint64_t> PostingKeyDocument(std::string_view key);

// A posting's value: the term's count in the document and the document's length in tokens.
struct PostingValue {
  uint32_t term_frequency = 0;
  uint32_t document_length = 0;
};
std::string EncodePostingValue(const PostingValue& value);
std::optional<PostingValue> DecodePostingValue(std::string_view value);

}  // namespace quiver::storage

#endif  // QUIVER_STORAGE_KEYS_H_
