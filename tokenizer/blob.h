// The tokenizer blob: what Tokenizer::Serialize writes and LoadTokenizerBlob reads.
//
// Layout (integers little-endian):
//   8 bytes  magic "QVTOKNZR"
//   u32      format version (1)
//   u32      kind (TokenizerKind: 0 sentencepiece, 1 huggingface-bpe, 2 word)
//   u64      payload size in bytes
//   u32      CRC-32C of the payload
//   payload  sentencepiece: the serialized ModelProto; huggingface-bpe: the tokenizer.json
//            text; word: a JSON object {"options": {...}, "vocab": [...]}
#ifndef QUIVER_TOKENIZER_BLOB_H_
#define QUIVER_TOKENIZER_BLOB_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "quiver/status.h"
#include "tokenizer/tokenizer.h"

namespace quiver::blob {

inline constexpr std::string_view kMagic = "QVTOKNZR";
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderSize = 8 + 4 + 4 + 8 + 4;

uint32_t Crc32c(std::string_view data);

std::string Encode(TokenizerKind kind, std::string_view payload);

struct Decoded {
  TokenizerKind kind;
  std::string_view payload;  // a view into the blob
};
// Corruption when the magic, size, version, kind or checksum is wrong.
Result<Decoded> Decode(std::string_view blob);

bool HasMagic(std::string_view data);

}  // namespace quiver::blob

#endif  // QUIVER_TOKENIZER_BLOB_H_
