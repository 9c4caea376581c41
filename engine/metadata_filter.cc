#include "engine/metadata_filter.h"

#include <compare>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <utility>

#include "tokenizer/regex.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace quiver::engine {

using nlohmann::json;
using nlohmann::ordered_json;  // Filters keep the user's order: errors and evaluation follow it.

namespace metadata_filter_internal {

enum class Op {
  kEq,
  kNe,
  kGt,
  kGte,
  kLt,
  kLte,
  kIn,
  kNin,
  kExists,
  kContains,
  kStartsWith,
  kRegex,
};

// One field compared with one operand.
struct Predicate {
  std::string field;              // As written in the filter.
  std::vector<std::string> path;  // `field` split at '.', when it contains one.
  Op op = Op::kEq;
  json operand;  // A scalar, or for $in/$nin a non-empty array of scalars.
  std::shared_ptr<const Regex> regex;  // For $regex: the compiled operand.
};

// kAnd/kOr combine `children` (an empty kAnd matches everything); kPredicate tests `predicate`.
struct Node {
  enum class Kind { kAnd, kOr, kPredicate };
  Kind kind = Kind::kAnd;
  std::vector<Node> children;
  Predicate predicate;
};

}  // namespace metadata_filter_internal

namespace {

using metadata_filter_internal::Node;
using metadata_filter_internal::Op;
using metadata_filter_internal::Predicate;
using util::Quote;

constexpr std::string_view kFieldOperators =
    "$eq $ne $gt $gte $lt $lte $in $nin $exists $contains $startswith $regex";

struct OperatorName {
  std::string_view name;
  Op op;
};
constexpr OperatorName kOperators[] = {
    {"$eq", Op::kEq},
    {"$ne", Op::kNe},
    {"$gt", Op::kGt},
    {"$gte", Op::kGte},
    {"$lt", Op::kLt},
    {"$lte", Op::kLte},
    {"$in", Op::kIn},
    {"$nin", Op::kNin},
    {"$exists", Op::kExists},
    {"$contains", Op::kContains},
    {"$startswith", Op::kStartsWith},
    {"$regex", Op::kRegex},
};

// ---- Messages ------------------------------------------------------------------------------

Status Invalid(const std::string& message) { return Status::InvalidArgument("filter: " + message); }

// "an object", "an array", "a string", ... for "found ..." in messages.
std::string TypeName(const ordered_json& value) {
  switch (value.type()) {
    case ordered_json::value_t::object:
      return "an object";
    case ordered_json::value_t::array:
      return value.empty() ? "an empty array" : "an array";
    case ordered_json::value_t::string:
      return "a string";
    case ordered_json::value_t::boolean:
      return "a boolean";
    case ordered_json::value_t::null:
      return "null";
    case ordered_json::value_t::number_integer:
    case ordered_json::value_t::number_unsigned:
    case ordered_json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

// The reason of a parse error without nlohmann's "[json.exception...] parse error at ...: "
// prefix, on one line and at most 200 bytes.
std::string ParseErrorReason(const json::parse_error& error) {
  std::string_view what = error.what();
  const size_t at = what.find("parse error");
  const size_t colon = at == std::string_view::npos ? at : what.find(": ", at);
  if (colon != std::string_view::npos) what.remove_prefix(colon + 2);
  constexpr size_t kMaxBytes = 200;
  const bool cut = what.size() > kMaxBytes;
  if (cut) what = what.substr(0, utf8::CharBoundaryAtOrBefore(what, kMaxBytes));
  std::string reason;
  for (char c : what) reason += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  return cut ? reason + "..." : reason;
}

// ---- Compilation ---------------------------------------------------------------------------

bool IsScalar(const ordered_json& value) {
  return value.is_string() || value.is_number() || value.is_boolean() || value.is_null();
}

const Op* FindOperator(std::string_view name) {
  for (const OperatorName& entry : kOperators) {
    if (entry.name == name) return &entry.op;
  }
  return nullptr;
}

// Checks the operand of `op_name` on `field`.
Status CheckOperand(Op op, std::string_view op_name, const std::string& field,
                    const ordered_json& operand) {
  const std::string where = Quote(op_name) + " on field " + Quote(field);
  switch (op) {
    case Op::kEq:
    case Op::kNe:
      if (IsScalar(operand)) return Status::OK();
      return Invalid(where + " expects a string, number, boolean or null, found " +
                     TypeName(operand));
    case Op::kGt:
    case Op::kGte:
    case Op::kLt:
    case Op::kLte:
      if (operand.is_number() || operand.is_string()) return Status::OK();
      return Invalid(where + " expects a number or a string, found " + TypeName(operand));
    case Op::kIn:
    case Op::kNin:
      if (!operand.is_array() || operand.empty()) {
        return Invalid(where + " expects a non-empty array of scalars, found " + TypeName(operand));
      }
      for (size_t i = 0; i < operand.size(); ++i) {
        if (!IsScalar(operand[i])) {
          return Invalid(where +
                         " expects an array of strings, numbers, booleans or nulls, found " +
                         TypeName(operand[i]) + " at index " + std::to_string(i));
        }
      }
      return Status::OK();
    case Op::kExists:
      if (operand.is_boolean()) return Status::OK();
      return Invalid(where + " expects true or false, found " + TypeName(operand));
    case Op::kContains:
      if (operand.is_string() || operand.is_number() || operand.is_boolean()) return Status::OK();
      return Invalid(where + " expects a string, number or boolean, found " + TypeName(operand));
    case Op::kStartsWith:
      if (operand.is_string()) return Status::OK();
      return Invalid(where + " expects a string prefix, found " + TypeName(operand));
    case Op::kRegex:
      if (!operand.is_string()) {
        return Invalid(where + " expects a string pattern, found " + TypeName(operand));
      }
      if (operand.get_ref<const std::string&>().size() > MetadataFilter::kMaxRegexBytes) {
        return Invalid(where + " expects a pattern of at most " +
                       std::to_string(MetadataFilter::kMaxRegexBytes) + " bytes, found " +
                       std::to_string(operand.get_ref<const std::string&>().size()));
      }
      return Status::OK();
  }
  return Status::OK();
}

Result<Node> MakePredicate(const std::string& field, Op op, const ordered_json& operand) {
  Node node;
  if (op == Op::kRegex) {
    Result<std::unique_ptr<Regex>> regex = Regex::Compile(operand.get_ref<const std::string&>());
    if (!regex.ok()) {
      return Invalid("\"$regex\" on field " + Quote(field) + ": " + regex.status().message());
    }
    node.predicate.regex = std::move(regex).value();
  }
  node.kind = Node::Kind::kPredicate;
  node.predicate.field = field;
  node.predicate.op = op;
  node.predicate.operand = json(operand);
  if (field.find('.') != std::string::npos) {
    size_t start = 0;
    for (size_t dot; (dot = field.find('.', start)) != std::string::npos; start = dot + 1) {
      node.predicate.path.push_back(field.substr(start, dot - start));
    }
    node.predicate.path.push_back(field.substr(start));
  }
  return node;
}

// An AND of children collapses to its only child.
Node Simplify(Node node) {
  if (node.kind == Node::Kind::kAnd && node.children.size() == 1) {
    return std::move(node.children.front());
  }
  return node;
}

// Compiles the value of `"field": value`.
Result<Node> CompileField(const std::string& field, const ordered_json& value) {
  if (field.empty()) return Invalid("empty field name; expected a metadata field such as \"lang\"");
  const std::string name = "field " + Quote(field);
  if (IsScalar(value)) return MakePredicate(field, Op::kEq, value);  // Never a $regex: no error.
  if (value.is_array()) {
    return Invalid(name + " expects a value or an object of operators, found " + TypeName(value) +
                   "; to match any of several values use {\"$in\": [...]}");
  }
  if (value.empty()) {
    return Invalid(name + " has an empty operator object; expected at least one of " +
                   std::string(kFieldOperators));
  }
  Node all;  // kAnd
  for (const auto& [key, operand] : value.items()) {
    if (key.empty() || key.front() != '$') {
      return Invalid(name + " expects a value or an object of operators, found key " + Quote(key) +
                     "; for a nested field write " + Quote(field + "." + key));
    }
    const Op* op = FindOperator(key);
    if (op == nullptr) {
      return Invalid("unknown operator " + Quote(key) + " for " + name + "; expected one of " +
                     std::string(kFieldOperators));
    }
    QUIVER_RETURN_IF_ERROR(CheckOperand(*op, key, field, operand));
    QUIVER_ASSIGN_OR_RETURN(Node predicate, MakePredicate(field, *op, operand));
    all.children.push_back(std::move(predicate));
  }
  return Simplify(std::move(all));
}

Result<Node> CompileObject(const ordered_json& object, int depth);

// Compiles the operand of "$and"/"$or" (`name`): a non-empty array of filter objects.
Result<Node> CompileLogical(std::string_view name, const ordered_json& operand, int depth) {
  const std::string expected = Quote(name) + " expects a non-empty array of objects, found ";
  if (!operand.is_array() || operand.empty()) return Invalid(expected + TypeName(operand));
  if (depth > MetadataFilter::kMaxDepth) {
    return Invalid("filter nests deeper than " + std::to_string(MetadataFilter::kMaxDepth) +
                   " levels of $and/$or");
  }
  Node node;
  node.kind = name == "$or" ? Node::Kind::kOr : Node::Kind::kAnd;
  for (size_t i = 0; i < operand.size(); ++i) {
    if (!operand[i].is_object()) {
      return Invalid(expected + TypeName(operand[i]) + " at index " + std::to_string(i));
    }
    QUIVER_ASSIGN_OR_RETURN(Node child, CompileObject(operand[i], depth + 1));
    node.children.push_back(std::move(child));
  }
  return Simplify(std::move(node));
}

// Compiles one entry of a filter object.
Result<Node> CompileEntry(const std::string& key, const ordered_json& value, int depth) {
  if (key == "$and" || key == "$or") return CompileLogical(key, value, depth);
  if (!key.empty() && key.front() == '$') {
    return Invalid("unknown operator " + Quote(key) + "; expected a field name or one of $and $or");
  }
  return CompileField(key, value);
}

// Compiles a filter object (the AND of its entries); `depth` counts enclosing $and/$or.
Result<Node> CompileObject(const ordered_json& object, int depth) {
  Node all;  // kAnd
  for (const auto& [key, value] : object.items()) {
    QUIVER_ASSIGN_OR_RETURN(Node child, CompileEntry(key, value, depth));
    all.children.push_back(std::move(child));
  }
  return Simplify(std::move(all));
}

Result<ordered_json> ParseJson(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Invalid("expected a JSON object, found empty text");
  }
  try {
    return ordered_json::parse(text);
  } catch (const json::parse_error& e) {
    return Invalid("invalid JSON at byte " + std::to_string(e.byte) + ": " + ParseErrorReason(e));
  } catch (const json::exception& e) {
    return Invalid(std::string("invalid JSON: ") + e.what());
  }
}

// ---- Evaluation ----------------------------------------------------------------------------

template <typename A, typename B>
std::partial_ordering CompareIntegers(A a, B b) {
  if (std::cmp_less(a, b)) return std::partial_ordering::less;
  if (std::cmp_equal(a, b)) return std::partial_ordering::equivalent;
  return std::partial_ordering::greater;
}

// Orders two JSON numbers: exactly when both are integers, as doubles otherwise.
std::partial_ordering CompareNumbers(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) return a.get<double>() <=> b.get<double>();
  if (a.is_number_unsigned()) {
    const auto x = a.get<std::uint64_t>();
    return b.is_number_unsigned() ? CompareIntegers(x, b.get<std::uint64_t>())
                                  : CompareIntegers(x, b.get<std::int64_t>());
  }
  const auto x = a.get<std::int64_t>();
  return b.is_number_unsigned() ? CompareIntegers(x, b.get<std::uint64_t>())
                                : CompareIntegers(x, b.get<std::int64_t>());
}

// Orders numbers with numbers and strings with strings; anything else is unordered.
std::partial_ordering CompareScalars(const json& value, const json& operand) {
  if (value.is_number() && operand.is_number()) return CompareNumbers(value, operand);
  if (value.is_string() && operand.is_string()) {
    return value.get_ref<const std::string&>().compare(operand.get_ref<const std::string&>()) <=> 0;
  }
  return std::partial_ordering::unordered;
}

bool ScalarEquals(const json& value, const json& operand) {
  if (value.is_number() && operand.is_number()) return CompareNumbers(value, operand) == 0;
  if (value.type() != operand.type()) return false;
  if (value.is_string()) return CompareScalars(value, operand) == 0;
  if (value.is_boolean()) return value.get<bool>() == operand.get<bool>();
  return value.is_null();
}

bool IsAnyOf(const json& value, const json& operands) {
  for (const json& operand : operands) {
    if (ScalarEquals(value, operand)) return true;
  }
  return false;
}

// $eq (`operand` a scalar) or $in (`operand` an array), element-wise when `value` is an array.
bool EqualsAny(const json& value, const json& operand, bool in) {
  auto test = [&](const json& v) { return in ? IsAnyOf(v, operand) : ScalarEquals(v, operand); };
  if (!value.is_array()) return test(value);
  for (const json& element : value) {
    if (test(element)) return true;
  }
  return false;
}

// $contains: an array holding an element equal to `operand`, or a string holding the string
// `operand` as a substring.
bool Contains(const json& value, const json& operand) {
  if (value.is_array()) {
    for (const json& element : value) {
      if (ScalarEquals(element, operand)) return true;
    }
    return false;
  }
  return value.is_string() && operand.is_string() &&
         value.get_ref<const std::string&>().find(operand.get_ref<const std::string&>()) !=
             std::string::npos;
}

// True when `test` holds for the string `value`, or for any string element of the array `value`.
template <typename Test>
bool AnyString(const json& value, const Test& test) {
  if (value.is_string()) return test(value.get_ref<const std::string&>());
  if (!value.is_array()) return false;
  for (const json& element : value) {
    if (element.is_string() && test(element.get_ref<const std::string&>())) return true;
  }
  return false;
}

// $startswith and $regex. A regex that exceeds its match or depth limit does not match.
bool MatchesText(const Predicate& predicate, const json& value) {
  if (predicate.op == Op::kStartsWith) {
    const std::string& prefix = predicate.operand.get_ref<const std::string&>();
    return AnyString(value, [&](const std::string& s) { return s.starts_with(prefix); });
  }
  return AnyString(value, [&](const std::string& s) {
    Result<bool> found = predicate.regex->Search(s, Regex::Limits{});
    return found.ok() && *found;
  });
}

// The value of the predicate's field in `metadata` (an object), or nullptr when missing.
const json* Lookup(const json& metadata, const Predicate& predicate) {
  auto it = metadata.find(predicate.field);
  if (it != metadata.end()) return &*it;
  if (predicate.path.empty()) return nullptr;
  const json* current = &metadata;
  for (const std::string& segment : predicate.path) {
    if (!current->is_object()) return nullptr;
    auto next = current->find(segment);
    if (next == current->end()) return nullptr;
    current = &*next;
  }
  return current;
}

bool Evaluate(const Predicate& predicate, const json& metadata) {
  const json* value = Lookup(metadata, predicate);
  const json& operand = predicate.operand;
  switch (predicate.op) {
    case Op::kEq:
      return value != nullptr && EqualsAny(*value, operand, /*in=*/false);
    case Op::kNe:
      return value == nullptr || !EqualsAny(*value, operand, /*in=*/false);
    case Op::kIn:
      return value != nullptr && EqualsAny(*value, operand, /*in=*/true);
    case Op::kNin:
      return value == nullptr || !EqualsAny(*value, operand, /*in=*/true);
    case Op::kGt:
      return value != nullptr && CompareScalars(*value, operand) > 0;
    case Op::kGte:
      return value != nullptr && CompareScalars(*value, operand) >= 0;
    case Op::kLt:
      return value != nullptr && CompareScalars(*value, operand) < 0;
    case Op::kLte:
      return value != nullptr && CompareScalars(*value, operand) <= 0;
    case Op::kExists:
      return (value != nullptr) == operand.get<bool>();
    case Op::kContains:
      return value != nullptr && Contains(*value, operand);
    case Op::kStartsWith:
    case Op::kRegex:
      return value != nullptr && MatchesText(predicate, *value);
  }
  return false;
}

bool Evaluate(const Node& node, const json& metadata) {
  switch (node.kind) {
    case Node::Kind::kPredicate:
      return Evaluate(node.predicate, metadata);
    case Node::Kind::kAnd:
      for (const Node& child : node.children) {
        if (!Evaluate(child, metadata)) return false;
      }
      return true;
    case Node::Kind::kOr:
      for (const Node& child : node.children) {
        if (Evaluate(child, metadata)) return true;
      }
      return false;
  }
  return false;
}

void CollectFields(const Node& node, std::vector<std::string>* fields) {
  if (node.kind != Node::Kind::kPredicate) {
    for (const Node& child : node.children) CollectFields(child, fields);
    return;
  }
  for (const std::string& field : *fields) {
    if (field == node.predicate.field) return;
  }
  fields->push_back(node.predicate.field);
}

}  // namespace

// ---- MetadataFilter ------------------------------------------------------------------------

MetadataFilter::MetadataFilter() : root_(std::make_shared<const Node>()) {}

MetadataFilter::MetadataFilter(std::shared_ptr<const Node> root) : root_(std::move(root)) {}

Result<MetadataFilter> MetadataFilter::Parse(std::string_view json_text) {
  QUIVER_ASSIGN_OR_RETURN(const ordered_json document, ParseJson(json_text));
  if (!document.is_object()) {
    return Invalid("expected a JSON object, found " + TypeName(document));
  }
  try {
    QUIVER_ASSIGN_OR_RETURN(Node root, CompileObject(document, /*depth=*/1));
    return MetadataFilter(std::make_shared<const Node>(std::move(root)));
  } catch (const json::exception& e) {  // Not expected: the tree is only read.
    return Invalid(std::string("cannot compile filter: ") + e.what());
  }
}

bool MetadataFilter::Matches(const json& metadata) const {
  return metadata.is_object() && Evaluate(*root_, metadata);
}

bool MetadataFilter::Matches(std::string_view metadata_json) const {
  static const json* const kEmpty = new json(json::object());
  if (metadata_json.empty()) return Matches(*kEmpty);
  const json metadata = json::parse(metadata_json, nullptr, /*allow_exceptions=*/false);
  return Matches(metadata);  // A parse failure yields a discarded value: not an object.
}

std::vector<std::string> MetadataFilter::Fields() const {
  std::vector<std::string> fields;
  CollectFields(*root_, &fields);
  return fields;
}

}  // namespace quiver::engine
