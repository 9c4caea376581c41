// CRC-32C (Castagnoli), the checksum of checkpoint files. Uses the SSE4.2 instruction when
// the CPU has it and a table otherwise; both give the same value.
#ifndef QUIVER_UTIL_CRC32C_H_
#define QUIVER_UTIL_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace quiver::util {

// Extends `crc` (0 to start) over `size` bytes at `data`.
uint32_t Crc32c(uint32_t crc, const void* data, size_t size);

}  // namespace quiver::util

#endif  // QUIVER_UTIL_CRC32C_H_
