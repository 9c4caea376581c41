#include "storage/keys.h"

namespace quiver::storage {

std::string EncodeU64Key(uint64_t value) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return key;
}

std::optional<uint64_t> DecodeU64Key(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  uint64_t value = 0;
  for (unsigned char byte : key) value = (value << 8) | byte;
  return value;
}

}  // namespace quiver::storage
