// Value types exchanged with a quiver database.
#ifndef QUIVER_TYPES_H_
#define QUIVER_TYPES_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/options.h"

namespace quiver {

// Where a record's text came from: set by DB::Ingest, empty (path "") for records upserted
// directly.
struct SourceRef {
  std::string path;          // the source file
  uint64_t begin = 0;        // the text is bytes [begin, end) of the source's document text
  uint64_t end = 0;          // (of the whole file for .txt/.md, of the record for .jsonl/.csv)
  int32_t chunk = 0;         // chunk number within the source document
  std::string content_hash;  // hash of the source file's bytes when it was ingested
};

// One stored item. `id` is the caller's key (non-empty); `metadata` is a JSON object in text
// form ("" when absent).
struct Record {
  std::string id;
  std::vector<float> vector;
  std::string text;
  std::string metadata;
  SourceRef source;
};

// A byte range [begin, end) of a text.
struct TextSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  friend bool operator==(const TextSpan&, const TextSpan&) = default;
};

// One search or query result. `score` follows the database's Metric for vector searches and
// dense queries; it is the BM25 score for bm25 queries and the fused score for hybrid ones.
struct Hit {
  std::string id;
  float score = 0;
  std::string text;
  std::string metadata;
  SourceRef source;
  // With QueryOptions::highlight: the whole words of `text` that match the query's terms
  // (as the database's analyzer sees them), ascending and disjoint. Else empty.
  std::vector<TextSpan> highlights;
  // With HitFields::vector: the record's stored vector. Else empty.
  std::vector<float> vector;
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
  uint64_t checkpoint_sequence = 0;  // operation-log sequence the on-disk indexes cover
  std::string distance_kernel;       // SIMD distance code in use: "avx512", "avx2" or "generic"
  // The lexical (full-text) index: its analyzer's stemming language ("english", "none", ...),
  // the ICU version that segmented the texts, and what it holds.
  std::string analyzer;
  std::string icu_version;
  uint64_t lexical_documents = 0;  // live records (one without text has no terms)
  uint64_t lexical_terms = 0;      // distinct terms
  uint64_t lexical_deleted = 0;    // tombstoned documents (compact drops them)
};

// One token of a text, as a database's tokenizer splits it.
struct Token {
  std::string piece;  // the vocabulary entry, e.g. "▁Hello" or "Ġworld"
  int32_t id = 0;
  uint32_t begin = 0;  // the token came from bytes [begin, end) of the text; tokens the
  uint32_t end = 0;    // tokenizer adds (BOS) have an empty range
};

struct Tokenization {
  // "sentencepiece", "huggingface-bpe", "huggingface-wordpiece", "huggingface-unigram" or
  // "word"
  std::string tokenizer_kind;
  int32_t vocab_size = 0;
  std::vector<Token> tokens;
};

// The embedding model a database keeps (DB::GetModelInfo).
struct ModelInfo {
  std::string source;  // where it came from, e.g. "word vectors glove.txt (glove)"
  // "sentencepiece", "huggingface-bpe", "huggingface-wordpiece", "huggingface-unigram" or
  // "word"
  std::string tokenizer_kind;
  int64_t vocab_size = 0;  // rows of the token-embedding matrix
  int dimension = 0;
  std::string identity;  // fingerprint of tokenizer and matrix: equal models, equal identity
  // How a text's token vectors become one vector: "mean" or "sif" for token tables; "mean",
  // "cls", "lasttoken" or "max" for sentence encoders.
  std::string pooling;
  // A sentence encoder's network as people know it, e.g. "BertModel(layers 6, hidden 384,
  // heads 12, vocab 30522, max 512) + mean pooling + normalize"; empty for token tables.
  std::string architecture;
  int max_tokens = 0;           // sentence encoders: tokens per input (max_seq_length)
  std::string query_prompt;     // sentence encoders: put before query texts
  std::string document_prompt;  // sentence encoders: put before ingested chunks
};

// A text as the embedding model sees it (DB::Embed).
struct EmbeddedText {
  std::vector<float> vector;  // pooled and L2-normalized; all zeros when no token is known
  std::vector<Token> tokens;  // the text's tokens, without BOS/EOS
  std::vector<std::vector<float>> token_vectors;  // one per token; zeros for unknown ids
  int64_t known_tokens = 0;                       // tokens that have a vector
};

// The stages of DB::Ingest. A database without a model first trains one (the two training
// phases, once); then each file is read, embedded and committed in turn (the last three
// phases alternate, once per file).
enum class IngestPhase {
  kTrainingTokenizer,  // gathering the collection's first lines, then learning a tokenizer
  kTrainingModel,      // counting token co-occurrences over the collection, then factorizing
  kReading,            // reading and chunking a file
  kEmbedding,          // embedding a file's chunks
  kCommitting,         // writing a file's records
};
// "training the tokenizer", "training the embedding model", "reading", "embedding" or
// "committing".
std::string_view IngestPhaseName(IngestPhase phase);

// What DB::Ingest has done so far (for a progress display), reported at each step of each
// phase.
struct IngestProgress {
  IngestPhase phase = IngestPhase::kReading;
  // The phase's own progress: `done` of `total` `unit`s; total 0 when not known yet.
  //   training the tokenizer      "bytes" of the collection's files read for its sample
  //                               (gathering stops when the sample is full: done jumps to
  //                               total), then "lines": 0 of the sample's lines while the
  //                               tokenizer learns from them, all when it has;
  //   training the embedding model "bytes" of the collection's files counted, then "steps"
  //                               of the factorization;
  //   reading                     "bytes": source bytes of the files before this one;
  //   embedding                   "chunks" of this file embedded;
  //   committing                  "files": files done before this one.
  uint64_t done = 0;
  uint64_t total = 0;
  std::string_view unit;
  // The whole run. A file is done when committed, found unchanged or skipped.
  uint64_t files_done = 0;
  uint64_t files_total = 0;  // the text files listed (what IngestSummary::source_bytes sums)
  uint64_t bytes_done = 0;   // source bytes (on disk) of the files done
  uint64_t bytes_total = 0;
  uint64_t chunks = 0;  // chunks stored so far
};

// A file DB::Ingest did not read, and why ("binary: PNG image", "cannot open: ...").
struct SkippedFile {
  std::string path;
  std::string reason;
};

// What DB::Ingest did. Every file met is counted once:
// files_seen = files_added + files_replaced + files_unchanged + files_skipped.
struct IngestSummary {
  uint64_t files_seen = 0;
  uint64_t files_added = 0;          // new sources
  uint64_t files_replaced = 0;       // sources whose content changed: all their chunks replaced
  uint64_t files_unchanged = 0;      // nothing to do
  uint64_t files_skipped = 0;        // not text (binary), hidden, or unreadable: see `skipped`
  std::vector<SkippedFile> skipped;  // one per skipped file, in listing order
  uint64_t sources_pruned = 0;       // with IngestOptions::prune: sources that disappeared
  uint64_t chunks_added = 0;         // records that did not exist before
  uint64_t chunks_replaced = 0;      // records of a changed source stored again under their id
  uint64_t chunks_removed = 0;       // records deleted (a changed source's surplus, pruned ones)
  uint64_t source_bytes = 0;         // bytes on disk of the text files listed (the progress total)
  uint64_t bytes = 0;                // text bytes read from the added and replaced sources
  uint64_t repaired_bytes = 0;       // invalid UTF-8 bytes replaced by U+FFFD
  uint64_t skipped_records = 0;      // bad .jsonl/.csv records skipped with skip_bad
  uint64_t empty_chunks = 0;         // chunks none of whose tokens the model knows: not stored
  bool trained_model = false;        // the database had no model: one was trained first
  double train_seconds = 0;
  double seconds = 0;  // everything, training included
};

// What DB::Reembed did.
struct ReembedSummary {
  uint64_t records = 0;  // records whose vector was recomputed from their text
  // Kept their vectors: no text, or no token of it known to the model.
  uint64_t records_kept = 0;
  double seconds = 0;
};

// A vocabulary entry and its similarity to a query token.
struct TokenScore {
  std::string token;
  float score = 0;
};

// ---- Scans (DB::ScanSources) -------------------------------------------------------------

// An ingested source file as the database remembers it.
struct SourceInfo {
  std::string path;          // absolute, normalized: the key change detection uses
  std::string content_hash;  // XXH64 of its bytes when last read (16 hex digits)
  int64_t mtime = 0;         // seconds since the Unix epoch, when last seen
  uint64_t size = 0;         // bytes on disk (compressed, for .gz)
  uint64_t chunks = 0;       // records it produced
};

}  // namespace quiver

#endif  // QUIVER_TYPES_H_
