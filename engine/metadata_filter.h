// Metadata filters (the `where` of QueryOptions; `quiver query --where JSON`), in the style of
// Chroma and MongoDB:
//
//   {"lang": "en", "year": {"$gte": 2000}, "$or": [{"genre": "poetry"}, {"pages": {"$lt": 50}}]}
//
// A filter object is the AND of its entries. Each entry is either
//   "field": value                      — shorthand for {"$eq": value};
//   "field": {"$op": operand, ...}      — the AND of the listed operators;
//   "$and" / "$or": [filter, ...]       — a non-empty array of filter objects.
// Operators: $eq $ne (operand: string, number, boolean or null), $gt $gte $lt $lte (operand:
// number or string), $in $nin (operand: non-empty array of such scalars), and
//   $exists (true or false)   — the field is present (even as null) / absent;
//   $contains (a string, number or boolean) — an array field holds an element equal to it, or
//                               a string field holds the string operand as a substring;
//   $startswith (a string)    — a string field, or any string element of an array, begins with it;
//   $regex (a string pattern) — PCRE2 syntax, UTF-8 and Unicode properties on, unanchored (use
//                               ^ and $), at most kMaxRegexBytes; matches a string field or any
//                               string element of an array. Each match attempt is bounded by
//                               PCRE2's match and depth limits (Regex::Limits): an attempt
//                               that hits one does not match, so no pattern can hang a query.
// $contains, $startswith and $regex never match a missing field or one of another type.
//
// Matching rules, for a record's metadata object:
// - A field name is looked up as an exact key first; failing that, a dotted name such as
//   "meta.lang" walks into nested objects.
// - A missing field matches only $ne and $nin. null matches only an explicit null.
// - Numbers compare numerically whether integer or float (2000 == 2000.0; integers compare
//   exactly with integers, and as doubles with floats). Strings compare bytewise (UTF-8 code
//   point order). Booleans are not numbers. Values of different types are never equal, and
//   an ordering operator on a field of another type does not match.
// - When the field holds an array, $eq and $in match if any element matches, and $ne and $nin
//   match if no element does; $gt $gte $lt $lte never match an array.
// - $ne is exactly the negation of $eq, and $nin of $in, so both match a field of another
//   type.
#ifndef QUIVER_ENGINE_METADATA_FILTER_H_
#define QUIVER_ENGINE_METADATA_FILTER_H_

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"

namespace quiver::engine {

namespace metadata_filter_internal {
struct Node;  // The compiled tree; defined in metadata_filter.cc.
}  // namespace metadata_filter_internal

// An immutable, compiled filter. Copies share the compiled tree; Matches may be called from
// any number of threads at once.
class MetadataFilter {
 public:
  // Filters nested deeper than this many levels of $and/$or are rejected.
  static constexpr int kMaxDepth = 64;

  // A filter that matches every record with valid metadata, like Parse("{}").
  MetadataFilter();

  // $regex patterns longer than this many bytes are rejected.
  static constexpr size_t kMaxRegexBytes = 1024;

  // Compiles `json_text`. On bad input returns InvalidArgument with a one-line message that
  // starts with "filter: " and names what was expected and what was found (the offending
  // operator or field included); with several problems, the first in the text is reported.
  // Never throws.
  static Result<MetadataFilter> Parse(std::string_view json_text);

  // True when `metadata` satisfies the filter. Metadata that is not a JSON object matches
  // nothing.
  bool Matches(const nlohmann::json& metadata) const;

  // As above, for metadata stored as JSON text: "" stands for the empty object; text that is
  // not a JSON object matches nothing.
  bool Matches(std::string_view metadata_json) const;
  // Text, not a JSON string value: these spare callers an ambiguous call.
  bool Matches(const std::string& metadata_json) const {
    return Matches(std::string_view(metadata_json));
  }
  bool Matches(const char* metadata_json) const { return Matches(std::string_view(metadata_json)); }

  // The field names the filter refers to, each once, in order of first appearance.
  std::vector<std::string> Fields() const;

 private:
  using Node = metadata_filter_internal::Node;

  explicit MetadataFilter(std::shared_ptr<const Node> root);

  std::shared_ptr<const Node> root_;
};

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_METADATA_FILTER_H_
