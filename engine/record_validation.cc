#include "engine/record_validation.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "quiver/limits.h"

namespace quiver::engine {

Status ValidateVector(std::span<const float> vector, int dimension, Metric metric,
                      const std::string& what) {
  if (vector.size() != static_cast<size_t>(dimension)) {
    return Status::InvalidArgument(what + " has " + std::to_string(vector.size()) +
                                   " dimensions; this database stores " +
                                   std::to_string(dimension));
  }
  bool all_zero = true;
  for (size_t i = 0; i < vector.size(); ++i) {
    if (!std::isfinite(vector[i])) {
      return Status::InvalidArgument(what + " has a non-finite component at position " +
                                     std::to_string(i) + " (" + std::to_string(vector[i]) +
                                     "); expected finite numbers");
    }
    all_zero = all_zero && vector[i] == 0.0f;
  }
  if (metric == Metric::kCosine && all_zero) {
    return Status::InvalidArgument(what + " is all zeros; cosine needs a non-zero vector");
  }
  return Status::OK();
}

Status ValidateRecord(const Record& record, int dimension, Metric metric,
                      std::string* canonical_metadata) {
  if (record.id.empty())
    return Status::InvalidArgument("record id is empty; expected a non-empty string");
  const std::string what = "vector of id '" + record.id + "'";
  QUIVER_RETURN_IF_ERROR(ValidateVector(record.vector, dimension, metric, what));
  canonical_metadata->clear();
  if (record.metadata.empty()) return Status::OK();
  if (Status depth = CheckJsonDepth(record.metadata); !depth.ok()) {
    return Status::InvalidArgument("metadata of id '" + record.id + "': " + depth.message());
  }
  auto parsed = nlohmann::json::parse(record.metadata, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Status::InvalidArgument(
        "metadata of id '" + record.id +
        "' is not a JSON object; found: " + record.metadata.substr(0, 80));
  }
  *canonical_metadata = parsed.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return Status::OK();
}

}  // namespace quiver::engine
