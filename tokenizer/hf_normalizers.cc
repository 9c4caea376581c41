// The normalizers of a tokenizer.json (text → text, keeping the alignment to the original)
// and ParseNormalizer.
#include <locale.h>
#include <wctype.h>

#include <nlohmann/json.hpp>

#include "tokenizer/hf_components.h"
#include "tokenizer/hf_parse.h"
#include "tokenizer/regex.h"
#include "util/utf8.h"

namespace quiver::hf {

using nlohmann::json;

namespace {

class SequenceNormalizer : public Normalizer {
 public:
  explicit SequenceNormalizer(std::vector<std::unique_ptr<Normalizer>> parts)
      : parts_(std::move(parts)) {}
  Status Apply(NormText& t) const override {
    for (const auto& p : parts_) QUIVER_RETURN_IF_ERROR(p->Apply(t));
    return Status::OK();
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> parts_;
};

// Prepends a string to non-empty text; the new bytes belong to the first character.
class PrependNormalizer : public Normalizer {
 public:
  explicit PrependNormalizer(std::string prepend) : prepend_(std::move(prepend)) {}
  Status Apply(NormText& t) const override {
    if (t.text.empty()) return Status::OK();
    NormBuilder nb(t);
    nb.Insert(prepend_, 0, utf8::CharLengthAt(t.text, 0));
    nb.Copy(0, t.text.size());
    t = nb.Finish();
    return Status::OK();
  }

 private:
  std::string prepend_;
};

// Replaces every match of a pattern with `content`.
class ReplaceNormalizer : public Normalizer {
 public:
  ReplaceNormalizer(std::unique_ptr<Regex> re, std::string literal, std::string content)
      : re_(std::move(re)), literal_(std::move(literal)), content_(std::move(content)) {}
  Status Apply(NormText& t) const override {
    NormBuilder nb(t);
    size_t prev = 0;
    const auto replace = [&](size_t b, size_t e) {
      nb.Copy(prev, b);
      if (content_.empty()) {
        // Deleted text leaves no bytes behind.
      } else if (b < e) {
        // As in tokenizers' NormalizedString::replace, the replacement takes the alignment of
        // the last character of the match.
        size_t last = e - 1;
        while (last > b && utf8::IsContinuationByte(t.text[last])) --last;
        nb.Insert(content_, last, e);
      } else {
        nb.Insert(content_, b, e);
      }
      prev = e;
    };
    if (!literal_.empty()) {
      // Plain string patterns skip the regex engine.
      for (size_t pos = t.text.find(literal_); pos != std::string::npos;
           pos = t.text.find(literal_, pos + literal_.size())) {
        replace(pos, pos + literal_.size());
      }
    } else {
      QUIVER_RETURN_IF_ERROR(re_->ForEachMatch(t.text, replace));
    }
    nb.Copy(prev, t.text.size());
    t = nb.Finish();
    return Status::OK();
  }

 private:
  std::unique_ptr<Regex> re_;
  std::string literal_;
  std::string content_;
};

locale_t Utf8Locale() {
  static locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return loc;
}

// Unicode simple lower-casing (towlower in the C.UTF-8 locale).
class LowercaseNormalizer : public Normalizer {
 public:
  Status Apply(NormText& t) const override {
    NormBuilder nb(t);
    std::string ch;
    for (size_t i = 0; i < t.text.size();) {
      const size_t len = utf8::CharLengthAt(t.text, i);
      const char32_t c = utf8::DecodeAt(t.text, i, len);
      const char32_t lc =
          c < 0x80 ? (c >= 'A' && c <= 'Z' ? c + 32 : c)
                   : (Utf8Locale()
                          ? static_cast<char32_t>(towlower_l(static_cast<wint_t>(c), Utf8Locale()))
                          : c);
      if (lc == c) {
        nb.Copy(i, i + len);
      } else {
        ch.clear();
        utf8::Append(ch, lc);
        nb.Insert(ch, i, i + len);
      }
      i += len;
    }
    t = nb.Finish();
    return Status::OK();
  }
};

// Removes leading and/or trailing white space.
class StripNormalizer : public Normalizer {
 public:
  StripNormalizer(bool left, bool right) : left_(left), right_(right) {}
  Status Apply(NormText& t) const override {
    size_t b = 0, e = t.text.size();
    if (left_) {
      while (b < e) {
        const size_t len = utf8::CharLengthAt(t.text, b);
        if (!IsWhitespace(utf8::DecodeAt(t.text, b, len))) break;
        b += len;
      }
    }
    if (right_) {
      while (e > b) {
        size_t s = e - 1;
        while (s > b && utf8::IsContinuationByte(t.text[s])) --s;
        if (!IsWhitespace(utf8::DecodeAt(t.text, s, utf8::CharLengthAt(t.text, s)))) break;
        e = s;
      }
    }
    NormBuilder nb(t);
    nb.Copy(b, e);
    t = nb.Finish();
    return Status::OK();
  }

 private:
  bool left_, right_;
};

// NFC, NFD, NFKC or NFKD of the whole text, normalized group by group (utf8::NormalizeByGroups)
// to keep the alignment: a group whose bytes change is attributed as a whole to the bytes it
// came from. Bytes that are not well-formed UTF-8 become U+FFFD.
class UnicodeNormalizer : public Normalizer {
 public:
  explicit UnicodeNormalizer(UnicodeForm form) : form_(form) {}
  Status Apply(NormText& t) const override {
    NormBuilder nb(t);
    const std::string_view src = t.text;
    utf8::NormalizeByGroups(src, form_, [&](size_t b, size_t e, std::string_view normalized) {
      if (src.substr(b, e - b) == normalized) {
        nb.Copy(b, e);
      } else {
        nb.Insert(normalized, b, e);
      }
    });
    t = nb.Finish();
    return Status::OK();
  }

 private:
  UnicodeForm form_;
};

// Rewrites `t` character by character: `emit(nb, c, b, e)` copies, replaces or drops the source
// bytes [b, e) that hold character c.
template <typename F>
void RewriteChars(NormText& t, F emit) {
  NormBuilder nb(t);
  for (size_t i = 0; i < t.text.size();) {
    const size_t len = utf8::CharLengthAt(t.text, i);
    emit(nb, utf8::DecodeAt(t.text, i, len), i, i + len);
    i += len;
  }
  t = nb.Finish();
}

// The CJK ideograph ranges of tokenizers' bert normalizer (is_chinese_char).
bool IsChineseChar(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool IsTabOrNewline(char32_t c) { return c == '\t' || c == '\n' || c == '\r'; }

// BertNormalizer: clean_text, handle_chinese_chars, strip_accents (null: as lowercase) and
// lowercase, in that order.
class BertNormalizer : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool chinese_chars, bool strip_accents, bool lowercase)
      : clean_text_(clean_text),
        chinese_chars_(chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase) {}
  Status Apply(NormText& t) const override {
    if (clean_text_) CleanText(t);
    if (chinese_chars_) SpaceChineseChars(t);
    if (strip_accents_) QUIVER_RETURN_IF_ERROR(StripAccents(t));
    if (lowercase_) QUIVER_RETURN_IF_ERROR(lower_.Apply(t));
    return Status::OK();
  }

 private:
  // Drops U+0000, U+FFFD and control/format characters (but tab, CR, LF); white space → ' '.
  static void CleanText(NormText& t) {
    RewriteChars(t, [](NormBuilder& nb, char32_t c, size_t b, size_t e) {
      if (c == 0 || c == utf8::kReplacement ||
          (!IsTabOrNewline(c) && utf8::IsOtherNotUnassigned(c))) {
        return;
      }
      if (c != ' ' && (IsTabOrNewline(c) || IsWhitespace(c))) {
        nb.Insert(" ", b, e);
      } else {
        nb.Copy(b, e);
      }
    });
  }
  static void SpaceChineseChars(NormText& t) {
    RewriteChars(t, [](NormBuilder& nb, char32_t c, size_t b, size_t e) {
      if (!IsChineseChar(c)) return nb.Copy(b, e);
      nb.Insert(" ", b, e);
      nb.Copy(b, e);
      nb.Insert(" ", b, e);
    });
  }
  // NFD, then nonspacing marks (Mn) removed.
  Status StripAccents(NormText& t) const {
    QUIVER_RETURN_IF_ERROR(nfd_.Apply(t));
    RewriteChars(t, [](NormBuilder& nb, char32_t c, size_t b, size_t e) {
      if (!utf8::IsNonspacingMark(c)) nb.Copy(b, e);
    });
    return Status::OK();
  }

  bool clean_text_, chinese_chars_, strip_accents_, lowercase_;
  UnicodeNormalizer nfd_{UnicodeForm::kNFD};
  LowercaseNormalizer lower_;
};

std::unique_ptr<Normalizer> ParseBertNormalizer(const json& j) {
  const bool lowercase = j.value("lowercase", true);
  const json& strip = j.contains("strip_accents") ? j["strip_accents"] : json();
  const bool strip_accents = strip.is_null() ? lowercase : strip.get<bool>();
  return std::make_unique<BertNormalizer>(
      j.value("clean_text", true), j.value("handle_chinese_chars", true), strip_accents, lowercase);
}

Result<std::unique_ptr<Normalizer>> ParseNormalizerObject(const json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Normalizer>> parts;
    for (const json& part : j.at("normalizers")) {
      QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Normalizer> n, ParseNormalizer(part));
      if (n) parts.push_back(std::move(n));
    }
    return std::unique_ptr<Normalizer>(new SequenceNormalizer(std::move(parts)));
  }
  if (type == "Prepend") {
    return std::unique_ptr<Normalizer>(new PrependNormalizer(j.at("prepend").get<std::string>()));
  }
  if (type == "Replace") {
    const json& p = j.at("pattern");
    std::string content = j.at("content").get<std::string>();
    if (p.is_object() && p.contains("String") && p["String"].is_string() &&
        !p["String"].get<std::string>().empty()) {
      return std::unique_ptr<Normalizer>(
          new ReplaceNormalizer(nullptr, p["String"].get<std::string>(), std::move(content)));
    }
    QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Regex> re, ParsePattern(p, "Replace normalizer"));
    return std::unique_ptr<Normalizer>(
        new ReplaceNormalizer(std::move(re), "", std::move(content)));
  }
  if (type == "NFC") return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFC));
  if (type == "NFD") return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFD));
  if (type == "NFKC") {
    return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFKC));
  }
  if (type == "NFKD") {
    return std::unique_ptr<Normalizer>(new UnicodeNormalizer(UnicodeForm::kNFKD));
  }
  if (type == "BertNormalizer") return ParseBertNormalizer(j);
  if (type == "Precompiled") return ParsePrecompiled(j);
  if (type == "Lowercase") return std::unique_ptr<Normalizer>(new LowercaseNormalizer());
  if (type == "Strip") {
    return std::unique_ptr<Normalizer>(
        new StripNormalizer(j.value("strip_left", true), j.value("strip_right", true)));
  }
  return Unsupported("normalizer", j);
}

}  // namespace

Result<std::unique_ptr<Normalizer>> ParseNormalizer(const json& j) {
  return ParseGuarded<Normalizer>(j, "normalizer", ParseNormalizerObject);
}

}  // namespace quiver::hf
