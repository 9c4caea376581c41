// Content hashing. The only user of libxxhash.
#ifndef QUIVER_UTIL_HASH_H_
#define QUIVER_UTIL_HASH_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace quiver::util {

// XXH64 of `data` with seed 0 (the value xxhsum -H1 prints).
uint64_t Xxh64(std::string_view data);

// `value` as 16 lowercase hex digits, most significant first.
std::string Hex64(uint64_t value);

}  // namespace quiver::util

#endif  // QUIVER_UTIL_HASH_H_
