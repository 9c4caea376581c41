#include "tokenizer/blob.h"

#include "util/crc32c.h"

namespace quiver::blob {

namespace {

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint64_t GetLE(std::string_view s, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[pos + i]);
  return v;
}

}  // namespace

uint32_t Crc32c(std::string_view data) { return util::Crc32c(0, data.data(), data.size()); }

std::string Encode(TokenizerKind kind, std::string_view payload) {
  std::string out(kMagic);
  PutU32(out, kVersion);
  PutU32(out, static_cast<uint32_t>(kind));
  PutU64(out, payload.size());
  PutU32(out, Crc32c(payload));
  out.append(payload);
  return out;
}

bool HasMagic(std::string_view data) { return data.substr(0, kMagic.size()) == kMagic; }

Result<Decoded> Decode(std::string_view blob) {
  if (blob.size() < kHeaderSize || !HasMagic(blob)) {
    return Status::Corruption("not a quiver tokenizer blob (bad magic or shorter than header)");
  }
  const auto version = static_cast<uint32_t>(GetLE(blob, 8, 4));
  if (version != kVersion) {
    return Status::NotSupported("tokenizer blob format version " + std::to_string(version) +
                                "; this build reads version " + std::to_string(kVersion));
  }
  const auto kind = static_cast<uint32_t>(GetLE(blob, 12, 4));
  if (kind > static_cast<uint32_t>(TokenizerKind::kWord)) {
    return Status::Corruption("tokenizer blob has unknown kind " + std::to_string(kind));
  }
  const uint64_t size = GetLE(blob, 16, 8);
  if (size != blob.size() - kHeaderSize) {
    return Status::Corruption("tokenizer blob payload is " +
                              std::to_string(blob.size() - kHeaderSize) + " bytes; header says " +
                              std::to_string(size));
  }
  const std::string_view payload = blob.substr(kHeaderSize);
  if (Crc32c(payload) != static_cast<uint32_t>(GetLE(blob, 24, 4))) {
    return Status::Corruption("tokenizer blob checksum mismatch");
  }
  return Decoded{static_cast<TokenizerKind>(kind), payload};
}

}  // namespace quiver::blob
