// The model store: the database's tokenizer and embedding model as kept in the `model`
// column family — loading them (cached), and replacing them by import, training or a copy
// from another database. Each replacement is one atomic write of every model part.
#ifndef QUIVER_ENGINE_MODEL_STORE_H_
#define QUIVER_ENGINE_MODEL_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "embed/embedding_matrix.h"
#include "embed/pooling.h"
#include "embed/sentence_model.h"
#include "engine/commit.h"
#include "ingest/source_reader.h"
#include "quiver/db.h"
#include "quiver/options.h"
#include "quiver/status.h"
#include "quiver/types.h"
#include "storage/store.h"
#include "tokenizer/tokenizer.h"
#include "util/mutex.h"

namespace quiver::engine {

// What SIF pooling needs besides the matrix: token counts and the component removed.
struct SifParts {
  std::vector<int64_t> token_counts;
  std::vector<float> component;
};

// A stored embedding model, loaded: a token table (matrix and pooler) or a sentence encoder.
struct LoadedModel {
  const Tokenizer* tokenizer = nullptr;
  // Set for a sentence encoder, which has no matrix, SIF parts or pooler.
  std::unique_ptr<embed::SentenceEncoder> encoder;
  embed::EmbeddingMatrix unit_rows;  // the matrix with rows scaled to unit length
  embed::EmbeddingMatrix matrix;
  SifParts sif;                         // empty for mean pooling
  std::optional<embed::Pooler> pooler;  // refers to `matrix` and `sif`
  ModelInfo info;
};

// Produces lines of training text: calls `visit` with each, and may be called several times
// (producing the same lines each time). As it goes it calls `at` (when not empty) with how far
// it is, `done` of `total` bytes of its input (0 first, then after each file). An error of
// either callback stops it and is returned.
using LineVisitor = std::function<Status(const std::string&)>;
using PositionVisitor = std::function<Status(uint64_t done, uint64_t total)>;
using LineSource = std::function<Status(const LineVisitor& visit, const PositionVisitor& at)>;

// The two parts of ModelStore::Train, in order.
enum class TrainPart { kTokenizer, kModel };
// Training progress: `done` of `total` `unit`s of `part` (see IngestProgress, whose training
// phases these are). Returning false stops the training, which returns Cancelled.
using TrainProgress =
    std::function<bool(TrainPart part, uint64_t done, uint64_t total, std::string_view unit)>;

// Thread-safe. Pointers it returns stay valid until Forget(), which the database calls only
// while no reader can hold one (its state lock held exclusively).
class ModelStore {
 public:
  // `root` names the database in messages; models must have `dimension` columns.
  ModelStore(storage::Store* store, std::string root, int dimension)
      : store_(store), root_(std::move(root)), dimension_(dimension) {}

  // The stored tokenizer; NotFound when there is none.
  Result<const Tokenizer*> GetTokenizer() EXCLUDES(tokenizer_mu_);
  // The stored embedding model; NotFound when there is none.
  Result<const LoadedModel*> GetModel() EXCLUDES(model_mu_, tokenizer_mu_);
  // Drops the cached tokenizer and model (after the stored ones changed).
  void Forget() EXCLUDES(model_mu_, tokenizer_mu_);

  // With kRefuse: InvalidArgument when the database already has a tokenizer or model.
  Status CheckNoModel(ExistingModel existing);
  // The replacements below store a new model in one batch; call Forget() afterwards.
  Status ImportWordVectors(const std::string& path, std::string_view format);
  Status ImportSafetensors(const std::string& path, const std::string& tensor,
                           const std::string& tokenizer_path);
  // Reads the sentence-transformers model directory `dir` (see DB::ImportModel).
  Status ImportModel(const std::string& dir, const ModelImportOptions& options);
  // Learns a tokenizer and PPMI+SVD token vectors (pooled with SIF) from `lines`, reporting
  // to `progress` (may be empty). InvalidArgument when `lines` holds no text; Cancelled when
  // `progress` returned false (nothing is stored then).
  Status Train(const LineSource& lines, const std::string& description, const TrainOptions& options,
               const TrainProgress& progress = nullptr);
  // Copies every model part of the database at `path`, which must have a model of this
  // dimension.
  Status CopyFrom(const std::string& path);
  // InvalidArgument naming both models unless the database at `other_path` has `model`.
  Status CheckSameModel(const LoadedModel& model, const std::string& other_path);

 private:
  // Stores tokenizer, matrix and description in one batch, replacing any model; `source`
  // names where the model came from. With `sif` the model pools with SIF, else with mean.
  Status Store(const Tokenizer& tokenizer, const embed::EmbeddingMatrix& matrix,
               const std::string& source, const SifParts* sif = nullptr);
  Result<std::unique_ptr<LoadedModel>> Load(const Tokenizer* tokenizer);
  // Loads the stored sentence encoder described by `info` (the model's info entry).
  Result<std::unique_ptr<LoadedModel>> LoadEncoder(const Tokenizer& tokenizer,
                                                   const ModelInfo& info);
  Result<SifParts> LoadSifParts(int64_t rows, int64_t cols);

  storage::Store* const store_;
  const std::string root_;
  const int dimension_;
  util::Mutex tokenizer_mu_ ACQUIRED_AFTER(model_mu_);
  std::unique_ptr<Tokenizer> tokenizer_ GUARDED_BY(tokenizer_mu_);
  util::Mutex model_mu_;
  std::unique_ptr<LoadedModel> model_ GUARDED_BY(model_mu_);
  bool model_absent_ GUARDED_BY(model_mu_) = false;  // the store has no model
};

// NotSupported unless `model` is a token table: `what` (e.g. "token vectors") needs one.
Status CheckTokenTable(const LoadedModel& model, std::string_view what);

// The matrix row of `token`: text the tokenizer turns into exactly one token, else a
// vocabulary entry as written; NotFound otherwise.
Result<int64_t> TokenRow(const LoadedModel& model, std::string_view token);

// The info entry's "kind" of a sentence encoder (token tables have none).
inline constexpr std::string_view kSentenceEncoderKind = "sentence-encoder";

// `text` embedded with a sentence encoder as a query, with its tokens (special tokens left
// out) and their contextual vectors (the last layer's states).
Result<EmbeddedText> EmbedWithEncoder(const embed::SentenceEncoder& encoder, std::string_view text);

// `text` embedded with `model` (see DB::Embed).
Result<EmbeddedText> EmbedText(const LoadedModel& model, std::string_view text);
// The query.k vocabulary entries nearest to `query` (see DB::Neighbors).
Result<std::vector<TokenScore>> NearestTokens(const LoadedModel& model, const NeighborQuery& query);

// OK when text queries and ingest may use `model`: no record is stored, or the stored
// vectors were computed by it. InvalidArgument naming both otherwise.
Status CheckVectorsMatchModel(const LoadedModel& model, const Counters& counters);

// The corpus files, listed as ingest lists a collection (ingest::ListCollection: files as
// given, directories expanded to the files whose content is text). InvalidArgument when none
// is text.
Result<std::vector<std::string>> CorpusFiles(const std::vector<std::string>& corpus);
// Cuts a document's text into training lines for `visit`.
using TextSplitter = std::function<Status(std::string_view text, const LineVisitor& visit)>;
// The lines `split` cuts from every document of `files`, in order, each file read as ingest
// reads it with `reader` (gzip decompressed, the texts of .jsonl and .csv records, invalid
// UTF-8 repaired); its position is in bytes of the files on disk. A file that cannot be read
// stops the scan with its error, or with `skip_unreadable` is left out.
LineSource TextsOfFiles(std::vector<std::string> files, ingest::ReaderOptions reader,
                        TextSplitter split, bool skip_unreadable);
// TextsOfFiles with the default reader, each non-empty line a training line, and a file
// that cannot be read an error (DB::TrainModel's corpus).
LineSource LinesOfFiles(std::vector<std::string> files);
// The sizes of `files` on disk (0 for one that cannot be examined), and their sum.
std::vector<uint64_t> FileSizes(const std::vector<std::string>& files, uint64_t* total);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_MODEL_STORE_H_
