#include "storage/record_codec.h"

#include <cstring>

#include "storage/keys.h"

namespace quiver::storage {
namespace {

void AppendField(std::string_view field, std::string* out) {
  uint32_t size = static_cast<uint32_t>(field.size());
  char prefix[4];
  for (int i = 0; i < 4; ++i) prefix[i] = static_cast<char>((size >> (8 * i)) & 0xff);
  out->append(prefix, 4);
  out->append(field);
}

// Reads one length-prefixed field from the front of `input`; false if it is truncated.
bool ReadField(std::string_view* input, std::string* field) {
  if (input->size() < 4) return false;
  uint32_t size = 0;
  for (int i = 0; i < 4; ++i) size |= uint32_t(static_cast<unsigned char>((*input)[i])) << (8 * i);
  input->remove_prefix(4);
  if (input->size() < size) return false;
  field->assign(input->substr(0, size));
  input->remove_prefix(size);
  return true;
}

}  // namespace

std::string EncodeDoc(const StoredDoc& doc) {
  std::string out;
  out.reserve(16 + doc.external_id.size() + doc.text.size() + doc.metadata.size() +
              doc.source.size());
  AppendField(doc.external_id, &out);
  AppendField(doc.text, &out);
  AppendField(doc.metadata, &out);
  AppendField(doc.source, &out);
  return out;
}

Result<StoredDoc> DecodeDoc(std::string_view value) {
  StoredDoc doc;
  if (!ReadField(&value, &doc.external_id) || !ReadField(&value, &doc.text) ||
      !ReadField(&value, &doc.metadata) || (!value.empty() && !ReadField(&value, &doc.source)) ||
      !value.empty()) {
    return Status::Corruption("stored document record is malformed");
  }
  return doc;
}

namespace {

// Field `index` (0 external id, 1 text, 2 metadata) of an encoded document.
Result<std::string_view> DocFieldView(std::string_view value, int index) {
  std::string_view field;
  for (int i = 0; i <= index; ++i) {
    if (value.size() < 4) return Status::Corruption("stored document record is malformed");
    uint32_t size = 0;
    for (int b = 0; b < 4; ++b) size |= uint32_t(static_cast<unsigned char>(value[b])) << (8 * b);
    value.remove_prefix(4);
    if (value.size() < size) return Status::Corruption("stored document record is malformed");
    field = value.substr(0, size);
    value.remove_prefix(size);
  }
  return field;
}

}  // namespace

Result<std::string_view> DocExternalIdView(std::string_view value) {
  return DocFieldView(value, 0);
}

Result<std::string_view> DocMetadataView(std::string_view value) { return DocFieldView(value, 2); }

std::string EncodeVector(std::span<const float> vector) {
  return std::string(reinterpret_cast<const char*>(vector.data()), vector.size_bytes());
}

Status DecodeVector(std::string_view value, int dimension, std::vector<float>* out) {
  if (value.size() != static_cast<size_t>(dimension) * sizeof(float)) {
    return Status::Corruption("stored vector has " + std::to_string(value.size()) +
                              " bytes; expected " + std::to_string(dimension * sizeof(float)));
  }
  out->resize(dimension);
  std::memcpy(out->data(), value.data(), value.size());
  return Status::OK();
}

std::string EncodeOplogValue(const OplogEntry& entry) {
  std::string value(1, static_cast<char>(entry.op));
  value += EncodeU64Key(entry.internal_id);
  return value;
}

Result<OplogEntry> DecodeOplogEntry(std::string_view key, std::string_view value) {
  auto sequence = DecodeU64Key(key);
  if (!sequence || value.size() != 9) return Status::Corruption("operation-log entry is malformed");
  auto op = static_cast<OpType>(value[0]);
  if (op != OpType::kAdd && op != OpType::kDelete) {
    return Status::Corruption("operation-log entry has unknown type " +
                              std::to_string(static_cast<int>(value[0])));
  }
  return OplogEntry{*sequence, op, *DecodeU64Key(value.substr(1))};
}

}  // namespace quiver::storage
