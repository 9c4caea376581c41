#include "engine/field_names.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "quiver/suggest.h"
#include "util/strings.h"

namespace quiver::engine {

void FieldNames::AddObject(const nlohmann::json& object, const std::string& prefix, int depth) {
  for (const auto& [key, value] : object.items()) {
    if (gave_up_) return;
    std::string name = prefix.empty() ? key : prefix + "." + key;
    if (names_.size() >= kMaxNames && !names_.contains(name)) {
      gave_up_ = true;
      names_.clear();
      return;
    }
    if (value.is_object() && depth < kMaxDepth) AddObject(value, name, depth + 1);
    names_.insert(std::move(name));
  }
}

void FieldNames::Add(const nlohmann::json& metadata) {
  if (metadata.is_object() && !gave_up_) AddObject(metadata, "", 1);
}

bool FieldNames::Known(std::string_view field) const {
  return empty() || gave_up_ || names_.contains(field);
}

std::vector<std::string> FieldNames::Similar(std::string_view field, size_t limit) const {
  const std::vector<std::string> names(names_.begin(), names_.end());
  return SimilarNames(field, names, limit);
}

Status FieldNames::Check(const std::vector<std::string>& fields) const {
  for (const std::string& field : fields) {
    if (Known(field)) continue;
    std::string message = "filter: no record has field " + util::Quote(field);
    const std::vector<std::string> similar = Similar(field);
    if (similar.empty()) {
      message += " (none of the " + std::to_string(names_.size()) + " field names is similar)";
    } else {
      message += " (similar fields:";
      for (size_t i = 0; i < similar.size(); ++i) {
        message += (i == 0 ? " " : ", ") + util::Quote(similar[i]);
      }
      message += ")";
    }
    return Status::InvalidArgument(message);
  }
  return Status::OK();
}

}  // namespace quiver::engine
