// Tools that work without a database: tokenizing text with a tokenizer file, reading a model
// directory's description, training a sentencepiece tokenizer, and plotting vectors. They are what `quiver tokenize --tokenizer`,
// `quiver train-tokenizer` and `quiver plot` are made of.
//
// Every function is safe to call from several threads at once, and none throws.
#ifndef QUIVER_TOOLS_H_
#define QUIVER_TOOLS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "quiver/types.h"

namespace quiver {

// Splits `text` with the tokenizer in file `tokenizer_path`, recognised by its content: a
// sentencepiece .model, a Hugging Face tokenizer.json (BPE), a quiver tokenizer blob, or — for
// names ending in .txt or .vocab — a word list (one entry per line; only the first
// space-separated field counts, so a GloVe vector file works). With `add_special_tokens`, the
// tokens the model adds around a text (BOS) are included, with an empty byte range. Invalid
// UTF-8 in `text` tokenizes as U+FFFD, with offsets still pointing at the offending bytes.
//
// IOError when the file cannot be read; InvalidArgument, Corruption or NotSupported (naming the
// file) when it is not a tokenizer quiver can load.
Result<Tokenization> TokenizeWithFile(const std::string& tokenizer_path, std::string_view text,
                                      bool add_special_tokens = true);

// A sentence-transformers model directory as DB::ImportModel would read it.
struct ModelDirectoryInfo {
  // The network as people know it, e.g. "BertModel(layers 6, hidden 384, heads 12, vocab
  // 30522, max 512) + mean pooling + normalize".
  std::string architecture;
  int dimension = 0;       // the vectors' dimension (the hidden size)
  int max_seq_length = 0;  // tokens per input, special tokens included
  std::string pooling;     // "mean", "cls", "lasttoken" or "max"
  bool normalize = false;
  std::string query_prompt;
  std::string document_prompt;
};

// Reads the description of the model directory `dir` (its JSON files and tokenizer.json,
// not the weights), with the errors DB::ImportModel gives for them.
Result<ModelDirectoryInfo> InspectModelDirectory(const std::string& dir);

// How TrainTokenizer learns a sentencepiece model. Defaults keep text exactly, so that a model
// decodes back any text it encodes.
struct TokenizerTrainOptions {
  enum class ModelType { kUnigram, kBpe };
  // Default: unigram (sentencepiece's own default).
  ModelType model_type = ModelType::kUnigram;
  // Pieces in the vocabulary, special tokens (<unk>, <s>, </s>) included; at least 4. With
  // byte_fallback it must leave room for the 256 byte pieces plus the corpus's characters.
  // Default: 8000.
  int vocab_size = 8000;
  // Fraction of the corpus's characters the vocabulary covers, in (0, 1]; the rarest others
  // become byte pieces (or <unk>). Default: 0.9995.
  double character_coverage = 0.9995;
  // Seeds sentence sampling and shuffling: equal corpora, options and seeds give byte-identical
  // models. 4294967295 is reserved by sentencepiece. Default: 42.
  uint32_t seed = 42;
  // Characters outside the vocabulary are encoded as <0xXX> byte pieces rather than <unk>.
  // Default: true.
  bool byte_fallback = true;
  // Keep text exactly as given (no normalization, white space kept). When false,
  // sentencepiece's NFKC-based normalization applies and runs of spaces fold to one.
  // Default: true.
  bool preserve_text = true;
  // Training threads, at least 1; the model does not depend on it. Default: 1.
  int num_threads = 1;
  // When false, sentencepiece's training log goes to stderr. Default: true.
  bool quiet = true;
};

// Trains a sentencepiece model on `sentences` (one sentence per element; empty ones are
// skipped) and returns it as sentencepiece's own .model bytes, which TokenizeWithFile,
// Options::tokenizer_file and sentencepiece's tools read. Training calls are serialized
// process-wide.
//
// InvalidArgument when the options are out of range, when no sentence is non-empty, or when
// sentencepiece refuses the training (e.g. a vocabulary larger than the corpus allows); the
// message says which.
Result<std::string> TrainTokenizer(const std::vector<std::string>& sentences,
                                   const TokenizerTrainOptions& options);

// How PlotScatterSvg draws.
struct PlotOptions {
  // Size of the drawing in SVG user units (pixels); values below 200 × 150 are raised to that.
  // Defaults: 800 × 600.
  int width = 800;
  int height = 600;
  // Shown centred above the plot and as the document's <title>; none when empty. Default: none.
  std::string title;
  // Axis titles; none when empty. Defaults: "PC 1" and "PC 2".
  std::string x_label = "PC 1";
  std::string y_label = "PC 2";
  // Font size of the point labels in user units; tick numbers use 0.85 of it. Default: 12.
  double font_size = 12.0;
  // Radius of the point markers. Default: 3.
  double point_radius = 3.0;
};

// Projects `vectors` to the plane by principal component analysis (centred, first two principal
// axes, each signed so that its largest loading is positive: deterministic) and draws them as a
// labelled scatter plot: a complete SVG 1.1 document (UTF-8). Point i is a
// <circle class="point"> labelled labels[i] (no label when empty). Labels go beside their point
// where they overlap no other label and no point; in crowded places further away, linked to
// their point by a leader line; and only when nothing else fits, where they overlap least.
// Labels are XML-escaped; invalid UTF-8 in them becomes U+FFFD.
// An axis without variance (e.g. all points on a line) gives coordinate 0, never NaN.
//
// InvalidArgument when labels and vectors differ in number, when there are fewer than 2
// vectors, when a vector is empty or its dimension differs from the first one's, or when a
// component is not finite; the message names what was expected and what was found.
Result<std::string> PlotScatterSvg(const std::vector<std::string>& labels,
                                   const std::vector<std::vector<float>>& vectors,
                                   const PlotOptions& options = {});

}  // namespace quiver

#endif  // QUIVER_TOOLS_H_
