// The ingest pipeline: files in, one CommitPlan per changed file out. It remembers what it
// ingested in the `sources` family (content hash, mtime, size, recipe, chunk ids), so that
// unchanged files are skipped, changed ones replaced whole and vanished ones pruned.
// Re-embedding (every stored text through a new model) lives here too.
#ifndef QUIVER_ENGINE_INGEST_PIPELINE_H_
#define QUIVER_ENGINE_INGEST_PIPELINE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/commit.h"
#include "engine/model_store.h"
#include "ingest/source_reader.h"
#include "quiver/options.h"
#include "quiver/types.h"
#include "storage/store.h"
#include "text/analyzer.h"

namespace quiver::engine {

// InvalidArgument when the chunk size or overlap is out of range.
Status CheckIngestOptions(const IngestOptions& options);
ingest::ReaderOptions ReaderOptionsOf(const IngestOptions& options);

// The paragraphs of every document of `files` as training lines (files that cannot be read
// are left out: the ingest pass reports them); its position is in bytes of the files on disk.
LineSource CollectionLines(const std::vector<std::string>& files,
                           const ingest::ReaderOptions& reader);

// InvalidArgument, saying what was found instead, when `files` (the text files listed for an
// ingest whose skipped files `summary` holds) are none: there is nothing to train a model on.
Status CheckTrainableCollection(const std::vector<std::string>& files,
                                const IngestSummary& summary);

// Model training's progress as options.on_progress's training phases of an ingest of
// `files_total` files of `bytes_total` bytes (empty without on_progress); refers to `options`.
TrainProgress IngestTrainProgress(const IngestOptions& options, uint64_t files_total,
                                  uint64_t bytes_total);

// Writes a plan atomically; `removed`, when given, receives how many deleted ids existed.
using CommitFunction = std::function<Status(CommitPlan& plan, size_t* removed)>;

// What the `sources` family keeps for an ingested file (docs/format.md 3.9).
struct SourceEntry {
  std::string content_hash;
  int64_t mtime = 0;
  uint64_t size = 0;
  std::string recipe;  // the reading and chunking options it was ingested with
  std::vector<std::string> chunk_ids;
};

// The entry stored for source `path`; Corruption when malformed.
Result<SourceEntry> DecodeSourceEntry(std::string_view path, std::string_view value);

// One ingest run with `model`; the caller holds the database's write lock throughout.
class IngestPipeline {
 public:
  // Records' full-text terms come from `analyzer`.
  IngestPipeline(storage::Store& store, const IngestOptions& options, const LoadedModel& model,
                 const text::Analyzer& analyzer, CommitFunction commit);

  // Ingests `files` in order (reporting each file's reading, embedding and committing to
  // options.on_progress), then prunes sources under `inputs` that were not among them when
  // options.prune. Cancelled when on_progress asked to stop: the files before stay committed,
  // the one in progress is not written, nothing is pruned. Adds the files to
  // summary->files_seen.
  Status Run(const std::vector<std::string>& inputs, const std::vector<std::string>& files,
             IngestSummary* summary);

 private:
  // Ingests one file (remembered under source `key`, `size` bytes on disk) unless it is
  // unchanged since it was last ingested with the same recipe.
  // `relpath` is its path relative to the input it was listed from.
  Status IngestFile(const std::string& path, const std::string& relpath, const std::string& key,
                    uint64_t size, IngestSummary* summary);
  // Chunks, tokenizes and embeds every document of `file` (in parallel) into records.
  Status ChunkAndEmbed(const ingest::SourceFile& file, std::vector<PendingRecord>* records,
                       IngestSummary* summary);
  // Removes sources under `inputs` that were ingested before but are not in `seen`.
  Status Prune(const std::vector<std::string>& inputs, const std::unordered_set<std::string>& seen,
               IngestSummary* summary);
  void Say(const std::string& message) const;
  // Reports progress_ in `phase` (its own progress `done` of `total` `unit`s) to
  // options.on_progress; Cancelled when that asks to stop.
  Status Report(IngestPhase phase, uint64_t done, uint64_t total, std::string_view unit);

  storage::Store& store_;
  const IngestOptions& options_;
  const LoadedModel& model_;
  const text::Analyzer& analyzer_;
  const CommitFunction commit_;
  const ingest::ReaderOptions reader_;
  const std::string recipe_;
  IngestProgress progress_;  // the whole run's counters, for Report
};

// A plan that recomputes every stored record's vector from its text with `model` (a record
// without a usable text keeps its vector) and rebuilds the indexes.
Result<CommitPlan> PlanReembed(storage::Store& store, const LoadedModel& model, int dimension,
                               ReembedSummary* summary);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_INGEST_PIPELINE_H_
