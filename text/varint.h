// LEB128-style varints (7 bits a byte, low group first) for the lexical index's blocks.
#ifndef QUIVER_TEXT_VARINT_H_
#define QUIVER_TEXT_VARINT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace quiver::text {

inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a varint at `*pos` of `in`, advancing `*pos`. False when the bytes end first or the
// value does not fit 64 bits; `*pos` is then unspecified.
inline bool GetVarint(std::string_view in, size_t* pos, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (*pos >= in.size()) return false;
    uint64_t byte = static_cast<unsigned char>(in[(*pos)++]);
    if (shift == 63 && byte > 1) return false;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) {
      *v = result;
      return true;
    }
  }
  return false;
}

// A varint that must be at most `max`.
inline bool GetVarintAtMost(std::string_view in, size_t* pos, uint64_t max, uint64_t* v) {
  return GetVarint(in, pos, v) && *v <= max;
}

}  // namespace quiver::text

#endif  // QUIVER_TEXT_VARINT_H_
