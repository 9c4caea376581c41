// Idempotent writes (quiver::WriteTag): per writer, the highest sequence applied, kept in the
// meta family under "write_sequence/" + writer and written by the same batch as the write it
// tags (CommitPlan::tag), so a crash keeps both or neither.
#ifndef QUIVER_ENGINE_WRITE_TAGS_H_
#define QUIVER_ENGINE_WRITE_TAGS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "quiver/options.h"
#include "quiver/status.h"
#include "storage/store.h"

namespace quiver::engine {

// The meta key holding `writer`'s sequence.
std::string WriteSequenceKey(std::string_view writer);

// InvalidArgument unless the writer is non-empty and the sequence > 0.
Status CheckWriteTag(const WriteTag& tag);

// The highest sequence stored for `writer`; 0 when it never wrote.
Result<uint64_t> StoredWriteSequence(storage::Store& store, std::string_view writer);

// Whether `tag` was applied already: its sequence is at most the stored one.
Result<bool> AlreadyApplied(storage::Store& store, const WriteTag& tag);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_WRITE_TAGS_H_
