// Value types exchanged with a quiver database.
#ifndef QUIVER_TYPES_H_
#define QUIVER_TYPES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "quiver/options.h"

namespace quiver {

// One stored item. `id` is the caller's key (non-empty); `metadata` is a JSON object in text
// form ("" when absent).
struct Record {
  std::string id;
  std::vector<float> vector;
  std::string text;
  std::string metadata;
};

// One search result; `score` follows the database's Metric.
struct Hit {
  std::string id;
  float score = 0;
  std::string text;
  std::string metadata;
};

struct Stats {
  uint64_t count = 0;  // live records
  int dimension = 0;
  Metric metric = Metric::kCosine;
  std::string index_spec;
  bool index_trained = true;         // false while a trainable index still answers exactly
  uint64_t deleted = 0;              // tombstoned vectors still in the index (compact drops them)
  uint64_t disk_bytes = 0;           // everything under the database directory
  uint64_t last_sequence = 0;        // newest operation-log sequence
  uint64_t checkpoint_sequence = 0;  // operation-log sequence the on-disk index covers
  std::string distance_kernel;       // SIMD distance code in use: "avx512", "avx2" or "generic"
};

// One token of a text, as a database's tokenizer splits it.
struct Token {
  std::string piece;  // the vocabulary entry, e.g. "▁Hello" or "Ġworld"
  int32_t id = 0;
  uint32_t begin = 0;  // the token came from bytes [begin, end) of the text; tokens the
  uint32_t end = 0;    // tokenizer adds (BOS) have an empty range
};

struct Tokenization {
  std::string tokenizer_kind;  // "sentencepiece", "huggingface-bpe" or "word"
  int32_t vocab_size = 0;
  std::vector<Token> tokens;
};

// The embedding model a database keeps (DB::GetModelInfo).
struct ModelInfo {
  std::string source;          // where it came from, e.g. "word vectors glove.txt (glove)"
  std::string tokenizer_kind;  // "sentencepiece", "huggingface-bpe" or "word"
  int64_t vocab_size = 0;      // rows of the token-embedding matrix
  int dimension = 0;
  std::string identity;  // fingerprint of tokenizer and matrix: equal models, equal identity
  std::string pooling;   // how a text's token vectors become one vector: "mean" or "sif"
};

// A text as the embedding model sees it (DB::Embed).
struct EmbeddedText {
  std::vector<float> vector;  // pooled and L2-normalized; all zeros when no token is known
  std::vector<Token> tokens;  // the text's tokens, without BOS/EOS
  std::vector<std::vector<float>> token_vectors;  // one per token; zeros for unknown ids
  int64_t known_tokens = 0;                       // tokens that have a vector
};

// A vocabulary entry and its similarity to a query token.
struct TokenScore {
  std::string token;
  float score = 0;
};

}  // namespace quiver

#endif  // QUIVER_TYPES_H_
