// Value encodings of the `docs`, `vectors` and `oplog` column families.
#ifndef QUIVER_STORAGE_RECORD_CODEC_H_
#define QUIVER_STORAGE_RECORD_CODEC_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"

namespace quiver::storage {

// What `docs` holds for one internal id.
struct StoredDoc {
  std::string external_id;
  std::string text;
  std::string metadata;  // JSON object text, or empty
  std::string source;    // where the text came from (engine-defined JSON), or empty
};

enum class OpType : uint8_t { kAdd = 1, kDelete = 2 };

// One operation-log entry: the index must add or remove `internal_id`.
struct OplogEntry {
  uint64_t sequence = 0;
  OpType op = OpType::kAdd;
  uint64_t internal_id = 0;
};

// Length-prefixed (u32 little-endian) strings: external id, text, metadata, source. Records
// written before `source` existed hold only the first three; they decode with an empty source.
std::string EncodeDoc(const StoredDoc& doc);
Result<StoredDoc> DecodeDoc(std::string_view value);
// The external id field of an encoded document, without copying the rest.
Result<std::string_view> DocExternalIdView(std::string_view value);
// The metadata field of an encoded document, without copying the rest.
Result<std::string_view> DocMetadataView(std::string_view value);

// Raw float32, host byte order (little-endian on every supported platform).
std::string EncodeVector(std::span<const float> vector);
// Corruption unless `value` holds exactly `dimension` floats.
Status DecodeVector(std::string_view value, int dimension, std::vector<float>* out);

// One op byte followed by the big-endian internal id; the sequence is the key.
std::string EncodeOplogValue(const OplogEntry& entry);
Result<OplogEntry> DecodeOplogEntry(std::string_view key, std::string_view value);

}  // namespace quiver::storage

#endif  // QUIVER_STORAGE_RECORD_CODEC_H_
