// quiver::DB is an embedded vector database: records (id, vector, text, metadata) are stored
// durably in RocksDB and searched through a FAISS index that always recovers from the store.
//
// A DB is safe for concurrent use by many threads: reads and searches run in parallel, writes
// are serialized. Only one process may open a database for writing; other processes may open
// it with Options::read_only while the writer holds it.
#ifndef QUIVER_DB_H_
#define QUIVER_DB_H_

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/options.h"
#include "quiver/status.h"
#include "quiver/types.h"

namespace quiver {

// What DB::Neighbors looks for, as gensim's most_similar(positive, negative) does: the query is
// the mean of the unit-length vectors of the `positive` tokens, the negated unit-length vectors
// of the `negative` tokens and `vector` as given (when not empty), and the answer is the `k`
// vocabulary entries most similar to it by cosine, the query tokens themselves left out.
// "king - man + woman" is {.positive = {"king", "woman"}, .negative = {"man"}}.
struct NeighborQuery {
  std::vector<std::string> positive;
  std::vector<std::string> negative;
  std::vector<float> vector;  // a raw query vector of the model's dimension; none when empty
  int k = 10;
};

// What a write left behind, for a caller that must know after an error whether it is stored.
struct WriteOutcome {
  // The write's atomic batch is durable: it survives a crash and the next open sees it,
  // though the call failed. Errors after the batch come from keeping the derived indexes
  // (writing their checkpoints, e.g. on a full disk), which the next open recovers from
  // the stored records.
  bool stored = false;
  // The write carried a WriteTag whose sequence its writer had already reached: nothing was
  // written (stored stays false) and the call returned OK.
  bool already_applied = false;
};

// What DB::Backup copied.
struct BackupSummary {
  uint64_t sequence = 0;  // the operation-log sequence the copy holds everything through
  uint64_t records = 0;   // live records in the copy
  double seconds = 0;
};

// A text query's hits and what the engine noticed while answering it (DB::QueryWithReport).
struct QueryResult {
  std::vector<Hit> hits;
  // The embedding model knows none of the query's words (see DB::QueryWithReport), so the
  // query has no dense ranking: mode dense returns no hits and hybrid ranks by BM25 alone.
  // False in mode bm25.
  bool no_known_words = false;
};

class DB {
 public:
  // Opens the database in directory `path`, creating it if options.create_if_missing.
  // Busy if another process has it open for writing; NotSupported if it was written by a
  // newer format version; InvalidArgument if `path` is not a quiver database.
  static Result<std::unique_ptr<DB>> Open(const Options& options, const std::string& path);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes the database if Close() was not called; errors are reported on stderr.
  virtual ~DB() = default;

  // Inserts or replaces `records` as one atomic write: after a crash either all of them are
  // stored or none is. When an id occurs twice in the batch the last one wins. Every vector
  // must have the database's dimension and finite components; nothing is written otherwise.
  // A failed write or sync is IOError ("No space left on device" when the disk is full), and
  // the database stays consistent and opens normally once the cause is gone. `outcome`, when
  // given, says whether the records were stored in spite of an error.
  //
  // With `tag` (see WriteTag; InvalidArgument for an empty writer or sequence 0), the write is
  // applied only when tag->sequence is above the highest sequence applied for tag->writer,
  // which the same batch then raises to it; otherwise nothing is written and the call returns
  // OK with outcome->already_applied. So a retried write, after a crash or a lost reply, is
  // applied exactly once. The sequences survive reopening, Compact, Backup and Reembed.
  virtual Status Upsert(const std::vector<Record>& records, WriteOutcome* outcome = nullptr,
                        const WriteTag* tag = nullptr) = 0;

  // Checks `record` as Upsert would (id, dimension, finite components, metadata is a JSON
  // object) without writing anything.
  virtual Status CheckRecord(const Record& record) const = 0;

  // Removes the records with these ids in one atomic write. It is not an error if an id
  // does not exist; `removed`, when given, receives how many did. Errors and `outcome` as
  // for Upsert. With `tag`, applied at most once as for Upsert (`removed` is 0 when it was
  // already applied).
  virtual Status Delete(const std::vector<std::string>& ids, size_t* removed = nullptr,
                        WriteOutcome* outcome = nullptr, const WriteTag* tag = nullptr) = 0;

  // The highest WriteTag sequence applied for `writer`; 0 when it never wrote.
  virtual Result<uint64_t> LastWriteSequence(std::string_view writer) = 0;

  // The stored record with this id, or NotFound.
  virtual Result<Record> Get(const std::string& id) = 0;

  // Up to options.k nearest records to `query`, best first. An empty database gives no hits.
  virtual Result<std::vector<Hit>> Search(std::span<const float> query,
                                          const SearchOptions& options) = 0;

  // Splits `text` with the tokenizer the database was created with (Options::tokenizer_file);
  // with `add_special_tokens`, the tokens the model adds (BOS) are included. NotFound when
  // the database has no tokenizer.
  virtual Result<Tokenization> Tokenize(std::string_view text, bool add_special_tokens = true) = 0;

  // Gives the database an embedding model made of word vectors (GloVe or word2vec text,
  // word2vec binary, fastText .vec; `format` "auto" detects which) with a word tokenizer over
  // their vocabulary, in one atomic write. The vectors' dimension must equal the database's.
  // InvalidArgument when the database already has a tokenizer or a model.
  virtual Status ImportWordVectors(const std::string& path, std::string_view format = "auto",
                                   ExistingModel existing = ExistingModel::kRefuse) = 0;

  // Gives the database an embedding model made of an LLM's token-embedding layer: the 2-D
  // tensor `tensor` ("" = model.embed_tokens.weight; F32, F16 or BF16) of a safetensors file,
  // or of a sharded checkpoint (a directory or its model.safetensors.index.json), with the
  // tokenizer in `tokenizer_path`. The tensor must have one row per tokenizer entry and the
  // database's dimension.
  //
  // When the database already has a tokenizer or model: InvalidArgument with kRefuse; with
  // kReplace the new model replaces it in one atomic write (so for every Import and Train).
  virtual Status ImportSafetensors(const std::string& path, const std::string& tensor,
                                   const std::string& tokenizer_path,
                                   ExistingModel existing = ExistingModel::kRefuse) = 0;

  // Gives the database a sentence-embedding model: a sentence-transformers model directory
  // (config.json, tokenizer.json, model.safetensors or its shards, modules.json,
  // 1_Pooling/config.json, sentence_bert_config.json, config_sentence_transformers.json,
  // 2_Normalize) of a BertModel (MiniLM, BGE, E5, GTE) or XLMRobertaModel (multilingual E5).
  // Its weights are stored in the database, which stays self-contained. Texts are embedded as
  // sentence-transformers does it, with the document prompt at ingest and the query prompt at
  // query time; ingest chunks fit the model's max_seq_length. The model's hidden size must
  // equal the database's dimension. Errors name the file at fault; other architectures or
  // modules are NotSupported. An existing model is handled as `options.existing` says.
  virtual Status ImportModel(const std::string& directory,
                             const ModelImportOptions& options = {}) = 0;

  // Learns an embedding model from the text files in `corpus` (one sentence or paragraph per
  // line): a sentencepiece tokenizer, then token vectors of the database's dimension by
  // positive PMI + truncated SVD of co-occurrence counts, pooled with SIF. Memory is bounded
  // by the vocabulary, not by the corpus. Each corpus path is a file or a directory (its
  // .txt/.md files, recursively).
  virtual Status TrainModel(const std::vector<std::string>& corpus,
                            const TrainOptions& options) = 0;

  // Describes the database's embedding model; NotFound when it has none.
  virtual Result<ModelInfo> GetModelInfo() = 0;

  // The model's vector for `token`: text the tokenizer turns into exactly one token ("King"
  // for a lower-casing word model, "king" -> "▁king" for sentencepiece), or else a vocabulary
  // entry as written. NotFound otherwise.
  // NotSupported for a sentence encoder (so for Neighbors).
  virtual Result<std::vector<float>> TokenVector(std::string_view token) = 0;

  // The query.k vocabulary entries most similar to the query (see NeighborQuery) by cosine,
  // best first, the query's tokens excluded. Tokens are read as TokenVector reads them;
  // NotFound names the first unknown one (with similar vocabulary entries, if any).
  // InvalidArgument when the query has no term, when `vector` has another dimension than the
  // model or a non-finite component, when the terms cancel out (a zero query), or k <= 0.
  virtual Result<std::vector<TokenScore>> Neighbors(const NeighborQuery& query) = 0;

  // The `k` vocabulary entries most similar to `token`: Neighbors({.positive = {token}, .k = k}).
  Result<std::vector<TokenScore>> Neighbors(std::string_view token, int k) {
    NeighborQuery query;
    query.positive.emplace_back(token);
    query.k = k;
    return Neighbors(query);
  }

  // Tokenizes `text` and pools its token vectors into one vector with the model's pooling
  // rule. A text none of whose tokens is known gives a zero vector (known_tokens == 0).
  // A sentence encoder embeds `text` as a query (with its query prompt, the vector dense
  // queries search with); its tokens are the model's input without the special tokens, and
  // their vectors the last layer's states.
  virtual Result<EmbeddedText> Embed(std::string_view text) = 0;

  // Reads the files and directories in `paths` (.txt, .md, .jsonl, .csv, gzip-compressed or
  // not), cuts their texts into chunks, embeds and indexes them, each source file in one
  // atomic write. A source whose content is unchanged is skipped; a changed one has all its
  // chunks replaced. Binary and unreadable files are skipped with a warning. A database
  // without a model first gets one (options.model_from, else trained on the collection).
  // InvalidArgument when the stored vectors were made by another model (see Reembed).
  virtual Result<IngestSummary> Ingest(const std::vector<std::string>& paths,
                                       const IngestOptions& options) = 0;

  // The options.k stored texts that best answer `text` (see QueryMode), best first. Modes
  // dense and hybrid need the database's model (NotFound without one; InvalidArgument when it
  // did not compute the stored vectors, see Reembed); mode bm25 needs none.
  virtual Result<std::vector<Hit>> Query(std::string_view text, const QueryOptions& options) = 0;

  // Query, and whether the embedding model knew any word of `text` (QueryResult). A word is
  // known when the tokenizer makes it one token of the model's vocabulary or the full-text
  // index holds it (the collection uses it); a text made only of other words — "qqqzzzxx",
  // cut into pieces a subword model has for any string — has no dense ranking rather than a
  // confident nonsense one. A sentence encoder knows every text. Query(text, options) is
  // QueryWithReport(text, options)->hits.
  virtual Result<QueryResult> QueryWithReport(std::string_view text,
                                              const QueryOptions& options) = 0;

  // The options.k records most similar to the stored record `id` (itself excluded), by its
  // stored vector (mode dense) or its text (bm25, hybrid). NotFound when there is no such id.
  virtual Result<std::vector<Hit>> QueryLike(const std::string& id,
                                             const QueryOptions& options) = 0;

  // Recomputes every stored record's vector from its text with the database's current model,
  // and rebuilds the indexes, all at once: after a crash either the old vectors and index or
  // the new ones are in use, never a mixture.
  virtual Result<ReembedSummary> Reembed() = 0;

  // Rebuilds the full-text index from the stored texts with the analyzer of `language` (see
  // Options::analyzer) and records the choice; InvalidArgument for an unknown language. The
  // old index answers queries until the new one replaces it.
  virtual Status Reindex(const std::string& language) = 0;

  virtual Result<Stats> GetStats() = 0;

  // Checks that the store is internally consistent, that its checksums hold, and that the
  // vector index holds exactly the stored records and the full-text index exactly their
  // analyzed texts. OK only then; otherwise Corruption naming the first problem found.
  virtual Status Verify() = 0;

  // Rebuilds the vector index from the stored vectors and the full-text index without its
  // deleted documents, writes their checkpoints and compacts the store.
  virtual Status Compact() = 0;

  // Writes a consistent copy of the database to the new directory `dest` while other
  // threads go on reading and writing (writers wait only while the store's files are
  // linked): the store as of one operation-log sequence and the index checkpoints that
  // go with it, hard-linked where the file system allows and copied where not. The copy is
  // built under `dest`.partial and renamed to `dest` once whole, so `dest` never holds half
  // a copy (a leftover `dest`.partial is replaced by the next backup). InvalidArgument when
  // `dest` exists; NotSupported for a read-only DB.
  virtual Result<BackupSummary> Backup(const std::string& dest) = 0;

  // ---- Sharded collections ----
  // This database's BM25 statistics for the query texts (see CorpusStatistics): its document
  // count and total length, and the df of every clause of every text, parsed as Query parses
  // it. Summed over the shards of a collection and passed as QueryOptions::statistics to each
  // shard, they make every shard score each document exactly (bit for bit) as one database
  // holding the whole collection would.
  virtual Result<CorpusStatistics> TermStatistics(const std::vector<std::string>& texts) = 0;

  // Trains the vector index (IVF coarse quantizer, PQ codebooks) on `sample` (n × dimension
  // floats, row major) instead of on the first vectors added, and re-indexes the stored
  // vectors under the new training. The training is stored in the database, so reopening,
  // recovery and Compact reuse it. InvalidArgument when the index needs no training (Flat,
  // HNSW), when `sample` is not a whole number of vectors or holds fewer than the index
  // needs (naming how many), or holds a non-finite component.
  virtual Status TrainIndex(std::span<const float> sample) = 0;
  // The trained, empty index as bytes (FAISS's serialization in quiver's training format),
  // for SetIndexTraining on another database; also for an index that trained itself on its
  // first vectors. NotFound while the index is not trained; InvalidArgument when it needs no
  // training (Flat, HNSW).
  virtual Result<std::string> IndexTraining() = 0;
  // Adopts a training made by IndexTraining of a database with the same index spec,
  // dimension and metric (InvalidArgument otherwise, or for bytes that are not one), stores
  // it and re-indexes the stored vectors under it: after a crash either the old training
  // and index or the new ones are in use. Databases sharing a training and holding a split
  // of a collection give, at the same nprobe, the results of one database holding it all.
  virtual Status SetIndexTraining(std::string_view bytes) = 0;

  // ---- Batches ----
  // Search for each of n query vectors, given one after another (n × dimension floats, row
  // major; InvalidArgument unless a whole number of vectors): result i is exactly what
  // Search(query i, options) returns. The queries are spread over the cores. An error in any
  // query fails the call, naming the first failing query's number (0-based).
  virtual Result<std::vector<std::vector<Hit>>> SearchBatch(std::span<const float> queries,
                                                            const SearchOptions& options) = 0;
  // Query for each text, spread over the cores: result i is exactly what Query(texts[i],
  // options) returns; errors as for SearchBatch.
  virtual Result<std::vector<std::vector<Hit>>> QueryBatch(const std::vector<std::string>& texts,
                                                           const QueryOptions& options) = 0;
  // QueryWithReport for each text, as QueryBatch.
  virtual Result<std::vector<QueryResult>> QueryBatchWithReport(
      const std::vector<std::string>& texts, const QueryOptions& options) = 0;

  // ---- Scans ----
  // Visits the records options.where matches (all when empty), in id order (bytewise), each
  // with its id and the fields `options` asks for (the others left empty). A visitor's non-OK
  // Status stops the scan and is returned. The scan reads the store as it goes: records
  // written meanwhile may or may not be visited. The visitor must not write to this database
  // (the scan holds it for reading). InvalidArgument for a bad filter, as for Query.
  using RecordVisitor = std::function<Status(const Record& record)>;
  virtual Status ScanRecords(const ScanOptions& options, const RecordVisitor& visit) = 0;
  // Visits every ingested source file, in path order; as ScanRecords otherwise.
  using SourceVisitor = std::function<Status(const SourceInfo& source)>;
  virtual Status ScanSources(const SourceVisitor& visit) = 0;

  // Writes the index checkpoints (unless read-only) and releases the database. Further calls
  // on this object return an error. Idempotent.
  virtual Status Close() = 0;
};

}  // namespace quiver

#endif  // QUIVER_DB_H_
