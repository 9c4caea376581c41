// Hugging Face tokenizer.json (BPE, WordPiece or Unigram model): added tokens → normalizer →
// pre-tokenizer → model → truncation → post-processor, and ids → decoder, as tokenizers (the
// Rust library) does it.
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tokenizer/blob.h"
#include "tokenizer/bpe.h"
#include "tokenizer/hf_components.h"
#include "tokenizer/hf_post_processor.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unigram.h"
#include "tokenizer/wordpiece.h"
#include "util/utf8.h"

namespace quiver {

namespace {

using nlohmann::json;

struct AddedToken {
  std::string content;
  int32_t id = 0;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = false;
};

// A match of an added token: bytes [begin, end) of the searched text.
struct AddedMatch {
  size_t begin, end;
  int32_t id;
};

bool IsWordByte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) || c == '_';
}

// Finds added tokens in text: at the leftmost position where any matches, the longest one
// (aho-corasick's leftmost-longest, as tokenizers uses).
class AddedTokenMatcher {
 public:
  void Add(const AddedToken& t) {
    if (t.content.empty()) return;
    const auto first = static_cast<unsigned char>(t.content[0]);
    auto& list = by_first_byte_[first];
    starts_[first] = true;
    list.push_back(t);
    std::stable_sort(list.begin(), list.end(), [](const AddedToken& a, const AddedToken& b) {
      return a.content.size() > b.content.size();
    });
  }
  bool empty() const { return by_first_byte_.empty(); }

  std::vector<AddedMatch> Find(std::string_view text) const {
    std::vector<AddedMatch> out;
    if (empty()) return out;
    size_t i = 0;
    while (i < text.size()) {
      if (!starts_[static_cast<unsigned char>(text[i])]) {
        ++i;
        continue;
      }
      auto it = by_first_byte_.find(static_cast<unsigned char>(text[i]));
      const AddedToken* hit = nullptr;
      if (it != by_first_byte_.end()) {
        for (const AddedToken& t : it->second) {
          if (text.compare(i, t.content.size(), t.content) == 0 && WordOk(t, text, i)) {
            hit = &t;
            break;
          }
        }
      }
      if (hit == nullptr) {
        ++i;
        continue;
      }
      size_t b = i, e = i + hit->content.size();
      const size_t floor = out.empty() ? 0 : out.back().end;
      if (hit->lstrip) {
        while (b > floor && std::isspace(static_cast<unsigned char>(text[b - 1]))) --b;
      }
      if (hit->rstrip) {
        while (e < text.size() && std::isspace(static_cast<unsigned char>(text[e]))) ++e;
      }
      out.push_back({b, e, hit->id});
      i = e;
    }
    return out;
  }

 private:
  static bool WordOk(const AddedToken& t, std::string_view text, size_t i) {
    if (!t.single_word) return true;
    const size_t e = i + t.content.size();
    const bool start_ok = i == 0 || !IsWordByte(text[i - 1]);
    const bool stop_ok = e == text.size() || !IsWordByte(text[e]);
    return start_ok && stop_ok;
  }
  std::unordered_map<unsigned char, std::vector<AddedToken>> by_first_byte_;
  std::array<bool, 256> starts_{};  // bytes some added token starts with
};

struct EncodeSink {
  std::vector<int32_t>* ids;
  std::vector<TokenOffset>* offsets;  // null when not tracked
  void Push(int32_t id, uint32_t b, uint32_t e) {
    ids->push_back(id);
    if (offsets) offsets->push_back({b, e});
  }
};

class HfTokenizer : public Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> Load(std::string_view json_text);

  TokenizerKind kind() const override { return TokenizerKind::kHuggingFaceBpe; }
  std::string_view kind_name() const override {
    return bpe_ ? "huggingface-bpe" : wordpiece_ ? "huggingface-wordpiece" : "huggingface-unigram";
  }
  Result<Encoding> Encode(std::string_view text, const EncodeOptions& options) const override;
  Result<std::vector<int32_t>> EncodeIds(std::string_view text,
                                         const EncodeOptions& options) const override;
  Result<std::string> Decode(std::span<const int32_t> ids, bool skip_special) const override;
  int32_t vocab_size() const override { return static_cast<int32_t>(id_to_piece_.size()); }
  Result<std::string> IdToPiece(int32_t id) const override {
    if (id < 0 || id >= vocab_size())
      return Status::NotFound("no token with id " + std::to_string(id));
    return id_to_piece_[id];
  }
  std::optional<int32_t> PieceToId(std::string_view piece) const override {
    auto it = added_by_content_.find(piece);
    if (it != added_by_content_.end()) return it->second;
    const StringIdMap& vocab =
        bpe_ ? bpe_->vocab() : (wordpiece_ ? wordpiece_->vocab() : unigram_->vocab());
    auto v = vocab.find(piece);
    if (v == vocab.end()) return std::nullopt;
    return v->second;
  }
  bool IsSpecial(int32_t id) const override { return id >= 0 && id < vocab_size() && special_[id]; }
  SpecialTokenIds special_tokens() const override { return special_ids_; }
  bool adds_bos() const override { return !post_.before.empty(); }
  int max_length() const override { return truncation_.max_length; }
  Result<std::string> Serialize() const override {
    return blob::Encode(TokenizerKind::kHuggingFaceBpe, json_text_);
  }

 private:
  Status Parse(const json& j);
  Status ParseAddedTokens(const json& j);
  Status ParseModel(const json& j);
  Status ParseBpeModel(const json& j);
  Status ParseWordPieceModel(const json& j);
  Status ParseUnigramModel(const json& j);
  Result<StringIdMap> ParseVocab(const json& m, std::string_view model);
  void ModelTokenize(std::string_view word, std::vector<BpeToken>& out) const {
    if (bpe_) return bpe_->Tokenize(word, out);
    if (wordpiece_) return wordpiece_->Tokenize(word, out);
    unigram_->Tokenize(word, out);
  }
  void ChooseSpecialIds(const json& model);
  Status EncodeInto(std::string_view text, const EncodeOptions& options, EncodeSink& sink) const;
  void PostProcess(const EncodeOptions& options, std::string_view text, EncodeSink& sink) const;
  Status EncodeSegment(std::string_view text, size_t base, EncodeSink& sink) const;
  Status EncodeNormalizedPart(const hf::NormText& nt, size_t b, size_t e, bool at_start,
                              EncodeSink& sink) const;

  std::string json_text_;
  std::optional<BpeModel> bpe_;  // exactly one of the three models is set
  std::optional<WordPieceModel> wordpiece_;
  std::optional<UnigramModel> unigram_;
  std::unique_ptr<hf::Normalizer> normalizer_;
  std::unique_ptr<hf::PreTokenizer> pre_tokenizer_;
  std::unique_ptr<hf::Decoder> decoder_;
  AddedTokenMatcher raw_matcher_;         // added tokens with normalized = false
  AddedTokenMatcher normalized_matcher_;  // added tokens with normalized = true
  StringIdMap added_by_content_;
  std::vector<std::string> id_to_piece_;
  std::vector<bool> special_;
  std::vector<bool> added_;  // ids of added tokens
  hf::PostProcessor post_;
  hf::Truncation truncation_;
  SpecialTokenIds special_ids_;
};

Status HfTokenizer::Parse(const json& j) {
  if (!j.is_object()) return Status::InvalidArgument("tokenizer.json must be a JSON object");
  // "padding" is a batching concern and is ignored (see tokenizer.h).
  QUIVER_ASSIGN_OR_RETURN(truncation_, hf::ParseTruncation(j.value("truncation", json())));
  if (!j.contains("model")) return Status::InvalidArgument("tokenizer.json has no \"model\"");
  QUIVER_RETURN_IF_ERROR(ParseModel(j["model"]));
  QUIVER_RETURN_IF_ERROR(ParseAddedTokens(j.value("added_tokens", json::array())));
  QUIVER_ASSIGN_OR_RETURN(normalizer_, hf::ParseNormalizer(j.value("normalizer", json())));
  QUIVER_ASSIGN_OR_RETURN(pre_tokenizer_, hf::ParsePreTokenizer(j.value("pre_tokenizer", json())));
  QUIVER_ASSIGN_OR_RETURN(decoder_, hf::ParseDecoder(j.value("decoder", json())));
  QUIVER_RETURN_IF_ERROR(
      hf::ParsePostProcessor(j.value("post_processor", json()), vocab_size(), post_));
  ChooseSpecialIds(j["model"]);
  return Status::OK();
}

Status HfTokenizer::ParseModel(const json& m) {
  if (!m.is_object()) return Status::InvalidArgument("\"model\" must be an object");
  const std::string type = m.value("type", std::string("BPE"));
  if (type == "BPE") return ParseBpeModel(m);
  if (type == "WordPiece") return ParseWordPieceModel(m);
  if (type == "Unigram") return ParseUnigramModel(m);
  return Status::NotSupported("model '" + type +
                              "' is not supported (only BPE, WordPiece and Unigram)");
}

// The "vocab" object of a model; also sizes id_to_piece_ and fills it.
Result<StringIdMap> HfTokenizer::ParseVocab(const json& m, std::string_view model) {
  if (!m.contains("vocab") || !m["vocab"].is_object()) {
    return Status::InvalidArgument(std::string(model) + " model has no \"vocab\" object");
  }
  StringIdMap vocab;
  int32_t max_id = -1;
  for (const auto& [piece, id] : m["vocab"].items()) {
    const auto v = id.get<int64_t>();
    if (v < 0 || v > 0x7FFFFFFF) {
      return Status::InvalidArgument(std::string(model) + " vocab id out of range");
    }
    vocab.emplace(piece, static_cast<int32_t>(v));
    max_id = std::max(max_id, static_cast<int32_t>(v));
  }
  id_to_piece_.assign(static_cast<size_t>(max_id + 1), std::string());
  for (const auto& [piece, id] : vocab) id_to_piece_[id] = piece;
  return vocab;
}

Status HfTokenizer::ParseWordPieceModel(const json& m) {
  WordPieceConfig config;
  QUIVER_ASSIGN_OR_RETURN(config.vocab, ParseVocab(m, "WordPiece"));
  config.unk_token = m.value("unk_token", std::string("[UNK]"));
  config.continuing_subword_prefix = m.value("continuing_subword_prefix", std::string("##"));
  config.max_input_chars_per_word = m.value("max_input_chars_per_word", size_t{100});
  QUIVER_ASSIGN_OR_RETURN(WordPieceModel model, WordPieceModel::Create(std::move(config)));
  wordpiece_.emplace(std::move(model));
  return Status::OK();
}

// Unigram: {"unk_id": id or null, "vocab": [[piece, score], ...], "byte_fallback": bool}.
Status HfTokenizer::ParseUnigramModel(const json& m) {
  if (!m.contains("vocab") || !m["vocab"].is_array()) {
    return Status::InvalidArgument("Unigram model has no \"vocab\" array");
  }
  UnigramConfig config;
  config.vocab.reserve(m["vocab"].size());
  for (const json& entry : m["vocab"]) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number()) {
      return Status::InvalidArgument("Unigram vocab entry must be [piece, score], found " +
                                     entry.dump().substr(0, 60));
    }
    config.vocab.emplace_back(entry[0].get<std::string>(), entry[1].get<double>());
  }
  if (m.contains("unk_id") && !m["unk_id"].is_null()) {
    const auto unk = m["unk_id"].get<int64_t>();
    config.unk_id = unk < 0 || unk > 0x7FFFFFFF ? 0x7FFFFFFF : static_cast<int32_t>(unk);
  }
  config.byte_fallback = m.value("byte_fallback", false);
  QUIVER_ASSIGN_OR_RETURN(UnigramModel model, UnigramModel::Create(std::move(config)));
  id_to_piece_.clear();
  id_to_piece_.reserve(model.pieces().size());
  for (const auto& [piece, score] : model.pieces()) id_to_piece_.push_back(piece);
  unigram_.emplace(std::move(model));
  return Status::OK();
}

Status HfTokenizer::ParseBpeModel(const json& m) {
  if (m.contains("dropout") && !m["dropout"].is_null() && m["dropout"].get<double>() != 0.0) {
    return Status::NotSupported("BPE dropout is not supported (it makes encoding random)");
  }
  BpeConfig config;
  QUIVER_ASSIGN_OR_RETURN(config.vocab, ParseVocab(m, "BPE"));
  for (const json& merge : m.value("merges", json::array())) {
    if (merge.is_string()) {  // "a b"
      const std::string s = merge.get<std::string>();
      const size_t sp = s.find(' ', 1);
      if (sp == std::string::npos) {
        return Status::InvalidArgument("BPE merge \"" + s + "\" is not two tokens");
      }
      config.merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
    } else if (merge.is_array() && merge.size() == 2) {  // ["a", "b"]
      config.merges.emplace_back(merge[0].get<std::string>(), merge[1].get<std::string>());
    } else {
      return Status::InvalidArgument("BPE merge must be \"a b\" or [\"a\", \"b\"], found " +
                                     merge.dump().substr(0, 60));
    }
  }
  if (m.contains("unk_token") && m["unk_token"].is_string()) {
    config.unk_token = m["unk_token"].get<std::string>();
  }
  config.fuse_unk = m.value("fuse_unk", false);
  config.byte_fallback = m.value("byte_fallback", false);
  config.ignore_merges = m.value("ignore_merges", false);
  if (m.contains("continuing_subword_prefix") && m["continuing_subword_prefix"].is_string()) {
    config.continuing_subword_prefix = m["continuing_subword_prefix"].get<std::string>();
  }
  if (m.contains("end_of_word_suffix") && m["end_of_word_suffix"].is_string()) {
    config.end_of_word_suffix = m["end_of_word_suffix"].get<std::string>();
  }
  QUIVER_ASSIGN_OR_RETURN(BpeModel bpe, BpeModel::Create(std::move(config)));
  bpe_.emplace(std::move(bpe));
  return Status::OK();
}

Status HfTokenizer::ParseAddedTokens(const json& list) {
  if (!list.is_array()) return Status::InvalidArgument("\"added_tokens\" must be an array");
  std::vector<AddedToken> tokens;
  for (const json& t : list) {
    AddedToken a;
    a.content = t.at("content").get<std::string>();
    const auto id = t.at("id").get<int64_t>();
    if (id < 0 || id > 0x7FFFFFFF) return Status::InvalidArgument("added token id out of range");
    a.id = static_cast<int32_t>(id);
    a.special = t.value("special", false);
    a.single_word = t.value("single_word", false);
    a.lstrip = t.value("lstrip", false);
    a.rstrip = t.value("rstrip", false);
    a.normalized = t.value("normalized", !a.special);
    if (a.content.empty() || !utf8::IsValid(a.content)) {
      return Status::InvalidArgument("added token " + std::to_string(id) +
                                     " is empty or not UTF-8");
    }
    tokens.push_back(a);
  }
  for (const AddedToken& a : tokens) {
    if (static_cast<size_t>(a.id) >= id_to_piece_.size()) id_to_piece_.resize(a.id + 1);
  }
  special_.assign(id_to_piece_.size(), false);
  for (const AddedToken& a : tokens) {
    id_to_piece_[a.id] = a.content;
    special_[a.id] = a.special;
    if (added_.size() <= static_cast<size_t>(a.id)) added_.resize(a.id + 1, false);
    added_[a.id] = true;
    added_by_content_[a.content] = a.id;
    (a.normalized ? normalized_matcher_ : raw_matcher_).Add(a);
  }
  return Status::OK();
}

void HfTokenizer::ChooseSpecialIds(const json& model) {
  const auto find_first = [&](std::initializer_list<const char*> names) -> int32_t {
    for (const char* n : names) {
      if (auto id = PieceToId(n)) return *id;
    }
    return -1;
  };
  special_ids_.bos = !post_.before.empty()
                         ? post_.before.front()
                         : find_first({"<s>", "<|begin_of_text|>", "<bos>", "[CLS]"});
  special_ids_.eos =
      !post_.after.empty()
          ? post_.after.back()
          : find_first({"</s>", "<|end_of_text|>", "<eos>", "<|endoftext|>", "[SEP]"});
  special_ids_.unk = -1;
  if (model.contains("unk_token") && model["unk_token"].is_string()) {
    if (auto id = PieceToId(model["unk_token"].get<std::string>())) special_ids_.unk = *id;
  }
  if (unigram_) special_ids_.unk = unigram_->unk_id();
  special_ids_.pad = find_first({"<pad>", "[PAD]", "<|pad|>", "<|finetune_right_pad_id|>"});
}

Status HfTokenizer::EncodeNormalizedPart(const hf::NormText& nt, size_t b, size_t e, bool at_start,
                                         EncodeSink& sink) const {
  hf::Piece root;
  root.text = std::string_view(nt.text).substr(b, e - b);
  if (nt.track) {
    root.ob = nt.ob.data() + b;
    root.oe = nt.oe.data() + b;
  }
  root.at_text_start = at_start && b == 0;
  std::vector<BpeToken> tokens;
  const hf::PieceSink to_model = [&](const hf::Piece& piece) -> Status {
    tokens.clear();
    ModelTokenize(piece.text, tokens);
    for (const BpeToken& t : tokens) {
      if (piece.ob) {
        sink.Push(t.id, piece.ob[t.begin], piece.oe[t.end - 1]);
      } else {
        sink.Push(t.id, 0, 0);
      }
    }
    return Status::OK();
  };
  if (!pre_tokenizer_) return to_model(root);
  return pre_tokenizer_->Apply(root, to_model);
}

Status HfTokenizer::EncodeSegment(std::string_view text, size_t base, EncodeSink& sink) const {
  hf::NormText nt;
  nt.text.assign(text);
  nt.track = sink.offsets != nullptr;
  if (nt.track) {
    nt.ob.resize(text.size());
    nt.oe.resize(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      nt.ob[i] = static_cast<uint32_t>(base + i);
      nt.oe[i] = static_cast<uint32_t>(base + i + 1);
    }
  }
  if (normalizer_) QUIVER_RETURN_IF_ERROR(normalizer_->Apply(nt));
  const bool at_start = base == 0;
  size_t prev = 0;
  for (const AddedMatch& m : normalized_matcher_.Find(nt.text)) {
    if (m.begin > prev)
      QUIVER_RETURN_IF_ERROR(EncodeNormalizedPart(nt, prev, m.begin, at_start, sink));
    if (nt.track) {
      sink.Push(m.id, nt.ob[m.begin], nt.oe[m.end - 1]);
    } else {
      sink.Push(m.id, 0, 0);
    }
    prev = m.end;
  }
  if (prev < nt.text.size()) {
    QUIVER_RETURN_IF_ERROR(EncodeNormalizedPart(nt, prev, nt.text.size(), at_start, sink));
  }
  return Status::OK();
}

// The sequence's tokens are in `sink`: truncates them (EncodeOptions::max_length, else the
// file's "truncation") so that the total with the special tokens fits, as tokenizers'
// post_process does, then trims offsets and adds the special tokens.
void HfTokenizer::PostProcess(const EncodeOptions& options, std::string_view text,
                              EncodeSink& sink) const {
  const int limit = options.max_length > 0 ? options.max_length : truncation_.max_length;
  const bool add_special = options.add_special_tokens;
  if (limit > 0) {
    // tokenizers subtracts the added tokens from max_length; when they alone exceed it (where
    // tokenizers' unsigned subtraction wraps and nothing is truncated), only they remain.
    const size_t added = add_special ? post_.added_tokens() : 0;
    const auto max = static_cast<size_t>(limit);
    hf::Truncate(max > added ? max - added : 0, truncation_.left, *sink.ids, sink.offsets);
  }
  if (sink.offsets && post_.trim_offsets) {
    // tokenizers trims by each token's string: an added token's is the text it matched (with
    // the spaces lstrip/rstrip took), a model token's its vocabulary entry.
    std::vector<std::string_view> tokens;
    tokens.reserve(sink.ids->size());
    for (size_t k = 0; k < sink.ids->size(); ++k) {
      const int32_t id = (*sink.ids)[k];
      const TokenOffset o = (*sink.offsets)[k];
      const bool added = static_cast<size_t>(id) < added_.size() && added_[id];
      tokens.push_back(added ? text.substr(o.begin, o.end - o.begin) : id_to_piece_[id]);
    }
    post_.TrimOffsets(tokens, *sink.offsets);
  }
  if (!add_special || post_.added_tokens() == 0) return;
  sink.ids->insert(sink.ids->begin(), post_.before.begin(), post_.before.end());
  sink.ids->insert(sink.ids->end(), post_.after.begin(), post_.after.end());
  if (sink.offsets) {
    sink.offsets->insert(sink.offsets->begin(), post_.before.size(), TokenOffset{0, 0});
    const auto end = static_cast<uint32_t>(text.size());
    sink.offsets->insert(sink.offsets->end(), post_.after.size(), TokenOffset{end, end});
  }
}

Status HfTokenizer::EncodeInto(std::string_view text, const EncodeOptions& options,
                               EncodeSink& sink) const {
  size_t prev = 0;
  for (const AddedMatch& m : raw_matcher_.Find(text)) {
    if (m.begin > prev)
      QUIVER_RETURN_IF_ERROR(EncodeSegment(text.substr(prev, m.begin - prev), prev, sink));
    sink.Push(m.id, static_cast<uint32_t>(m.begin), static_cast<uint32_t>(m.end));
    prev = m.end;
  }
  if (prev < text.size()) QUIVER_RETURN_IF_ERROR(EncodeSegment(text.substr(prev), prev, sink));
  PostProcess(options, text, sink);
  return Status::OK();
}

Result<std::vector<int32_t>> HfTokenizer::EncodeIds(std::string_view text,
                                                    const EncodeOptions& options) const {
  std::vector<int32_t> ids;
  EncodeSink sink{&ids, nullptr};
  if (utf8::IsValid(text)) {
    QUIVER_RETURN_IF_ERROR(EncodeInto(text, options, sink));
  } else {
    QUIVER_RETURN_IF_ERROR(EncodeInto(utf8::Sanitize(text, nullptr), options, sink));
  }
  return ids;
}

Result<Encoding> HfTokenizer::Encode(std::string_view text, const EncodeOptions& options) const {
  if (text.size() > 0xFFFFFFF0u / 3) return Status::InvalidArgument("text longer than 1 GiB");
  Encoding enc;
  EncodeSink sink{&enc.ids, &enc.offsets};
  if (utf8::IsValid(text)) {
    QUIVER_RETURN_IF_ERROR(EncodeInto(text, options, sink));
  } else {
    std::vector<uint32_t> invalid;
    const std::string clean = utf8::Sanitize(text, &invalid);
    QUIVER_RETURN_IF_ERROR(EncodeInto(clean, options, sink));
    const utf8::SanitizedOffsetMap map(&invalid);
    for (TokenOffset& o : enc.offsets) {
      o.begin = map.ToOriginal(o.begin);
      o.end = map.ToOriginal(o.end);
    }
  }
  enc.pieces.reserve(enc.ids.size());
  for (int32_t id : enc.ids) enc.pieces.push_back(id_to_piece_[id]);
  return enc;
}

Result<std::string> HfTokenizer::Decode(std::span<const int32_t> ids, bool skip_special) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) {
      return Status::InvalidArgument("token id " + std::to_string(id) + " is outside [0, " +
                                     std::to_string(vocab_size()) + ")");
    }
    if (skip_special && special_[id]) continue;
    tokens.push_back(id_to_piece_[id]);
  }
  if (!decoder_) {
    std::string out;
    for (size_t k = 0; k < tokens.size(); ++k) out += (k ? " " : "") + tokens[k];
    return out;
  }
  std::string out;
  for (const std::string& t : decoder_->DecodeChain(std::move(tokens))) out += t;
  return out;
}

Result<std::unique_ptr<Tokenizer>> HfTokenizer::Load(std::string_view json_text) {
  json j;
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("tokenizer.json is not valid JSON: ") + e.what());
  }
  auto tok = std::make_unique<HfTokenizer>();
  try {
    QUIVER_RETURN_IF_ERROR(tok->Parse(j));
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("tokenizer.json is malformed: ") + e.what());
  }
  tok->json_text_.assign(json_text);
  tok->special_.resize(tok->id_to_piece_.size(), false);
  return std::unique_ptr<Tokenizer>(std::move(tok));
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> LoadHuggingFaceJson(std::string_view json_text) {
  return HfTokenizer::Load(json_text);
}

Result<std::unique_ptr<Tokenizer>> LoadHuggingFaceFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path);
  auto tok = LoadHuggingFaceJson(ss.str());
  if (!tok.ok()) return tok.status().WithContext(path);
  return tok;
}

}  // namespace quiver
