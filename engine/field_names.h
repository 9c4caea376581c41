// The metadata field names the stored records use, so that a filter naming a field no record
// has is an error that suggests the names it may have meant, instead of silently matching
// nothing. The query planner builds one with each metadata snapshot (a scan of every record's
// metadata, done anyway for filters); databases too large for a snapshot skip the check.
#ifndef QUIVER_ENGINE_FIELD_NAMES_H_
#define QUIVER_ENGINE_FIELD_NAMES_H_

#include <cstddef>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"

namespace quiver::engine {

class FieldNames {
 public:
  // At most this many distinct names are kept; past it the set gives up (every name is
  // accepted), so metadata that uses values as keys cannot grow it without bound.
  static constexpr size_t kMaxNames = 10000;
  // Nested objects are walked this many levels deep ("a.b.c" is three).
  static constexpr int kMaxDepth = 4;

  // Records the keys of one record's metadata (an object; anything else adds nothing): each
  // top-level key, and for nested objects their dotted paths ("meta.lang").
  void Add(const nlohmann::json& metadata);

  // True when some record had `field` (a key or dotted path), when no record was added, or
  // when the set gave up.
  bool Known(std::string_view field) const;

  // Known names close to `field`, closest first, at most `limit`: the same name in another
  // case, one a prefix of the other, or within an edit distance of max(2, length / 3).
  std::vector<std::string> Similar(std::string_view field, size_t limit = 5) const;

  // OK when every name of `fields` is known; else InvalidArgument "filter: no record has field
  // "yaer" (similar fields: "year")" for the first unknown one.
  Status Check(const std::vector<std::string>& fields) const;

  bool empty() const { return names_.empty() && !gave_up_; }

 private:
  void AddObject(const nlohmann::json& object, const std::string& prefix, int depth);

  std::set<std::string, std::less<>> names_;
  bool gave_up_ = false;
};

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_FIELD_NAMES_H_
