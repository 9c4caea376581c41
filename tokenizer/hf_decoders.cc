// The decoders of a tokenizer.json (tokens → text) and ParseDecoder.
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "tokenizer/hf_components.h"
#include "tokenizer/hf_parse.h"
#include "tokenizer/regex.h"
#include "util/utf8.h"

namespace quiver::hf {

using nlohmann::json;

namespace {

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> parts)
      : parts_(std::move(parts)) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (const auto& p : parts_) tokens = p->DecodeChain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> parts_;
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(std::unique_ptr<Regex> re, std::string content)
      : re_(std::move(re)), content_(std::move(content)) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (std::string& t : tokens) {
      std::string out;
      size_t prev = 0;
      // The regex only fails on engine limits, which tokens this short do not reach; the
      // token is then left as it is.
      Status s = re_->ForEachMatch(t, [&](size_t b, size_t e) {
        out.append(t, prev, b - prev);
        out += content_;
        prev = e;
      });
      if (!s.ok()) continue;
      out.append(t, prev, std::string::npos);
      t = std::move(out);
    }
    return tokens;
  }

 private:
  std::unique_ptr<Regex> re_;
  std::string content_;
};

// Parses "<0xXX>"; -1 otherwise.
int ParseByteToken(std::string_view t) {
  if (t.size() != 6 || t.substr(0, 3) != "<0x" || t[5] != '>') return -1;
  int v = 0;
  for (char c : t.substr(3, 2)) {
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= c - '0';
    } else if (c >= 'A' && c <= 'F') {
      v |= c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      v |= c - 'a' + 10;
    } else {
      return -1;
    }
  }
  return v;
}

// Runs of <0xXX> tokens become their bytes when those form valid UTF-8, else one U+FFFD per
// byte token.
class ByteFallbackDecoder : public Decoder {
 public:
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    std::vector<std::string> out;
    std::string bytes;
    size_t count = 0;
    const auto flush = [&] {
      if (count == 0) return;
      if (utf8::IsValid(bytes)) {
        out.push_back(bytes);
      } else {
        for (size_t k = 0; k < count; ++k) out.push_back("\xEF\xBF\xBD");
      }
      bytes.clear();
      count = 0;
    };
    for (std::string& t : tokens) {
      const int b = ParseByteToken(t);
      if (b >= 0) {
        bytes.push_back(static_cast<char>(b));
        ++count;
      } else {
        flush();
        out.push_back(std::move(t));
      }
    }
    flush();
    return out;
  }
};

class FuseDecoder : public Decoder {
 public:
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    std::string all;
    for (const std::string& t : tokens) all += t;
    return {all};
  }
};

// Removes up to `start` leading and `stop` trailing `content` characters from each token.
class StripDecoder : public Decoder {
 public:
  StripDecoder(char32_t content, size_t start, size_t stop)
      : content_(content), start_(start), stop_(stop) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (std::string& t : tokens) {
      std::vector<std::pair<size_t, char32_t>> chars;  // (byte position, char)
      for (size_t i = 0; i < t.size();) {
        const size_t len = utf8::CharLengthAt(t, i);
        chars.push_back({i, utf8::DecodeAt(t, i, len)});
        i += len;
      }
      size_t start_cut = 0;
      for (size_t i = 0; i < start_ && i < chars.size() && chars[i].second == content_; ++i) {
        start_cut = i + 1;
      }
      size_t stop_cut = chars.size();
      for (size_t i = 0; i < stop_ && i < chars.size(); ++i) {
        const size_t index = chars.size() - i - 1;
        if (chars[index].second != content_) break;
        stop_cut = index;
      }
      if (stop_cut < start_cut) stop_cut = start_cut;
      const size_t b = start_cut < chars.size() ? chars[start_cut].first : t.size();
      const size_t e = stop_cut < chars.size() ? chars[stop_cut].first : t.size();
      t = t.substr(b, e - b);
    }
    return tokens;
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

// Joins the tokens, maps each character back to its byte, then reads the bytes as UTF-8
// (ill-formed parts become U+FFFD).
class ByteLevelDecoder : public Decoder {
 public:
  ByteLevelDecoder() {
    for (int b = 0; b < 256; ++b) {
      const std::string& c = ByteToChar(static_cast<uint8_t>(b));
      char_to_byte_[utf8::DecodeAt(c, 0, c.size())] = static_cast<uint8_t>(b);
    }
  }
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    std::string bytes;
    for (const std::string& t : tokens) {
      for (size_t i = 0; i < t.size();) {
        const size_t len = utf8::CharLengthAt(t, i);
        auto it = char_to_byte_.find(utf8::DecodeAt(t, i, len));
        if (it != char_to_byte_.end()) {
          bytes.push_back(static_cast<char>(it->second));
        } else {
          bytes.append(t, i, len);
        }
        i += len;
      }
    }
    return {utf8::DecodeLossy(bytes)};
  }

 private:
  std::unordered_map<char32_t, uint8_t> char_to_byte_;
};

// ▁ becomes a space, except that the first token loses its ▁ when a prefix was prepended.
class MetaspaceDecoder : public Decoder {
 public:
  MetaspaceDecoder(char32_t replacement, bool strip_first)
      : replacement_(replacement), strip_first_(strip_first) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (size_t k = 0; k < tokens.size(); ++k) {
      std::string out;
      const std::string& t = tokens[k];
      for (size_t i = 0; i < t.size();) {
        const size_t len = utf8::CharLengthAt(t, i);
        if (utf8::DecodeAt(t, i, len) == replacement_) {
          if (!(k == 0 && strip_first_)) out.push_back(' ');
        } else {
          out.append(t, i, len);
        }
        i += len;
      }
      tokens[k] = std::move(out);
    }
    return tokens;
  }

 private:
  char32_t replacement_;
  bool strip_first_;
};

// Replaces every occurrence of `from` in `s` with `to`.
void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// WordPiece: drops the continuing-subword prefix, puts a space before every other token but the
// first and, with `cleanup`, joins English punctuation and contractions back
// (tokenizers' decoders::wordpiece::cleanup).
class WordPieceDecoder : public Decoder {
 public:
  WordPieceDecoder(std::string prefix, bool cleanup)
      : prefix_(std::move(prefix)), cleanup_(cleanup) {}
  std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const override {
    for (size_t k = 0; k < tokens.size(); ++k) {
      std::string& t = tokens[k];
      if (k != 0) {
        if (t.starts_with(prefix_)) {
          t.erase(0, prefix_.size());
        } else {
          t = " " + t;
        }
      }
      if (cleanup_) Cleanup(t);
    }
    return tokens;
  }

 private:
  static void Cleanup(std::string& t) {
    static constexpr std::pair<std::string_view, std::string_view> kRules[] = {
        {" .", "."},   {" ?", "?"},     {" !", "!"},    {" ,", ","},
        {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"},  {" do not", " don't"},
        {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
    for (const auto& [from, to] : kRules) ReplaceAll(t, from, to);
  }
  std::string prefix_;
  bool cleanup_;
};

Result<char32_t> SingleChar(const std::string& s, std::string_view what) {
  const size_t len = s.empty() ? 0 : utf8::ValidSequenceLength(s, 0);
  if (len == 0 || len != s.size()) {
    return Status::InvalidArgument(std::string(what) + " must be one character, found \"" + s +
                                   "\"");
  }
  return utf8::DecodeAt(s, 0, len);
}

Result<std::unique_ptr<Decoder>> ParseDecoderObject(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Decoder>> parts;
    for (const json& part : j.at("decoders")) {
      QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Decoder> d, ParseDecoder(part));
      if (d) parts.push_back(std::move(d));
    }
    return std::unique_ptr<Decoder>(new SequenceDecoder(std::move(parts)));
  }
  if (type == "Replace") {
    QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Regex> re,
                            ParsePattern(j.at("pattern"), "Replace decoder"));
    return std::unique_ptr<Decoder>(
        new ReplaceDecoder(std::move(re), j.at("content").get<std::string>()));
  }
  if (type == "ByteFallback") return std::unique_ptr<Decoder>(new ByteFallbackDecoder());
  if (type == "Fuse") return std::unique_ptr<Decoder>(new FuseDecoder());
  if (type == "Strip") {
    QUIVER_ASSIGN_OR_RETURN(
        const char32_t c, SingleChar(j.at("content").get<std::string>(), "Strip decoder content"));
    return std::unique_ptr<Decoder>(
        new StripDecoder(c, j.value("start", size_t{0}), j.value("stop", size_t{0})));
  }
  if (type == "ByteLevel") return std::unique_ptr<Decoder>(new ByteLevelDecoder());
  if (type == "WordPiece") {
    return std::unique_ptr<Decoder>(
        new WordPieceDecoder(j.value("prefix", std::string("##")), j.value("cleanup", true)));
  }
  if (type == "Metaspace") {
    QUIVER_ASSIGN_OR_RETURN(
        const char32_t c,
        SingleChar(j.value("replacement", std::string("\u2581")), "Metaspace replacement"));
    bool strip_first = true;
    if (j.contains("prepend_scheme") && j["prepend_scheme"].is_string()) {
      strip_first = j["prepend_scheme"].get<std::string>() != "never";
    } else if (j.contains("add_prefix_space")) {
      strip_first = j.value("add_prefix_space", true);
    }
    return std::unique_ptr<Decoder>(new MetaspaceDecoder(c, strip_first));
  }
  return Unsupported("decoder", j);
}

}  // namespace

Result<std::unique_ptr<Decoder>> ParseDecoder(const json& j) {
  return ParseGuarded<Decoder>(j, "decoder", ParseDecoderObject);
}

}  // namespace quiver::hf
