// Text → token ids, exact to the models a tokenizer file describes.
//
// Three kinds of tokenizer share one interface:
//   * sentencepiece `.model` files (unigram or BPE; loaded from a file or bytes, or trained here),
//   * Hugging Face `tokenizer.json` files whose model is BPE, WordPiece or Unigram,
//   * a word tokenizer for word-vector models (GloVe-style lower-cased words and punctuation).
//
// Every tokenizer can be serialized to a self-describing blob (Serialize) and loaded back
// (LoadTokenizerBlob), so that a database can store the tokenizer it was created with.
//
// Invalid UTF-8: every byte that is not part of a well-formed UTF-8 sequence is treated as
// U+FFFD REPLACEMENT CHARACTER before tokenization (so it tokenizes like "\xEF\xBF\xBD"); the
// offsets of the resulting tokens still point at the offending bytes of the caller's text.
//
// No function here throws. Tokenizers are immutable after loading; all const methods may be
// called from several threads at once.
#ifndef QUIVER_TOKENIZER_TOKENIZER_H_
#define QUIVER_TOKENIZER_TOKENIZER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "quiver/tools.h"
#include "quiver/types.h"

namespace quiver {

enum class TokenizerKind { kSentencePiece, kHuggingFaceBpe, kWord };

// "sentencepiece", "huggingface-bpe" or "word".
std::string_view TokenizerKindName(TokenizerKind kind);

// Byte range [begin, end) of the caller's text.
struct TokenOffset {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const TokenOffset&, const TokenOffset&) = default;
};

// The result of Encode: three parallel vectors, one entry per token.
struct Encoding {
  std::vector<int32_t> ids;
  // The vocabulary entry of each id (e.g. "▁Hello", "Ġworld", "<0x0A>", "<s>"); the views point
  // into the tokenizer and stay valid while it lives.
  std::vector<std::string_view> pieces;
  // Where each token came from in the text. Tokens that the tokenizer inserts (BOS/EOS) have an
  // empty range at 0 (before the text) or at text.size() (after it). Text a normalizer adds
  // (e.g. a prepended "▁") is attributed to the character it was attached to.
  std::vector<TokenOffset> offsets;
};

struct EncodeOptions {
  // Add the tokens the model adds around a sequence (BOS for Llama-style models), as the model
  // file says. Special tokens written in the text are matched either way.
  bool add_special_tokens = true;
  // The most tokens Encode returns, the special tokens it adds included (as Hugging Face's
  // encode(text, truncation=True, max_length=N)): text tokens past the limit are dropped and
  // the special tokens stay (a BOS first, an EOS last). 0 means as the tokenizer file says: a
  // tokenizer.json's "truncation" section (whose direction, Left or Right, also applies to a
  // max_length given here), or no limit. When the special tokens alone are more than the
  // limit, only they are returned (Hugging Face's own arithmetic wraps there and truncates
  // nothing).
  int max_length = 0;
};

// Ids of the model's special tokens; -1 where the model has none.
struct SpecialTokenIds {
  int32_t bos = -1;
  int32_t eos = -1;
  int32_t unk = -1;
  int32_t pad = -1;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  virtual TokenizerKind kind() const = 0;
  // What people call the tokenizer: TokenizerKindName(kind()), except that a tokenizer.json
  // names its model: "huggingface-bpe", "huggingface-wordpiece" or "huggingface-unigram".
  virtual std::string_view kind_name() const { return TokenizerKindName(kind()); }

  // Splits `text` into tokens. Fails only on internal limits (e.g. a regex engine error), never
  // on the content of the text.
  virtual Result<Encoding> Encode(std::string_view text,
                                  const EncodeOptions& options = {}) const = 0;
  // The ids of Encode, without pieces and offsets (cheaper).
  virtual Result<std::vector<int32_t>> EncodeIds(std::string_view text,
                                                 const EncodeOptions& options = {}) const = 0;

  // Turns ids back into text. With `skip_special_tokens`, special/control tokens (BOS, EOS,
  // added special tokens) produce no text. Ids outside [0, vocab_size()) are InvalidArgument.
  virtual Result<std::string> Decode(std::span<const int32_t> ids,
                                     bool skip_special_tokens = true) const = 0;

  // Number of ids, including added tokens; ids are 0 .. vocab_size() - 1.
  virtual int32_t vocab_size() const = 0;
  // The vocabulary entry of `id`, or NotFound.
  virtual Result<std::string> IdToPiece(int32_t id) const = 0;
  // The id of a vocabulary entry (including added tokens), or nullopt.
  virtual std::optional<int32_t> PieceToId(std::string_view piece) const = 0;
  // Whether `id` is a special/control token (skipped by Decode's skip_special_tokens).
  virtual bool IsSpecial(int32_t id) const = 0;

  virtual SpecialTokenIds special_tokens() const = 0;
  // Whether Encode with add_special_tokens puts a BOS token first.
  virtual bool adds_bos() const = 0;
  // The maximum total length the tokenizer file asks for (a tokenizer.json's
  // "truncation.max_length"), or 0 when it sets none. Encode applies it unless
  // EncodeOptions::max_length overrides it.
  virtual int max_length() const { return 0; }

  // A self-describing blob (magic, format version, kind, checksum, payload) that
  // LoadTokenizerBlob turns back into an identical tokenizer.
  virtual Result<std::string> Serialize() const = 0;
};

// The public form of `encoding` (quiver::Tokenization, as DB::Tokenize returns it).
Tokenization ToTokenization(const Tokenizer& tokenizer, const Encoding& encoding);

// ---- Factories ------------------------------------------------------------------------------

// Reads a tokenizer from a file, recognised by content: a quiver tokenizer blob, a
// tokenizer.json (starts with '{'), a sentencepiece .model, or — for names ending in .txt or
// .vocab — a word list for the word tokenizer (see LoadWordVocabFile).
Result<std::unique_ptr<Tokenizer>> LoadTokenizerFile(const std::string& path);

// Loads what Tokenizer::Serialize produced. Corruption when the blob is damaged.
Result<std::unique_ptr<Tokenizer>> LoadTokenizerBlob(std::string_view blob);

// sentencepiece: a `.model` file, or its bytes (a serialized ModelProto). A blob that is not a
// sentencepiece model is InvalidArgument.
Result<std::unique_ptr<Tokenizer>> LoadSentencePieceFile(const std::string& path);
Result<std::unique_ptr<Tokenizer>> LoadSentencePieceModel(std::string_view model_proto);

// The public training options (quiver/tools.h: model type, vocabulary size, coverage, seed,
// byte fallback, preserve_text, threads, quiet) plus what the engine's own training needs.
struct SentencePieceTrainOptions : TokenizerTrainOptions {
  // With preserve_text false: fold case as well (sentencepiece's nmt_nfkc_cf rule), so that
  // "Linux" and "linux" are one token. Useful for retrieval models.
  bool case_fold = false;
  // When false, vocab_size is an upper bound: a corpus too small for it gives a smaller
  // vocabulary instead of an error.
  bool hard_vocab_limit = true;
  // Sentences longer than this many bytes are skipped by the trainer.
  int max_sentence_length = 4192;
};

// Trains a sentencepiece model from sentences held in memory (one sentence per element; empty
// ones are skipped). InvalidArgument for options sentencepiece refuses, e.g. a vocabulary larger
// than the corpus allows. Training calls are serialized process-wide (the seed is global state
// inside sentencepiece).
Result<std::unique_ptr<Tokenizer>> TrainSentencePiece(std::span<const std::string> sentences,
                                                      const SentencePieceTrainOptions& options);
// The same training, returning the model as sentencepiece's own `.model` bytes (a serialized
// ModelProto, readable by LoadSentencePieceModel and by sentencepiece's tools).
Result<std::string> TrainSentencePieceModel(std::span<const std::string> sentences,
                                            const SentencePieceTrainOptions& options);

// Hugging Face tokenizer.json with a BPE, WordPiece or Unigram model. Components quiver does
// not implement are refused with NotSupported naming them; malformed JSON is InvalidArgument.
// "truncation" ({max_length, strategy, stride, direction}) applies to each Encode as it does in
// tokenizers for a single sequence; its stride only shapes the overflowing windows, which
// quiver does not produce, so it is ignored (tokenizers refuses a stride not below max_length
// minus the special tokens at encode time; quiver does not). "padding" is accepted and ignored:
// padding is a batching concern, and quiver encodes sequences one by one and masks nothing.
Result<std::unique_ptr<Tokenizer>> LoadHuggingFaceFile(const std::string& path);
Result<std::unique_ptr<Tokenizer>> LoadHuggingFaceJson(std::string_view json);

// The word tokenizer: words are maximal runs of letters, marks and digits, optionally joined by
// an inner hyphen, apostrophe, period or comma ("over-all", "u.s", "1,000", "3.14"); every other
// non-space character is a token of its own; white space separates and is dropped.
struct WordTokenizerOptions {
  bool lowercase = true;  // Unicode simple lower-casing, as GloVe's corpora were
  // Split English clitics off as the Penn Treebank (and GloVe) do: "don't" → "do" "n't",
  // "it's" → "it" "'s" (also 're 've 'll 'd 'm).
  bool split_contractions = true;
  // Words not in the vocabulary map to this entry; it is appended to the vocabulary when absent.
  std::string unk_token = "<unk>";
};

// `vocab[i]` is the word with id i (e.g. the rows of a GloVe matrix). Duplicates or empty
// entries are InvalidArgument.
Result<std::unique_ptr<Tokenizer>> MakeWordTokenizer(std::vector<std::string> vocab,
                                                     const WordTokenizerOptions& options = {});
// A vocabulary file: one entry per line; only the first space-separated field of each line is
// used, so a GloVe .txt vector file works as is.
Result<std::unique_ptr<Tokenizer>> LoadWordVocabFile(const std::string& path,
                                                     const WordTokenizerOptions& options = {});

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_TOKENIZER_H_
