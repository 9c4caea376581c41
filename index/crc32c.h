// CRC-32C (Castagnoli), the checksum of checkpoint files. Uses the SSE4.2 instruction when
// the CPU has it and a table otherwise; both give the same value.
#ifndef QUIVER_INDEX_CRC32C_H_
#define QUIVER_INDEX_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace quiver::index {

// Extends `crc` (0 to start) over `size` bytes at `data`.
uint32_t Crc32c(uint32_t crc, const void* data, size_t size);

}  // namespace quiver::index

#endif  // QUIVER_INDEX_CRC32C_H_
