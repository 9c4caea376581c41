// The pipeline stages of a Hugging Face tokenizer.json, each parsed from its JSON object:
// normalizers (text → text with an alignment to the original), pre-tokenizers (text → pieces
// for the model) and decoders (tokens → text). Internal to tokenizer/. Each kind of stage is
// in its own file (hf_normalizers.cc, hf_pre_tokenizers.cc, hf_decoders.cc); what they share is
// in hf_components.cc and hf_parse.h.
#ifndef QUIVER_TOKENIZER_HF_COMPONENTS_H_
#define QUIVER_TOKENIZER_HF_COMPONENTS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "util/utf8.h"

namespace quiver::hf {

// Text being normalized. When `track` is set, byte i of `text` came from original bytes
// [ob[i], oe[i]); otherwise ob/oe are empty and only the text matters.
struct NormText {
  std::string text;
  std::vector<uint32_t> ob, oe;
  bool track = false;
};

// Builds a new NormText from an old one, keeping the alignment.
class NormBuilder {
 public:
  explicit NormBuilder(const NormText& src) : src_(src) { out_.track = src.track; }
  // Copies src bytes [b, e) unchanged.
  void Copy(size_t b, size_t e);
  // Appends new bytes that replace src bytes [b, e) (b < e: the new bytes are attributed to
  // that range).
  void Insert(std::string_view bytes, size_t b, size_t e);
  NormText Finish() { return std::move(out_); }
  std::string& text() { return out_.text; }

 private:
  const NormText& src_;
  NormText out_;
};

// A piece of normalized text handed from pre-tokenizer to pre-tokenizer and to the model. Its
// text and alignment either view a parent (which outlives it) or are owned. Not movable: the
// views may point into the owned members.
struct Piece {
  Piece() = default;
  Piece(const Piece&) = delete;
  Piece& operator=(const Piece&) = delete;

  std::string_view text;
  const uint32_t* ob = nullptr;  // per byte original range; null when offsets are not tracked
  const uint32_t* oe = nullptr;
  bool at_text_start = false;  // begins at the very start of the caller's text
  std::string owned_text;
  std::vector<uint32_t> owned_ob, owned_oe;
};

// Receives each final piece; returning a non-OK Status stops the pipeline.
using PieceSink = std::function<Status(const Piece&)>;

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual Status Apply(NormText& text) const = 0;
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Splits/transforms `piece` and passes the results to `sink`, in order.
  virtual Status Apply(const Piece& piece, const PieceSink& sink) const = 0;
};

class Decoder {
 public:
  virtual ~Decoder() = default;
  virtual std::vector<std::string> DecodeChain(std::vector<std::string> tokens) const = 0;
};

// Each Parse function accepts the JSON value of its section (which may be null, giving a null
// pointer) and refuses unknown types with NotSupported naming them.
Result<std::unique_ptr<Normalizer>> ParseNormalizer(const nlohmann::json& j);
Result<std::unique_ptr<PreTokenizer>> ParsePreTokenizer(const nlohmann::json& j);
Result<std::unique_ptr<Decoder>> ParseDecoder(const nlohmann::json& j);

// The Unicode normalization forms of the NFC/NFD/NFKC/NFKD normalizers. Their output text always
// equals utf8::Normalize of the whole text.
using UnicodeForm = utf8::NormalizationForm;

// The GPT-2 byte ↔ character table used by the ByteLevel pre-tokenizer and decoder.
const std::string& ByteToChar(uint8_t b);

// True for characters Rust's char::is_whitespace accepts (Unicode White_Space).
bool IsWhitespace(char32_t c);

}  // namespace quiver::hf

#endif  // QUIVER_TOKENIZER_HF_COMPONENTS_H_
