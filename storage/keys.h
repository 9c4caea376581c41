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

}  // namespace quiver::storage

#endif  // QUIVER_STORAGE_KEYS_H_
