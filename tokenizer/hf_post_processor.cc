#include "tokenizer/hf_post_processor.h"

#include <nlohmann/json.hpp>
#include <string>

#include "tokenizer/hf_components.h"
#include "util/utf8.h"

namespace quiver::hf {

using nlohmann::json;

namespace {

Result<int32_t> CheckedId(const json& v, int32_t vocab_size, std::string_view where) {
  const auto id = v.get<int64_t>();
  if (id < 0 || id >= vocab_size) {
    return Status::InvalidArgument(std::string(where) + " id " + std::to_string(id) +
                                   " is outside the vocabulary");
  }
  return static_cast<int32_t>(id);
}

Status ParseTemplate(const json& p, int32_t vocab_size, PostProcessor& out) {
  const json& specials = p.value("special_tokens", json::object());
  bool seen_sequence = false;
  for (const json& item : p.at("single")) {
    if (item.contains("Sequence")) {
      if (item["Sequence"].value("id", std::string("A")) != "A") {
        return Status::InvalidArgument("TemplateProcessing single template refers to " +
                                       item.dump());
      }
      seen_sequence = true;
      continue;
    }
    const std::string name = item.at("SpecialToken").at("id").get<std::string>();
    if (!specials.contains(name)) {
      return Status::InvalidArgument("TemplateProcessing names unknown special token " + name);
    }
    for (const json& id : specials[name].at("ids")) {
      QUIVER_ASSIGN_OR_RETURN(int32_t v, CheckedId(id, vocab_size, "TemplateProcessing"));
      (seen_sequence ? out.after : out.before).push_back(v);
    }
  }
  return Status::OK();
}

// BertProcessing and RobertaProcessing: {"cls": [token, id], "sep": [token, id]} gives
// "cls $A sep".
Status ParseClsSep(const json& p, const std::string& type, int32_t vocab_size, PostProcessor& out) {
  QUIVER_ASSIGN_OR_RETURN(int32_t cls, CheckedId(p.at("cls").at(1), vocab_size, type + " cls"));
  QUIVER_ASSIGN_OR_RETURN(int32_t sep, CheckedId(p.at("sep").at(1), vocab_size, type + " sep"));
  out.before.push_back(cls);
  out.after.push_back(sep);
  if (type == "RobertaProcessing") {
    out.trim_offsets = p.value("trim_offsets", true);
    out.add_prefix_space = p.value("add_prefix_space", true);
  }
  return Status::OK();
}

// Leading or trailing characters that trim_offsets removes: GPT-2's 'Ġ' (the space byte) and
// white space.
bool IsTrimmed(char32_t c) { return c == 0x120 || IsWhitespace(c); }

}  // namespace

Status ParsePostProcessor(const json& p, int32_t vocab_size, PostProcessor& out) {
  if (p.is_null()) return Status::OK();
  const std::string type = p.value("type", std::string());
  if (type == "ByteLevel") return Status::OK();  // only adjusts offsets; ids are unchanged
  if (type == "Sequence") {
    for (const json& part : p.at("processors")) {
      QUIVER_RETURN_IF_ERROR(ParsePostProcessor(part, vocab_size, out));
    }
    return Status::OK();
  }
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    return ParseClsSep(p, type, vocab_size, out);
  }
  if (type == "TemplateProcessing") return ParseTemplate(p, vocab_size, out);
  return Status::NotSupported("post-processor '" + type + "' is not supported");
}

// tokenizers' byte_level::process_offsets, on byte offsets: the counts of trimmed characters
// move the ends (a character counted as one byte, as tokenizers counts it).
void PostProcessor::TrimOffsets(const std::vector<std::string_view>& tokens,
                                std::vector<TokenOffset>& offsets) const {
  if (!trim_offsets) return;
  std::vector<char32_t> cps;
  for (size_t i = 0; i < tokens.size() && i < offsets.size(); ++i) {
    cps.clear();
    const std::string_view t = tokens[i];
    for (size_t k = 0; k < t.size();) {
      const size_t len = utf8::CharLengthAt(t, k);
      cps.push_back(utf8::ValidSequenceLength(t, k) ? utf8::DecodeAt(t, k, len) : 0xFFFD);
      k += len;
    }
    size_t lead = 0, trail = 0;
    while (lead < cps.size() && IsTrimmed(cps[lead])) ++lead;
    while (trail < cps.size() && IsTrimmed(cps[cps.size() - 1 - trail])) ++trail;
    TokenOffset& o = offsets[i];
    if (lead > 0) {
      const bool is_first = i == 0 || o.begin == 0;
      if (is_first && add_prefix_space && lead == 1) lead = 0;
      o.begin = std::min<uint32_t>(o.begin + static_cast<uint32_t>(lead), o.end);
    }
    if (trail > 0 && o.end >= trail) {
      o.end = std::max<uint32_t>(o.end - static_cast<uint32_t>(trail), o.begin);
    }
  }
}

Result<Truncation> ParseTruncation(const json& j) {
  Truncation t;
  if (j.is_null()) return t;
  if (!j.is_object()) return Status::InvalidArgument("\"truncation\" must be an object or null");
  const auto max_length = j.at("max_length").get<int64_t>();
  if (max_length < 0 || max_length > 0x7FFFFFFF) {
    return Status::InvalidArgument("truncation max_length " + std::to_string(max_length) +
                                   " is out of range");
  }
  t.max_length = static_cast<int>(max_length);
  const std::string direction = j.value("direction", std::string("Right"));
  if (direction != "Right" && direction != "Left") {
    return Status::InvalidArgument("truncation direction '" + direction +
                                   "' is neither Right nor Left");
  }
  t.left = direction == "Left";
  const std::string strategy = j.value("strategy", std::string("LongestFirst"));
  if (strategy == "OnlySecond") {
    return Status::NotSupported("truncation strategy OnlySecond needs a pair of sequences");
  }
  if (strategy != "LongestFirst" && strategy != "OnlyFirst") {
    return Status::InvalidArgument("truncation strategy '" + strategy + "' is unknown");
  }
  return t;
}

void Truncate(size_t max_tokens, bool left, std::vector<int32_t>& ids,
              std::vector<TokenOffset>* offsets) {
  if (ids.size() <= max_tokens) return;
  const size_t drop = ids.size() - max_tokens;
  if (left) {
    ids.erase(ids.begin(), ids.begin() + static_cast<ptrdiff_t>(drop));
    if (offsets) offsets->erase(offsets->begin(), offsets->begin() + static_cast<ptrdiff_t>(drop));
  } else {
    ids.resize(max_tokens);
    if (offsets) offsets->resize(max_tokens);
  }
}

}  // namespace quiver::hf
