#include "engine/field_names.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "util/strings.h"

namespace quiver::engine {

namespace {

// Levenshtein distance over bytes, giving up (returning `cap` + 1) once it exceeds `cap`.
size_t EditDistance(std::string_view a, std::string_view b, size_t cap) {
  const size_t diff = a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
  if (diff > cap) return cap + 1;
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    size_t best = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      best = std::min(best, row[j]);
    }
    if (best > cap) return cap + 1;
  }
  return row[b.size()];
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

}  // namespace

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
  const std::string lower = Lower(field);
  const size_t cap = std::max<size_t>(2, field.size() / 3);
  std::vector<std::pair<size_t, std::string>> scored;  // (rank, name); lower rank is closer
  for (const std::string& name : names_) {
    const std::string other = Lower(name);
    size_t rank;
    if (other == lower) {
      rank = 0;
    } else if (!lower.empty() && (other.starts_with(lower) || lower.starts_with(other))) {
      rank = 1 + (other.size() > lower.size() ? other.size() - lower.size()
                                              : lower.size() - other.size());
    } else {
      const size_t distance = EditDistance(lower, other, cap);
      if (distance > cap) continue;
      rank = distance;
    }
    scored.emplace_back(rank, name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> similar;
  for (size_t i = 0; i < scored.size() && i < limit; ++i) similar.push_back(scored[i].second);
  return similar;
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
