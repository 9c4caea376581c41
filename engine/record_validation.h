// Checks applied to user records before anything is written.
#ifndef QUIVER_ENGINE_RECORD_VALIDATION_H_
#define QUIVER_ENGINE_RECORD_VALIDATION_H_

#include <span>
#include <string>

#include "quiver/options.h"
#include "quiver/status.h"
#include "quiver/types.h"

namespace quiver::engine {

// InvalidArgument unless `vector` has `dimension` finite components (and, for cosine, is not
// all zeros). `what` names the vector in the message, e.g. "vector of id 'a'".
Status ValidateVector(std::span<const float> vector, int dimension, Metric metric,
                      const std::string& what);

// Checks id, vector and metadata; on success `canonical_metadata` holds the metadata as
// compact JSON ("" when absent).
Status ValidateRecord(const Record& record, int dimension, Metric metric,
                      std::string* canonical_metadata);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_RECORD_VALIDATION_H_
