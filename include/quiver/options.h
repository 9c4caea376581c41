// Options that control how a quiver database is opened and created.
#ifndef QUIVER_OPTIONS_H_
#define QUIVER_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace quiver {

// How similarity is measured. Scores returned by searches follow the metric:
//   kCosine        cosine similarity in [-1, 1], higher is closer. Vectors are normalized
//                  when indexed; the stored vector is the one that was given.
//   kInnerProduct  dot product, higher is closer.
//   kL2            squared Euclidean distance, lower is closer.
enum class Metric { kCosine, kInnerProduct, kL2 };

// "cosine", "ip" or "l2".
std::string_view MetricName(Metric metric);
// Parses "cosine", "ip" or "l2"; nullopt for anything else.
std::optional<Metric> ParseMetric(std::string_view name);

struct Options {
  // Create the database if `path` does not exist yet. Default: false.
  bool create_if_missing = false;

  // Fail if the database already exists. Default: false.
  bool error_if_exists = false;

  // Open without the write lock: searches and reads work while another process writes;
  // every mutation returns NotSupported. Default: false.
  bool read_only = false;

  // The following three are fixed when a database is created and ignored afterwards
  // (the stored values win).

  // Vector dimension. Required (> 0) when creating.
  int dimension = 0;

  // Similarity metric. Default: cosine.
  Metric metric = Metric::kCosine;

  // A FAISS index_factory description: "Flat", "HNSW32", "IVF1024,Flat", "IVF1024,PQ16", ...
  // Indexes that need training answer searches exactly until enough vectors are stored to
  // train them. Default: "Flat".
  std::string index_spec = "Flat";

  // A tokenizer to keep in the database being created: a sentencepiece .model, a Hugging Face
  // tokenizer.json (BPE) or a word list (.txt/.vocab, one entry per line). It is stored in
  // the database, so the file is not needed afterwards. Default: none.
  std::string tokenizer_file;

  // The full-text analyzer's stemming language, fixed at creation (DB::Reindex changes it):
  // a Snowball algorithm ("english", "french", "german", "russian", "porter", ...) or "none".
  // Texts are segmented into words by Unicode rules (ICU), case-folded and NFKC-normalized
  // whatever the language. Default: "english".
  std::string analyzer = "english";

  // The index is checkpointed to disk after this many add/delete operations, and on Close.
  // 0 checkpoints only on Close. Default: 50000.
  uint64_t checkpoint_interval = 50000;

  // Report progress of long open-time work (index rebuilds) and warnings on stderr.
  // Default: true.
  bool report_to_stderr = true;
};

// What importing or training a model does when the database already has one.
enum class ExistingModel {
  kRefuse,   // InvalidArgument: keep the model the stored vectors were made with
  kReplace,  // replace it atomically; text queries and ingest are refused until DB::Reembed
};

// How DB::ImportModel reads a sentence-transformers model directory.
struct ModelImportOptions {
  // The arithmetic of the matrix products: "fp32" (exact to sentence-transformers within
  // float rounding), "bf16" (bfloat16 weights) or "int8" (8-bit weights and activations).
  // The reduced modes are faster and stay within a cosine of 0.999 of the fp32 vectors on
  // the project's eval texts (docs/benchmarks.md). Default: "fp32".
  std::string precision = "fp32";
  // Replace the prompts of config_sentence_transformers.json ("query: " and "passage: " for
  // E5 models) when set: the query prompt is put before every query text, the document prompt
  // before every ingested chunk.
  std::optional<std::string> query_prompt;
  std::optional<std::string> document_prompt;
  // Default: refuse to replace a model the database already has.
  ExistingModel existing = ExistingModel::kRefuse;
};

// How DB::TrainModel learns an embedding model from a corpus.
struct TrainOptions {
  // Tokenizer vocabulary (sentencepiece unigram); a corpus too small for it gets fewer
  // entries. Default: 8000.
  int vocab_size = 8000;
  // Symmetric co-occurrence window in tokens. Default: 5.
  int window = 5;
  // Seeds tokenizer training and the randomized SVD: equal seeds and corpora give identical
  // models. Default: 42.
  uint32_t seed = 42;
  // Lines (sentences or paragraphs) sampled from the start of the corpus to train the
  // tokenizer; co-occurrences are counted over the whole corpus. Default: 200000.
  size_t tokenizer_sentences = 200000;
  // Fold case in the tokenizer ("Linux" and "linux" become one token). Default: true.
  bool case_fold = true;
  // Default: refuse to replace a model the database already has.
  ExistingModel existing_model = ExistingModel::kRefuse;
};

struct IngestProgress;  // quiver/types.h

// How DB::Ingest reads and chunks a collection.
struct IngestOptions {
  // Chunks hold at most this many tokens, overlapping by `chunk_overlap` tokens; they end at
  // paragraph or sentence ends where possible. Defaults: 256 and 32.
  int chunk_tokens = 256;
  int chunk_overlap = 32;
  // .jsonl fields and .csv columns: the record's id (optional; else "<path>:<line>"), its text
  // (required), and its metadata (empty = every other field). Defaults: "id", "text", {}.
  std::string id_field = "id";
  std::string text_field = "text";
  std::vector<std::string> metadata_fields;
  // Added to every chunk's metadata (besides "path" and "mtime" of its file).
  std::vector<std::pair<std::string, std::string>> extra_metadata;
  // Remove the chunks of previously ingested sources that are no longer among the inputs'
  // files. Default: false.
  bool prune = false;
  // Skip (and count) bad .jsonl/.csv records instead of failing. Default: false.
  bool skip_bad = false;
  // .csv columns kept as strings. Other cells that are numbers ("2000", "-1.5e3") or booleans
  // ("true", "False") become typed JSON values in the metadata; everything else, including
  // numbers with a leading zero ("02134") or spaces, stays a string. Default: {}.
  std::vector<std::string> text_columns;
  // With no model yet: use the model of the database at this path (it must have one); else
  // one is trained on the collection with `train`. Default: "" (train).
  std::string model_from;
  TrainOptions train;
  // Threads for tokenizing and embedding; 0 = one per core. Default: 0.
  int threads = 0;
  // Called after each file, and with one-line messages (a skipped file, a model being
  // trained); either may be empty.
  std::function<void(const IngestProgress&)> on_progress;
  std::function<void(const std::string&)> on_message;
};

// What each Hit carries besides its id and score, which it always has. Fewer fields read
// less: with every flag off (HitFields::IdsOnly()) hits are named from an in-memory table of
// the external ids (built by the first such search, ~50 bytes a record) and nothing is read;
// text, metadata and source come from the record, the vector from the stored vectors.
struct HitFields {
  bool text = true;
  bool metadata = true;
  bool source = true;
  bool vector = false;  // Hit::vector: the record's stored vector (as given, not normalized)

  static constexpr HitFields IdsOnly() { return {false, false, false, false}; }
  static constexpr HitFields All() { return {true, true, true, true}; }
  friend bool operator==(const HitFields&, const HitFields&) = default;
};

// How DB::Query ranks stored texts for a text query.
enum class QueryMode {
  kHybrid,  // the bm25 and dense lists fused (QueryOptions::fusion)
  kDense,   // the query embedded with the database's model, searched in the vector index
  kBm25,    // BM25 over the full-text index (words, "phrases", +required, -excluded)
};
// "hybrid", "dense" or "bm25".
std::string_view QueryModeName(QueryMode mode);
std::optional<QueryMode> ParseQueryMode(std::string_view name);

// How a hybrid query combines its two lists (QueryOptions::fusion).
enum class Fusion { kConvex, kRrf };
// "convex" or "rrf".
std::string_view FusionName(Fusion fusion);
std::optional<Fusion> ParseFusion(std::string_view name);

// BM25 statistics of a corpus, for scoring one shard of a collection as the whole collection
// would be scored (DB::TermStatistics gathers them; the sum over every shard's gives the
// collection's). Each count is what the BM25 scorer uses:
//   documents     live records in the full-text index (records without text included)
//   total_length  the sum of their lengths in analyzed terms (avgdl = total_length / documents)
//   frequencies   document frequency per query clause, keyed by the clause's analyzed text:
//                 a term as the full-text index stores it (after the database's analyzer), a
//                 phrase as its terms joined by single spaces ("quick brown"; a term never
//                 holds whitespace), a phrase whose terms are not at consecutive positions as
//                 each term followed by '@' and its position relative to the first
//                 ("apt@0 conf@2"). The df of a phrase counts the documents with an exact
//                 match. Required (+) and excluded (-) clauses are keyed the same way.
//   constrained   some text has a +required or -excluded clause, so hybrid queries fuse only
//                 the documents of the bm25 list (see QueryOptions::fusion)
// Adding two (operator+=) sums the counts, df per key, and ors `constrained`.
struct CorpusStatistics {
  uint64_t documents = 0;
  uint64_t total_length = 0;
  std::map<std::string, uint64_t> frequencies;
  bool constrained = false;

  CorpusStatistics& operator+=(const CorpusStatistics& other) {
    documents += other.documents;
    total_length += other.total_length;
    for (const auto& [key, df] : other.frequencies) frequencies[key] += df;
    constrained = constrained || other.constrained;
    return *this;
  }
  friend bool operator==(const CorpusStatistics&, const CorpusStatistics&) = default;
};

struct QueryOptions {
  int k = 10;  // hits wanted (> 0)
  QueryMode mode = QueryMode::kHybrid;
  // Metadata filter in the JSON style of other vector stores: {"lang": "en", "year":
  // {"$gte": 2000}, "$or": [...]} with $eq $ne $gt $gte $lt $lte $in $nin $and $or $exists
  // $contains $startswith $regex (engine/metadata_filter.h has the details). A field no stored
  // record has is InvalidArgument naming similar fields. Results are the true top k among
  // the matching records. Default: "" (no filter).
  std::string where;
  // BM25 parameters. Defaults: 1.2 and 0.75.
  float bm25_k1 = 1.2f;
  float bm25_b = 0.75f;
  // How hybrid queries fuse the bm25 and dense lists (each `fusion_depth` deep):
  //   kConvex  each list's scores min-max normalized to [0, 1] over its candidates (a document
  //            missing from a list scores 0 there); fused = (1 - w) * bm25 + w * dense.
  //   kRrf     reciprocal rank fusion: (1 - w) / (rrf_k + bm25 rank) + w / (rrf_k + dense rank).
  // w is `dense_weight`, in [0, 1]. When the query has +required or -excluded clauses only
  // documents of the bm25 list (which obey them) are fused. Ties go to the lower internal id.
  // Defaults: convex, w 0.1, depth 100, rrf_k 60 (chosen on two evals: docs/benchmarks.md).
  Fusion fusion = Fusion::kConvex;
  float dense_weight = 0.1f;
  int fusion_depth = 100;
  int rrf_k = 60;
  // Fill Hit::highlights with the query's words in each hit's text. Default: false.
  bool highlight = false;
  // Return one hit per distinct text: a record whose text equals, byte for byte, that of a
  // better-ranked hit (a file ingested twice under two names, GPL.txt and GPL-3.txt) is left
  // out, and the hits are the top k among the distinct texts. Records without text are never
  // left out. Default: true.
  bool dedupe = true;
  // Index search parameters (see SearchOptions).
  int ef_search = 0;
  int nprobe = 0;
  // What each hit carries. Default: id, score, text, metadata and source.
  HitFields fields;
  // BM25 statistics to score with instead of this database's own (mode bm25 and the bm25
  // list of hybrid): N = statistics->documents, avgdl = total_length / documents, and the df
  // of each clause from `frequencies` (a clause missing from the map has df 0, so the
  // statistics must have been gathered for the same texts). Which documents match is
  // unchanged: only their scores follow the statistics. Default: null, this database's own.
  std::shared_ptr<const CorpusStatistics> statistics;
};

// Names a write so that it is applied at most once: a writer (a non-empty name the caller
// chooses, e.g. one per shard client) and a sequence > 0 that grows with each of its writes
// (gaps allowed). The database keeps, per writer, the highest sequence applied, in the same
// atomic batch as the write itself.
struct WriteTag {
  std::string writer;
  uint64_t sequence = 0;
};

struct SearchOptions {
  // Number of hits wanted (> 0).
  int k = 10;
  // HNSW: size of the dynamic candidate list (0 = the index spec's ef=, else 64; at least
  // k). Larger finds more of the true neighbours and costs time in proportion.
  int ef_search = 0;
  // IVF: number of inverted lists probed (0 = the index's default).
  int nprobe = 0;
  // Metadata filter, the language of QueryOptions::where. Hits are the top k among the
  // matching records as the index ranks them: a small matching set (at most a tenth of the
  // records, or 4,096) is scored exactly, a larger one is searched with the filter applied
  // inside the index (HNSW walk, IVF scan, flat scan). Default: "" (no filter).
  std::string where;
  // What each hit carries. Default: id, score, text, metadata and source.
  HitFields fields;
};

// ---- Scans (DB::ScanRecords) ---------------------------------------------------------------

// What DB::ScanRecords visits and what each record carries: its id always; the rest as asked.
struct ScanOptions {
  // A metadata filter in the language of QueryOptions::where; "" visits every record.
  std::string where;
  // Fields filled in each visited Record. Defaults: text, metadata and source yes, vector no.
  bool with_text = true;
  bool with_metadata = true;
  bool with_source = true;
  bool with_vector = false;
};

}  // namespace quiver

#endif  // QUIVER_OPTIONS_H_
