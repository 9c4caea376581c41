// Helpers shared by the parsers of the tokenizer.json pipeline stages (hf_normalizers.cc,
// hf_pre_tokenizers.cc, hf_decoders.cc). Internal to tokenizer/.
#ifndef QUIVER_TOKENIZER_HF_PARSE_H_
#define QUIVER_TOKENIZER_HF_PARSE_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "quiver/status.h"
#include "tokenizer/regex.h"

namespace quiver::hf {

// NotSupported "<section> '<type>' is not supported", naming the object's "type" (or, without
// one, the first 60 bytes of its JSON).
Status Unsupported(std::string_view section, const nlohmann::json& j);

// Compiles a {"String": s} (literal) or {"Regex": r} pattern object. A regex error is prefixed
// with `where`; any other value is InvalidArgument naming `where`.
Result<std::unique_ptr<Regex>> ParsePattern(const nlohmann::json& p, std::string_view where);

// Runs `parse` (json → Result<std::unique_ptr<T>>) on the section `j`: null gives a null
// pointer; anything but an object with a string "type" is InvalidArgument; a JSON exception
// thrown by `parse` (a missing or mistyped field) becomes InvalidArgument "<section> '<type>'
// is malformed: ...".
// The Precompiled normalizer (sentencepiece's compiled rules), in hf_precompiled.cc.
class Normalizer;
Result<std::unique_ptr<Normalizer>> ParsePrecompiled(const nlohmann::json& j);

template <typename T, typename F>
Result<std::unique_ptr<T>> ParseGuarded(const nlohmann::json& j, std::string_view section,
                                        F parse) {
  if (j.is_null()) return std::unique_ptr<T>();
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
    return Status::InvalidArgument(std::string(section) + " must be an object with a \"type\"");
  }
  try {
    return parse(j);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string(section) + " '" + j["type"].get<std::string>() +
                                   "' is malformed: " + e.what());
  }
}

}  // namespace quiver::hf

#endif  // QUIVER_TOKENIZER_HF_PARSE_H_
