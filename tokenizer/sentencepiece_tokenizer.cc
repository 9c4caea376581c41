// sentencepiece models: loading, encoding through the library itself (so ids are exactly the
// library's), and training in memory. The only place that includes <sentencepiece...>.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <type_traits>

#include "tokenizer/blob.h"
#include "tokenizer/internal.h"
#include "tokenizer/tokenizer.h"
#include "util/mutex.h"
#include "util/utf8.h"

// Exported by libsentencepiece but not declared in its public headers (0.1.97): the level below
// which its log lines are dropped (0 info, 1 warning, 2 error).
namespace sentencepiece::logging {
int GetMinLogLevel();
void SetMinLogLevel(int v);
}  // namespace sentencepiece::logging

namespace quiver {

namespace {

Status FromSp(const sentencepiece::util::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  return Status::InvalidArgument(std::string(context) + ": " + s.ToString());
}

class SpTokenizer : public Tokenizer {
 public:
  static Result<std::unique_ptr<Tokenizer>> Load(std::string_view proto) {
    auto tok = std::make_unique<SpTokenizer>();
    if (proto.empty()) return Status::InvalidArgument("sentencepiece model is empty");
    const auto s = tok->sp_.LoadFromSerializedProto(proto);
    if (!s.ok() || tok->sp_.GetPieceSize() <= 0) {
      return Status::InvalidArgument("not a sentencepiece model: " + s.ToString());
    }
    tok->can_cut_ = tok->CutIsExact();
    return std::unique_ptr<Tokenizer>(std::move(tok));
  }

  TokenizerKind kind() const override { return TokenizerKind::kSentencePiece; }

  Result<Encoding> Encode(std::string_view text, const EncodeOptions& options) const override {
    std::vector<uint32_t> invalid;
    std::string clean;
    std::string_view input = text;
    if (!utf8::IsValid(text)) {
      clean = utf8::Sanitize(text, &invalid);
      input = clean;
    }
    Encoding enc;
    if (options.add_special_tokens && adds_bos()) Push(enc, sp_.bos_id(), 0, 0);
    const utf8::SanitizedOffsetMap map(&invalid);
    ForEachChunk(input, [&](std::string_view chunk, size_t base) {
      const auto spt = sp_.EncodeAsImmutableProto(chunk);
      for (size_t i = 0; i < spt.pieces_size(); ++i) {
        const auto piece = spt.pieces(static_cast<int>(i));
        uint32_t b = static_cast<uint32_t>(base + piece.begin());
        const uint32_t e = static_cast<uint32_t>(base + piece.end());
        // A later chunk's first piece also covers the space it was cut at.
        if (base > 0 && piece.begin() == 0) --b;
        Push(enc, static_cast<int32_t>(piece.id()), invalid.empty() ? b : map.ToOriginal(b),
             invalid.empty() ? e : map.ToOriginal(e));
      }
    });
    TruncateKeepingLeading(options.max_length, options.add_special_tokens && adds_bos(), enc);
    return enc;
  }

  Result<std::vector<int32_t>> EncodeIds(std::string_view text,
                                         const EncodeOptions& options) const override {
    std::string clean;
    std::string_view input = text;
    if (!utf8::IsValid(text)) {
      clean = utf8::Sanitize(text, nullptr);
      input = clean;
    }
    static_assert(std::is_same_v<int, int32_t>, "sentencepiece ids are int");
    const bool bos = options.add_special_tokens && adds_bos();
    std::vector<int32_t> out;
    Status status;
    if (!can_cut_ || input.size() <= 2 * kCutBytes) {
      // The common case: sentencepiece writes straight into the result.
      status = FromSp(sp_.Encode(input, &out), "sentencepiece encode");
      if (bos) out.insert(out.begin(), sp_.bos_id());
      if (!status.ok()) return status;
      TruncateKeepingLeading(options.max_length, bos, out);
      return out;
    }
    if (bos) out.push_back(sp_.bos_id());
    std::vector<int> ids;
    ForEachChunk(input, [&](std::string_view chunk, size_t) {
      if (!status.ok()) return;
      status = FromSp(sp_.Encode(chunk, &ids), "sentencepiece encode");
      out.insert(out.end(), ids.begin(), ids.end());
    });
    if (!status.ok()) return status;
    TruncateKeepingLeading(options.max_length, bos, out);
    return out;
  }

  Result<std::string> Decode(std::span<const int32_t> ids, bool skip_special) const override {
    std::string out;
    std::vector<int> run;
    const auto flush = [&]() -> Status {
      if (run.empty()) return Status::OK();
      std::string text;
      QUIVER_RETURN_IF_ERROR(FromSp(sp_.Decode(run, &text), "sentencepiece decode"));
      out += text;
      run.clear();
      return Status::OK();
    };
    for (int32_t id : ids) {
      if (id < 0 || id >= vocab_size()) {
        return Status::InvalidArgument("token id " + std::to_string(id) + " is outside [0, " +
                                       std::to_string(vocab_size()) + ")");
      }
      if (sp_.IsControl(id)) {
        if (skip_special) continue;
        QUIVER_RETURN_IF_ERROR(flush());
        out += sp_.IdToPiece(id);
        continue;
      }
      run.push_back(id);
    }
    QUIVER_RETURN_IF_ERROR(flush());
    return out;
  }

  int32_t vocab_size() const override { return sp_.GetPieceSize(); }
  Result<std::string> IdToPiece(int32_t id) const override {
    if (id < 0 || id >= vocab_size())
      return Status::NotFound("no token with id " + std::to_string(id));
    return sp_.IdToPiece(id);
  }
  std::optional<int32_t> PieceToId(std::string_view piece) const override {
    const int id = sp_.PieceToId(piece);
    if (id < 0 || (sp_.IsUnknown(id) && sp_.IdToPiece(id) != piece)) return std::nullopt;
    return id;
  }
  bool IsSpecial(int32_t id) const override {
    return id >= 0 && id < vocab_size() && sp_.IsControl(id);
  }
  SpecialTokenIds special_tokens() const override {
    return {sp_.bos_id(), sp_.eos_id(), sp_.unk_id(), sp_.pad_id()};
  }
  // A sentencepiece model that defines a BOS piece gets it first, as Llama's tokenizers do.
  bool adds_bos() const override { return sp_.bos_id() >= 0; }
  Result<std::string> Serialize() const override {
    const auto proto = sp_.serialized_model_proto();
    return blob::Encode(TokenizerKind::kSentencePiece, proto);
  }

 private:
  // sentencepiece's own encoder grows faster than linearly on very long lines (seconds per
  // megabyte). Long texts are therefore cut at single spaces between ASCII letters or digits,
  // "...x y..." into "...x" and "y...": the second part's dummy-prefix "▁" stands for the space,
  // so when no piece can span "x▁" (checked on the vocabulary and by a probe at load) the ids
  // are the ones the whole text gives.
  static constexpr size_t kCutBytes = 2048;

  bool CutIsExact() const {
    constexpr std::string_view kMeta = "\xE2\x96\x81";  // ▁
    for (int id = 0; id < sp_.GetPieceSize(); ++id) {
      const std::string& piece = sp_.IdToPiece(id);
      for (size_t pos = piece.find(kMeta, 1); pos != std::string::npos;
           pos = piece.find(kMeta, pos + 1)) {
        if (pos < kMeta.size() || piece.compare(pos - kMeta.size(), kMeta.size(), kMeta) != 0) {
          return false;  // a piece with "x▁" inside
        }
      }
    }
    std::vector<int> whole, left, right;
    if (!sp_.Encode("ab cd", &whole).ok() || !sp_.Encode("ab", &left).ok() ||
        !sp_.Encode("cd", &right).ok()) {
      return false;
    }
    left.insert(left.end(), right.begin(), right.end());
    return whole == left;
  }

  static bool IsAsciiAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  // Calls f(chunk, offset of chunk in text) for consecutive chunks of `text`.
  template <typename F>
  void ForEachChunk(std::string_view text, F f) const {
    if (!can_cut_ || text.size() <= 2 * kCutBytes) {
      f(text, 0);
      return;
    }
    size_t start = 0;
    for (size_t i = start + kCutBytes; i + 1 < text.size(); ++i) {
      if (i - start < kCutBytes) continue;
      if (text[i] == ' ' && IsAsciiAlnum(text[i - 1]) && IsAsciiAlnum(text[i + 1])) {
        f(text.substr(start, i - start), start);
        start = i + 1;
      }
    }
    f(text.substr(start), start);
  }

  void Push(Encoding& enc, int32_t id, uint32_t b, uint32_t e) const {
    enc.ids.push_back(id);
    enc.pieces.push_back(sp_.IdToPiece(id));
    enc.offsets.push_back({b, e});
  }

  sentencepiece::SentencePieceProcessor sp_;
  bool can_cut_ = false;
};

// Feeds in-memory sentences to the trainer, skipping empty ones.
class VectorIterator : public sentencepiece::SentenceIterator {
 public:
  explicit VectorIterator(std::span<const std::string> s) : s_(s) { Skip(); }
  bool done() const override { return i_ >= s_.size(); }
  void Next() override {
    ++i_;
    Skip();
  }
  const std::string& value() const override { return s_[i_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void Skip() {
    while (i_ < s_.size() && s_[i_].empty()) ++i_;
  }
  std::span<const std::string> s_;
  size_t i_ = 0;
};

// sentencepiece's trainer keeps global state (log level, random seed): one training at a time.
util::Mutex& TrainMutex() {
  static util::Mutex m;
  return m;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> LoadSentencePieceModel(std::string_view model_proto) {
  return SpTokenizer::Load(model_proto);
}

Result<std::unique_ptr<Tokenizer>> LoadSentencePieceFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path);
  auto tok = LoadSentencePieceModel(ss.str());
  if (!tok.ok()) return tok.status().WithContext(path);
  return tok;
}

Result<std::string> TrainSentencePieceModel(std::span<const std::string> sentences,
                                            const SentencePieceTrainOptions& o) {
  if (o.vocab_size < 4) return Status::InvalidArgument("vocab size must be at least 4");
  if (!(o.character_coverage > 0.0 && o.character_coverage <= 1.0)) {
    return Status::InvalidArgument("character coverage must be in (0, 1]");
  }
  if (o.num_threads < 1 || o.max_sentence_length < 1) {
    return Status::InvalidArgument("num_threads and max_sentence_length must be positive");
  }
  if (o.seed == static_cast<uint32_t>(-1)) {
    return Status::InvalidArgument("seed 4294967295 is reserved by sentencepiece");
  }
  size_t non_empty = 0;
  for (const std::string& s : sentences) non_empty += !s.empty();
  if (non_empty == 0) return Status::InvalidArgument("training corpus has no non-empty sentence");

  std::ostringstream args;
  args << "--model_type="
       << (o.model_type == SentencePieceTrainOptions::ModelType::kBpe ? "bpe" : "unigram")
       << " --vocab_size=" << o.vocab_size << " --character_coverage=" << o.character_coverage
       << " --byte_fallback=" << (o.byte_fallback ? "true" : "false")
       << " --hard_vocab_limit=" << (o.hard_vocab_limit ? "true" : "false")
       << " --num_threads=" << o.num_threads << " --max_sentence_length=" << o.max_sentence_length
       << (o.preserve_text ? " --normalization_rule_name=identity --remove_extra_whitespaces=false"
           : o.case_fold   ? " --normalization_rule_name=nmt_nfkc_cf"
                           : "")
       << " --input_sentence_size=0 --shuffle_input_sentence=true --model_prefix=";
  std::string model;
  VectorIterator it(sentences);
  util::MutexLock lock(&TrainMutex());
  const int old_level = sentencepiece::logging::GetMinLogLevel();
  if (o.quiet) sentencepiece::logging::SetMinLogLevel(2);
  sentencepiece::SetRandomGeneratorSeed(o.seed);
  const auto s = sentencepiece::SentencePieceTrainer::Train(args.str(), &it, &model);
  sentencepiece::logging::SetMinLogLevel(old_level);
  if (!s.ok()) return Status::InvalidArgument("sentencepiece training failed: " + s.ToString());
  return model;
}

Result<std::unique_ptr<Tokenizer>> TrainSentencePiece(std::span<const std::string> sentences,
                                                      const SentencePieceTrainOptions& options) {
  QUIVER_ASSIGN_OR_RETURN(const std::string model, TrainSentencePieceModel(sentences, options));
  return LoadSentencePieceModel(model);
}

}  // namespace quiver

// ---- RawSentencePiece (benchmark baseline) ----------------------------------------------------

#include "tokenizer/raw_sentencepiece.h"

namespace quiver {

struct RawSentencePiece::Impl {
  sentencepiece::SentencePieceProcessor sp;
};

RawSentencePiece::RawSentencePiece(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RawSentencePiece::~RawSentencePiece() = default;

Result<std::unique_ptr<RawSentencePiece>> RawSentencePiece::Load(std::string_view model_proto) {
  auto impl = std::make_unique<Impl>();
  const auto s = impl->sp.LoadFromSerializedProto(model_proto);
  if (!s.ok()) return Status::InvalidArgument("not a sentencepiece model: " + s.ToString());
  return std::unique_ptr<RawSentencePiece>(new RawSentencePiece(std::move(impl)));
}

bool RawSentencePiece::Encode(std::string_view text, std::vector<int>* ids) const {
  return impl_->sp.Encode(text, ids).ok();
}

}  // namespace quiver
