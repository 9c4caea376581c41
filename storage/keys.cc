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

namespace {

void AppendBigEndian(uint64_t value, int bytes, std::string* out) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void AppendLittleEndian32(uint32_t value, std::string* out) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint32_t ReadLittleEndian32(std::string_view bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= uint32_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  return value;
}

}  // namespace

std::string PostingPrefix(uint32_t term) {
  std::string key = "P";
  AppendBigEndian(term, 4, &key);
  return key;
}

std::string PostingKey(uint32_t term, uint64_t internal_id) {
  std::string key = PostingPrefix(term);
  AppendBigEndian(internal_id, 8, &key);
  return key;
}

std::string TermDocsKey(uint32_t term) {
  std::string key = "T";
  AppendBigEndian(term, 4, &key);
  return key;
}

std::string DocTermsKey(uint64_t internal_id) {
  std::string key = "D";
  AppendBigEndian(internal_id, 8, &key);
  return key;
}

std::optional<uint64_t> PostingKeyDocument(std::string_view key) {
  if (key.size() != 13 || key[0] != 'P') return std::nullopt;
  return DecodeU64Key(key.substr(5));
}

std::string EncodePostingValue(const PostingValue& value) {
  std::string out;
  AppendLittleEndian32(value.term_frequency, &out);
  AppendLittleEndian32(value.document_length, &out);
  return out;
}

std::optional<PostingValue> DecodePostingValue(std::string_view value) {
  if (value.size() != 8) return std::nullopt;
  return PostingValue{ReadLittleEndian32(value), ReadLittleEndian32(value.substr(4))};
}

}  // namespace quiver::storage
