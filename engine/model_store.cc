#include "engine/model_store.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "embed/cooccurrence.h"
#include "embed/ppmi_svd.h"
#include "embed/safetensors.h"
#include "embed/token_table.h"
#include "embed/word_vectors.h"
#include "engine/layout.h"
#include "ingest/source_reader.h"
#include "storage/keys.h"
#include "util/similar_strings.h"
#include "util/strings.h"

namespace quiver::engine {
namespace {

namespace mk = storage::meta_key;
namespace model_key = storage::model_key;

std::string_view Bytes(const void* data, size_t size) {
  return {static_cast<const char*>(data), size};
}

// `progress`'s verdict as a Status: Cancelled when it asks to stop.
Status Report(const TrainProgress& progress, TrainPart part, uint64_t done, uint64_t total,
              std::string_view unit) {
  if (!progress || progress(part, done, total, unit)) return Status::OK();
  return Status::Cancelled("training the embedding model was cancelled");
}

// A sentencepiece tokenizer learned from the first lines of `lines`, which it also returns.
// Reads no further than the sample needs.
Result<std::unique_ptr<Tokenizer>> TrainTokenizerOn(const LineSource& lines,
                                                    const TrainOptions& options,
                                                    const TrainProgress& progress,
                                                    std::vector<std::string>* sample) {
  const Status full = Status::Cancelled("the tokenizer's sample is full");
  uint64_t total = 0;
  bool sampled = false;  // stopped because the sample is full
  Status read = lines(
      [&](const std::string& line) {
        sample->push_back(line);
        sampled = sample->size() >= options.tokenizer_sentences;
        return sampled ? full : Status::OK();
      },
      [&](uint64_t done, uint64_t all) {
        total = all;
        return Report(progress, TrainPart::kTokenizer, done, all, "bytes");
      });
  if (!sampled) QUIVER_RETURN_IF_ERROR(read);
  QUIVER_RETURN_IF_ERROR(Report(progress, TrainPart::kTokenizer, total, total, "bytes"));
  if (sample->empty()) {
    return Status::InvalidArgument("found no text to train a tokenizer on");
  }
  QUIVER_RETURN_IF_ERROR(Report(progress, TrainPart::kTokenizer, 0, sample->size(), "lines"));
  SentencePieceTrainOptions spm;
  spm.vocab_size = options.vocab_size;
  spm.seed = options.seed;
  spm.preserve_text = false;
  spm.case_fold = options.case_fold;
  spm.hard_vocab_limit = false;  // a small corpus gets a smaller vocabulary, not an error
  spm.max_sentence_length = 1 << 16;
  auto tokenizer = TrainSentencePiece(*sample, spm);
  if (!tokenizer.ok()) return tokenizer.status().WithContext("training the tokenizer");
  QUIVER_RETURN_IF_ERROR(
      Report(progress, TrainPart::kTokenizer, sample->size(), sample->size(), "lines"));
  return std::move(*tokenizer);
}

// The first principal component of SIF-averaged vectors of (up to 10,000) sample sentences.
Result<std::vector<float>> SifComponent(const Tokenizer& tokenizer,
                                        const embed::EmbeddingMatrix& matrix,
                                        const std::vector<int64_t>& token_counts,
                                        const std::vector<std::string>& sample) {
  QUIVER_ASSIGN_OR_RETURN(
      embed::Pooler pooler,
      embed::Pooler::Create(matrix, {.method = embed::PoolingMethod::kSif}, token_counts));
  std::vector<float> sentence_vectors, average(matrix.cols);
  for (size_t i = 0; i < sample.size() && i < 10000; ++i) {
    auto ids = tokenizer.EncodeIds(sample[i], {.add_special_tokens = false});
    if (!ids.ok() || pooler.Average(*ids, average) == 0) continue;
    sentence_vectors.insert(sentence_vectors.end(), average.begin(), average.end());
  }
  auto component =
      embed::EstimateFirstPrincipalComponent(sentence_vectors, static_cast<int>(matrix.cols));
  if (!component.ok()) return component.status().WithContext("estimating the SIF component");
  return std::move(*component);
}

// The stored model's info entry; null when there is none.
Result<nlohmann::json> ReadModelInfo(storage::Store& store) {
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> text, store.GetModel(model_key::kInfo));
  if (!text.has_value()) return nlohmann::json();
  return nlohmann::json::parse(*text, nullptr, false);
}

}  // namespace

Result<const Tokenizer*> ModelStore::GetTokenizer() {
  util::MutexLock lock(&tokenizer_mu_);
  if (tokenizer_ != nullptr) return static_cast<const Tokenizer*>(tokenizer_.get());
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> blob, store_->GetModel(model_key::kTokenizer));
  if (!blob.has_value()) {
    return Status::NotFound("database " + root_ + " has no tokenizer (give one when creating it)");
  }
  auto loaded = LoadTokenizerBlob(*blob);
  if (!loaded.ok()) return loaded.status().WithContext("the stored tokenizer");
  tokenizer_ = std::move(*loaded);
  return static_cast<const Tokenizer*>(tokenizer_.get());
}

Result<const LoadedModel*> ModelStore::GetModel() {
  const Status absent =
      Status::NotFound("database " + root_ + " has no embedding model (import word vectors first)");
  {
    util::MutexLock lock(&model_mu_);
    if (model_ != nullptr) return static_cast<const LoadedModel*>(model_.get());
    if (model_absent_) return absent;  // every Upsert asks: spare it the store lookups
  }
  auto tokenizer = GetTokenizer();
  util::MutexLock lock(&model_mu_);
  if (model_ != nullptr) return static_cast<const LoadedModel*>(model_.get());
  if (!tokenizer.ok() && !tokenizer.status().IsNotFound()) return tokenizer.status();
  auto loaded = Load(tokenizer.ok() ? *tokenizer : nullptr);
  if (loaded.status().IsNotFound()) {
    model_absent_ = true;
    return absent;
  }
  if (!loaded.ok()) return loaded.status();
  model_ = std::move(*loaded);
  return static_cast<const LoadedModel*>(model_.get());
}

Result<std::unique_ptr<LoadedModel>> ModelStore::Load(const Tokenizer* tokenizer) {
  if (tokenizer == nullptr) return Status::NotFound("no model");
  QUIVER_ASSIGN_OR_RETURN(nlohmann::json info, ReadModelInfo(*store_));
  if (info.is_null()) return Status::NotFound("no model");
  if (!info.is_object()) return Status::Corruption("the stored model's description is malformed");
  ModelInfo described;
  described.source = info.value("source", "");
  described.tokenizer_kind = std::string(tokenizer->kind_name());
  described.identity = info.value("identity", "");
  described.pooling = info.value("pooling", "mean");
  if (info.value("kind", "") == kSentenceEncoderKind) return LoadEncoder(*tokenizer, described);
  auto matrix = embed::DecodeMatrix([this](std::string_view key) { return store_->GetModel(key); });
  if (matrix.status().IsNotFound()) return Status::NotFound("no model");
  if (!matrix.ok()) return matrix.status().WithContext("the stored model");
  auto model = std::make_unique<LoadedModel>();
  model->tokenizer = tokenizer;
  model->info = std::move(described);
  model->info.vocab_size = matrix->rows;
  model->info.dimension = static_cast<int>(matrix->cols);
  embed::PoolingOptions pooling{.method = embed::PoolingMethod::kMean};
  if (model->info.pooling == "sif") {
    QUIVER_ASSIGN_OR_RETURN(model->sif, LoadSifParts(matrix->rows, matrix->cols));
    pooling.method = embed::PoolingMethod::kSif;
  } else if (model->info.pooling != "mean") {
    return Status::NotSupported("the stored model pools with '" + model->info.pooling +
                                "'; this quiver knows mean and sif");
  }
  model->unit_rows = embed::UnitRows(*matrix);
  model->matrix = std::move(*matrix);
  QUIVER_ASSIGN_OR_RETURN(
      embed::Pooler pooler,
      embed::Pooler::Create(model->matrix, pooling, model->sif.token_counts, model->sif.component));
  model->pooler.emplace(std::move(pooler));
  return model;
}

Result<SifParts> ModelStore::LoadSifParts(int64_t rows, int64_t cols) {
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> counts,
                          store_->GetModel(model_key::kTokenCounts));
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> component,
                          store_->GetModel(model_key::kSifComponent));
  if (!counts || counts->size() != static_cast<size_t>(rows) * 8 || !component ||
      component->size() != static_cast<size_t>(cols) * 4) {
    return Status::Corruption("the stored model's SIF statistics are missing or malformed");
  }
  SifParts sif;
  sif.token_counts.resize(rows);
  sif.component.resize(cols);
  std::memcpy(sif.token_counts.data(), counts->data(), rows * 8);
  std::memcpy(sif.component.data(), component->data(), cols * 4);
  return sif;
}

void ModelStore::Forget() {
  util::MutexLock model_lock(&model_mu_);
  util::MutexLock tokenizer_lock(&tokenizer_mu_);
  model_.reset();
  model_absent_ = false;
  tokenizer_.reset();
}

Status ModelStore::CheckNoModel(ExistingModel existing) {
  if (existing == ExistingModel::kReplace) return Status::OK();
  QUIVER_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                          store_->GetModel(model_key::kTokenizer));
  if (stored.has_value()) {
    return Status::InvalidArgument("database " + root_ +
                                   " already has a tokenizer or model (replace it, then "
                                   "reembed, or create a new database for another model)");
  }
  return Status::OK();
}

Status ModelStore::Store(const Tokenizer& tokenizer, const embed::EmbeddingMatrix& matrix,
                         const std::string& source, const SifParts* sif) {
  if (matrix.cols != dimension_) {
    return Status::InvalidArgument(source + " has " + std::to_string(matrix.cols) +
                                   " dimensions; this database stores " +
                                   std::to_string(dimension_));
  }
  QUIVER_ASSIGN_OR_RETURN(std::string blob, tokenizer.Serialize());
  const auto& data = matrix.data;
  const std::string identity =
      embed::Fingerprint({blob, Bytes(data.data(), data.size() * sizeof(float))});
  // Imported embeddings carry no token frequencies, so they pool with mean (SIF needs them).
  const nlohmann::json info = {
      {"source", source}, {"identity", identity}, {"pooling", sif ? "sif" : "mean"}};
  storage::WriteBatch batch;
  batch.ClearModel();
  if (sif != nullptr) {
    const auto& counts = sif->token_counts;
    batch.PutModel(model_key::kTokenCounts, Bytes(counts.data(), counts.size() * 8));
    batch.PutModel(model_key::kSifComponent,
                   Bytes(sif->component.data(), sif->component.size() * sizeof(float)));
  }
  batch.PutModel(model_key::kTokenizer, blob);
  for (const auto& [key, value] : embed::EncodeMatrix(matrix)) batch.PutModel(key, value);
  batch.PutModel(model_key::kInfo, info.dump());
  return store_->Write(batch);
}

Status ModelStore::ImportWordVectors(const std::string& path, std::string_view format) {
  QUIVER_ASSIGN_OR_RETURN(embed::WordVectorFormat parsed, embed::ParseWordVectorFormat(format));
  QUIVER_ASSIGN_OR_RETURN(embed::WordVectors vectors,
                          embed::ReadWordVectors(path, {.format = parsed}));
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer, MakeWordTokenizer(vectors.words));
  return Store(*tokenizer, vectors.matrix,
               "word vectors " + path + " (" +
                   std::string(embed::WordVectorFormatName(vectors.format)) + ")");
}

Status ModelStore::ImportSafetensors(const std::string& path, const std::string& tensor,
                                     const std::string& tokenizer_path) {
  auto tokenizer = LoadTokenizerFile(tokenizer_path);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(tokenizer_path);
  QUIVER_ASSIGN_OR_RETURN(
      embed::EmbeddingMatrix matrix,
      embed::ReadSafetensorsEmbedding(
          path, tensor.empty() ? embed::kDefaultEmbeddingTensor : std::string_view(tensor)));
  const std::string layer = embed::EmbeddingShapeString(matrix.rows, matrix.cols);
  if (matrix.rows != (*tokenizer)->vocab_size()) {
    return Status::InvalidArgument("the tensor " + layer + " has " + std::to_string(matrix.rows) +
                                   " rows but the tokenizer " + tokenizer_path + " has " +
                                   std::to_string((*tokenizer)->vocab_size()) + " entries");
  }
  return Store(**tokenizer, matrix, "safetensors " + path + " " + layer);
}

Status ModelStore::Train(const LineSource& lines, const std::string& description,
                         const TrainOptions& options, const TrainProgress& progress) {
  // 1. A tokenizer from the first lines of the corpus.
  std::vector<std::string> sample;
  QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<Tokenizer> tokenizer,
                          TrainTokenizerOn(lines, options, progress, &sample));
  // 2. Co-occurrence counts over the whole corpus, streamed.
  QUIVER_ASSIGN_OR_RETURN(
      embed::CooccurrenceCounter counter,
      embed::CooccurrenceCounter::Create(tokenizer->vocab_size(), {.window = options.window}));
  QUIVER_RETURN_IF_ERROR(lines(
      [&](const std::string& line) {
        QUIVER_ASSIGN_OR_RETURN(std::vector<int32_t> ids,
                                tokenizer->EncodeIds(line, {.add_special_tokens = false}));
        counter.Add(ids);
        return Status::OK();
      },
      [&](uint64_t done, uint64_t total) {
        return Report(progress, TrainPart::kModel, done, total, "bytes");
      }));
  // 3. Token vectors by PPMI + truncated SVD; its steps, and the SIF estimate, are reported.
  embed::PpmiSvdOptions ppmi;
  ppmi.dim = dimension_;
  ppmi.cooccurrence.window = options.window;
  ppmi.seed = options.seed;
  const int steps = ppmi.power_iterations + 4;
  if (progress) {
    ppmi.on_step = [&](int done, int) { return progress(TrainPart::kModel, done, steps, "steps"); };
  }
  QUIVER_RETURN_IF_ERROR(Report(progress, TrainPart::kModel, 0, steps, "steps"));
  auto matrix = embed::TrainPpmiSvd(counter, ppmi);
  if (matrix.status().IsCancelled()) return matrix.status();
  if (!matrix.ok()) return matrix.status().WithContext("training token vectors");
  // 4. SIF: token counts, and the first principal component of sampled sentence vectors.
  SifParts sif{counter.token_counts(), {}};
  QUIVER_ASSIGN_OR_RETURN(sif.component,
                          SifComponent(*tokenizer, *matrix, sif.token_counts, sample));
  QUIVER_RETURN_IF_ERROR(Report(progress, TrainPart::kModel, steps, steps, "steps"));
  return Store(*tokenizer, *matrix,
               description + ", " + std::to_string(counter.total_tokens()) + " tokens", &sif);
}

Status ModelStore::CopyFrom(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::equivalent(path, root_, ec)) {
    return Status::InvalidArgument("the model database " + path + " is this database itself");
  }
  auto other =
      storage::Store::Open(Layout{path}.store_dir(), storage::Store::Mode::kReadOnly, false);
  if (!other.ok()) return other.status().WithContext("the model database " + path);
  QUIVER_ASSIGN_OR_RETURN(uint64_t dimension, (*other)->GetMetaU64(mk::kDimension, 0));
  if (static_cast<int>(dimension) != dimension_) {
    return Status::InvalidArgument("the model of " + path + " has " + std::to_string(dimension) +
                                   " dimensions; this database stores " +
                                   std::to_string(dimension_));
  }
  storage::WriteBatch batch;
  batch.ClearModel();
  size_t parts = 0;
  QUIVER_RETURN_IF_ERROR((*other)->ScanModel([&](std::string_view key, std::string_view value) {
    batch.PutModel(key, value);
    ++parts;
    return Status::OK();
  }));
  if (parts == 0) return Status::NotFound(path + " has no embedding model to reuse");
  return store_->Write(batch);
}

Status ModelStore::CheckSameModel(const LoadedModel& model, const std::string& other_path) {
  auto other =
      storage::Store::Open(Layout{other_path}.store_dir(), storage::Store::Mode::kReadOnly, false);
  if (!other.ok()) return other.status().WithContext("the model database " + other_path);
  QUIVER_ASSIGN_OR_RETURN(nlohmann::json info, ReadModelInfo(**other));
  if (!info.is_object()) return Status::NotFound(other_path + " has no embedding model to reuse");
  const std::string identity = info.value("identity", "");
  if (identity == model.info.identity) return Status::OK();
  return Status::InvalidArgument("this database's model is " + model.info.identity.substr(0, 16) +
                                 " (" + model.info.source + "); the model of " + other_path +
                                 " is " + identity.substr(0, 16) + " (" + info.value("source", "") +
                                 ")");
}

Status CheckTokenTable(const LoadedModel& model, std::string_view what) {
  if (model.encoder == nullptr) return Status::OK();
  return Status::NotSupported(std::string(what) +
                              " need a token-table model; this database's "
                              "model is the sentence encoder " +
                              model.info.architecture);
}

// Vocabulary entries like `token`, as one types them (sentencepiece's word-start mark "▁"
// dropped), for "not found" messages: "" when there are none, else " (similar: "a", "b")".
std::string SimilarEntries(const LoadedModel& model, std::string_view token) {
  // Suggestions scan the whole vocabulary; past this size an unknown-token error (which
  // callers may meet once per word, e.g. looking up a word list) stays cheap without them.
  constexpr int64_t kMaxSuggestedVocabulary = 20000;
  if (model.matrix.rows > kMaxSuggestedVocabulary) return "";
  constexpr std::string_view kWordStart = "\xE2\x96\x81";  // U+2581
  std::vector<std::string> entries;
  entries.reserve(model.matrix.rows);
  for (int64_t id = 0; id < model.matrix.rows; ++id) {
    auto piece = model.tokenizer->IdToPiece(static_cast<int32_t>(id));
    if (!piece.ok()) continue;
    if (piece->starts_with(kWordStart)) piece->erase(0, kWordStart.size());
    if (!piece->empty()) entries.push_back(std::move(*piece));
  }
  const std::vector<std::string> similar = util::SimilarStrings(token, entries);
  if (similar.empty()) return "";
  std::string text = " (similar: ";
  for (size_t i = 0; i < similar.size(); ++i)
    text += (i == 0 ? "" : ", ") + util::Quote(similar[i]);
  return text + ")";
}

Result<int64_t> TokenRow(const LoadedModel& model, std::string_view token) {
  QUIVER_RETURN_IF_ERROR(CheckTokenTable(model, "token vectors"));
  // Text first ("king" is "▁king" to sentencepiece), then a vocabulary entry as written.
  // An unknown word may still be an entry as written ("Monday" to a lower-casing tokenizer).
  auto valid = [&](int32_t id) { return id >= 0 && id < model.matrix.rows; };
  std::optional<int32_t> id;
  auto ids = model.tokenizer->EncodeIds(token, {.add_special_tokens = false});
  if (ids.ok() && ids->size() == 1 && valid(ids->front())) id = ids->front();
  if (!id) id = model.tokenizer->PieceToId(token);
  if (!id || !valid(*id)) {
    return Status::NotFound(util::Quote(token) + " is not one token of the model's " +
                            std::to_string(model.matrix.rows) + "-entry vocabulary" +
                            SimilarEntries(model, token));
  }
  return static_cast<int64_t>(*id);
}

Result<EmbeddedText> EmbedText(const LoadedModel& model, std::string_view text) {
  if (model.encoder != nullptr) return EmbedWithEncoder(*model.encoder, text);
  QUIVER_ASSIGN_OR_RETURN(Encoding encoding,
                          model.tokenizer->Encode(text, {.add_special_tokens = false}));
  embed::PooledVector pooled = model.pooler->Pool(encoding.ids);
  EmbeddedText result;
  result.vector = std::move(pooled.vector);
  result.known_tokens = pooled.tokens_used;
  result.tokens = ToTokenization(*model.tokenizer, encoding).tokens;
  for (int32_t id : encoding.ids) {
    if (id >= 0 && id < model.matrix.rows) {
      auto row = model.matrix.Row(id);
      result.token_vectors.emplace_back(row.begin(), row.end());
    } else {
      result.token_vectors.emplace_back(model.matrix.cols, 0.0f);
    }
  }
  return result;
}

namespace {

// Adds `weight` times the unit vector of `token` to `sum` and its row to `rows`.
Status AddTokenTerm(const LoadedModel& model, std::string_view token, double weight,
                    std::vector<double>* sum, std::vector<int64_t>* rows) {
  QUIVER_ASSIGN_OR_RETURN(int64_t row, TokenRow(model, token));
  const auto unit = model.unit_rows.Row(row);
  for (size_t i = 0; i < sum->size(); ++i) (*sum)[i] += weight * unit[i];
  rows->push_back(row);
  return Status::OK();
}

// Adds the raw query vector to `sum` after checking its dimension and values.
Status AddVectorTerm(const std::vector<float>& vector, std::vector<double>* sum) {
  if (vector.size() != sum->size()) {
    return Status::InvalidArgument("the query vector has " + std::to_string(vector.size()) +
                                   " components; the model's vectors have " +
                                   std::to_string(sum->size()));
  }
  for (size_t i = 0; i < vector.size(); ++i) {
    if (!std::isfinite(vector[i])) {
      return Status::InvalidArgument("component " + std::to_string(i + 1) +
                                     " of the query vector is not a finite number");
    }
    (*sum)[i] += vector[i];
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<TokenScore>> NearestTokens(const LoadedModel& model,
                                              const NeighborQuery& query) {
  if (query.k <= 0)
    return Status::InvalidArgument("k must be > 0; found " + std::to_string(query.k));
  QUIVER_RETURN_IF_ERROR(CheckTokenTable(model, "token neighbours"));
  if (query.positive.empty() && query.negative.empty() && query.vector.empty()) {
    return Status::InvalidArgument("a neighbour query needs a token or a vector; found neither");
  }
  // gensim's most_similar: the mean of +unit(positive), -unit(negative) and the raw vector,
  // scaled to unit length (the mean's 1/n factor cancels in that scaling).
  std::vector<double> sum(model.unit_rows.cols, 0.0);
  std::vector<int64_t> rows;
  for (const std::string& token : query.positive) {
    QUIVER_RETURN_IF_ERROR(AddTokenTerm(model, token, 1.0, &sum, &rows));
  }
  for (const std::string& token : query.negative) {
    QUIVER_RETURN_IF_ERROR(AddTokenTerm(model, token, -1.0, &sum, &rows));
  }
  if (!query.vector.empty()) QUIVER_RETURN_IF_ERROR(AddVectorTerm(query.vector, &sum));
  double norm = 0;
  for (double v : sum) norm += v * v;
  norm = std::sqrt(norm);
  if (!(norm > 1e-12) || !std::isfinite(norm)) {
    return Status::InvalidArgument(
        "the query is the zero vector (its terms cancel out); nothing is similar to it");
  }
  std::vector<float> unit(sum.size());
  for (size_t i = 0; i < sum.size(); ++i) unit[i] = static_cast<float>(sum[i] / norm);
  std::vector<TokenScore> neighbors;
  for (const embed::RowScore& near : embed::NearestToVector(model.unit_rows, unit, rows, query.k)) {
    QUIVER_ASSIGN_OR_RETURN(std::string piece,
                            model.tokenizer->IdToPiece(static_cast<int32_t>(near.row)));
    neighbors.push_back({std::move(piece), near.score});
  }
  return neighbors;
}

Status CheckVectorsMatchModel(const LoadedModel& model, const Counters& counters) {
  if (counters.record_count == 0 || counters.vectors_model == model.info.identity) {
    return Status::OK();
  }
  const std::string now = "the database's model is " + model.info.identity.substr(0, 16) + " (" +
                          model.info.source + ")";
  if (counters.vectors_model.empty()) {
    return Status::InvalidArgument("the " + std::to_string(counters.record_count) +
                                   " stored vectors were not computed by a model; " + now +
                                   " (run `quiver reembed` to embed their text with it)");
  }
  return Status::InvalidArgument("the stored vectors were computed by model " +
                                 counters.vectors_model.substr(0, 16) + "; " + now +
                                 " (run `quiver reembed` first)");
}

Result<std::vector<std::string>> CorpusFiles(const std::vector<std::string>& corpus) {
  QUIVER_ASSIGN_OR_RETURN(ingest::SourceListing listing,
                          ingest::ListCollection(corpus, /*warnings=*/nullptr));
  if (!listing.files.empty()) return std::move(listing.files);
  std::string found = "no file at all";
  if (!listing.skipped.empty()) {
    const SkippedFile& first = listing.skipped.front();
    found = std::to_string(listing.skipped.size()) + " file(s) that are not text, e.g. " +
            first.path + " (" + first.reason + ")";
  }
  return Status::InvalidArgument("expected text files to train on; the corpus has " + found);
}

std::vector<uint64_t> FileSizes(const std::vector<std::string>& files, uint64_t* total) {
  std::vector<uint64_t> sizes(files.size());
  *total = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(files[i], ec);
    sizes[i] = ec ? 0 : size;
    *total += sizes[i];
  }
  return sizes;
}

namespace {

// Calls `visit` with each non-empty line of `text`, without its line break.
Status ForEachLine(std::string_view text, const LineVisitor& visit) {
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) QUIVER_RETURN_IF_ERROR(visit(std::string(line)));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return Status::OK();
}

}  // namespace

LineSource TextsOfFiles(std::vector<std::string> files, ingest::ReaderOptions reader,
                        TextSplitter split, bool skip_unreadable) {
  return [files = std::move(files), reader = std::move(reader), split = std::move(split),
          skip_unreadable](const LineVisitor& visit, const PositionVisitor& at) {
    uint64_t total = 0, done = 0;
    const std::vector<uint64_t> sizes = FileSizes(files, &total);
    if (at) QUIVER_RETURN_IF_ERROR(at(0, total));
    for (size_t i = 0; i < files.size(); ++i) {
      auto file = ingest::ReadSource(files[i], reader);
      if (!file.ok() && !skip_unreadable) return file.status().WithContext("corpus file");
      if (file.ok()) {
        for (const ingest::SourceDocument& doc : file->documents) {
          QUIVER_RETURN_IF_ERROR(split(doc.text, visit));
        }
      }
      done += sizes[i];
      if (at) QUIVER_RETURN_IF_ERROR(at(done, total));
    }
    return Status::OK();
  };
}

LineSource LinesOfFiles(std::vector<std::string> files) {
  return TextsOfFiles(std::move(files), ingest::ReaderOptions(), ForEachLine,
                      /*skip_unreadable=*/false);
}

}  // namespace quiver::engine
