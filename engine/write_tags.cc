#include "engine/write_tags.h"

namespace quiver::engine {

std::string WriteSequenceKey(std::string_view writer) {
  std::string key(storage::meta_key::kWriteSequencePrefix);
  key += writer;
  return key;
}

Status CheckWriteTag(const WriteTag& tag) {
  if (tag.writer.empty() || tag.sequence == 0) {
    return Status::InvalidArgument(
        "a write tag needs a non-empty writer and a sequence > 0; found writer '" + tag.writer +
        "', sequence " + std::to_string(tag.sequence));
  }
  return Status::OK();
}

Result<uint64_t> StoredWriteSequence(storage::Store& store, std::string_view writer) {
  return store.GetMetaU64(WriteSequenceKey(writer), 0);
}

Result<bool> AlreadyApplied(storage::Store& store, const WriteTag& tag) {
  QUIVER_ASSIGN_OR_RETURN(const uint64_t stored, StoredWriteSequence(store, tag.writer));
  return tag.sequence <= stored;
}

}  // namespace quiver::engine
