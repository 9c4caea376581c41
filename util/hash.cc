#include "util/hash.h"

#include <xxhash.h>

namespace quiver::util {

uint64_t Xxh64(std::string_view data) { return XXH64(data.data(), data.size(), 0); }

std::string Hex64(uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[i] = kDigits[value & 0xF];
  return out;
}

}  // namespace quiver::util
