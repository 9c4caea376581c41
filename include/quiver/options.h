// Options that control how a quiver database is opened and created.
#ifndef QUIVER_OPTIONS_H_
#define QUIVER_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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

  // The index is checkpointed to disk after this many add/delete operations, and on Close.
  // 0 checkpoints only on Close. Default: 50000.
  uint64_t checkpoint_interval = 50000;

  // Report progress of long open-time work (index rebuilds) and warnings on stderr.
  // Default: true.
  bool report_to_stderr = true;
};

// How DB::TrainModel learns an embedding model from a corpus.
struct TrainOptions {
  // Tokenizer vocabulary (sentencepiece unigram). Default: 8000.
  int vocab_size = 8000;
  // Symmetric co-occurrence window in tokens. Default: 5.
  int window = 5;
  // Seeds tokenizer training and the randomized SVD: equal seeds and corpora give identical
  // models. Default: 42.
  uint32_t seed = 42;
  // Lines (sentences or paragraphs) sampled from the start of the corpus to train the
  // tokenizer; co-occurrences are counted over the whole corpus. Default: 200000.
  size_t tokenizer_sentences = 200000;
};

struct SearchOptions {
  // Number of hits wanted (> 0).
  int k = 10;
  // HNSW: size of the dynamic candidate list (0 = the index's default, at least k).
  int ef_search = 0;
  // IVF: number of inverted lists probed (0 = the index's default).
  int nprobe = 0;
};

}  // namespace quiver

#endif  // QUIVER_OPTIONS_H_
