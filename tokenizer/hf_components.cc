// What the tokenizer.json stages share: the alignment builder, white space, the GPT-2 byte
// table and the parse helpers of hf_parse.h. The stages themselves are in hf_normalizers.cc,
// hf_pre_tokenizers.cc and hf_decoders.cc.
#include "tokenizer/hf_components.h"

#include <array>
#include <nlohmann/json.hpp>

#include "tokenizer/hf_parse.h"
#include "tokenizer/regex.h"
#include "util/utf8.h"

namespace quiver::hf {

using nlohmann::json;

void NormBuilder::Copy(size_t b, size_t e) {
  out_.text.append(src_.text, b, e - b);
  if (!out_.track) return;
  out_.ob.insert(out_.ob.end(), src_.ob.begin() + b, src_.ob.begin() + e);
  out_.oe.insert(out_.oe.end(), src_.oe.begin() + b, src_.oe.begin() + e);
}

void NormBuilder::Insert(std::string_view bytes, size_t b, size_t e) {
  out_.text.append(bytes);
  if (!out_.track) return;
  const uint32_t ob = src_.ob[b], oe = src_.oe[e - 1];
  out_.ob.insert(out_.ob.end(), bytes.size(), ob);
  out_.oe.insert(out_.oe.end(), bytes.size(), oe);
}

bool IsWhitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

const std::string& ByteToChar(uint8_t b) {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    int extra = 0;
    for (int i = 0; i < 256; ++i) {
      const bool printable = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || i >= 174;
      utf8::Append(t[i],
                   printable ? static_cast<char32_t>(i) : static_cast<char32_t>(256 + extra++));
    }
    return t;
  }();
  return table[b];
}

Status Unsupported(std::string_view section, const json& j) {
  std::string type = j.is_object() && j.contains("type") && j["type"].is_string()
                         ? j["type"].get<std::string>()
                         : j.dump().substr(0, 60);
  return Status::NotSupported(std::string(section) + " '" + type + "' is not supported");
}

// Compiles a {"String": s} or {"Regex": r} pattern object.
Result<std::unique_ptr<Regex>> ParsePattern(const json& p, std::string_view where) {
  if (p.is_object() && p.contains("String") && p["String"].is_string()) {
    return Regex::Literal(p["String"].get<std::string>());
  }
  if (p.is_object() && p.contains("Regex") && p["Regex"].is_string()) {
    auto re = Regex::Compile(p["Regex"].get<std::string>());
    if (!re.ok()) return re.status().WithContext(where);
    return re;
  }
  return Status::InvalidArgument(std::string(where) + ": pattern must be {\"String\": ...} or " +
                                 "{\"Regex\": ...}, found " + p.dump().substr(0, 80));
}

}  // namespace quiver::hf
