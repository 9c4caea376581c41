// Turning ranked internal ids into hits: one batched read (RocksDB MultiGet) of the records
// (none for ids-only hits, named from memory) and, when asked for, one of the vectors; only the
// fields a caller asked for are decoded.
#ifndef QUIVER_ENGINE_HIT_FETCH_H_
#define QUIVER_ENGINE_HIT_FETCH_H_

#include <span>
#include <vector>

#include "engine/external_ids.h"
#include "engine/fusion.h"
#include "quiver/options.h"
#include "quiver/types.h"
#include "storage/store.h"

namespace quiver::engine {

// The hits for `ranked` (best first), in that order, carrying `fields`; `with_text` reads the
// text even when fields.text is off (for highlighting: the caller clears it). A record
// deleted an instant ago (absent from the store) is skipped. Hits without document fields
// take their ids from `names` when given (no store read), the store otherwise.
Result<std::vector<Hit>> FetchHits(storage::Store& store, std::span<const ScoredDocument> ranked,
                                   const HitFields& fields, int dimension, bool with_text = false,
                                   ExternalIds* names = nullptr);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_HIT_FETCH_H_
