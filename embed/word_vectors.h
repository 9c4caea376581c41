// Importers of pre-trained word vectors: GloVe text, word2vec text and binary, fastText .vec.
//
// Formats (all UTF-8 words; numbers in text files are decimal, as std::from_chars reads them):
//   * GloVe text:      no header; one `word v1 v2 ... vD` line per word.
//   * word2vec text:   a header line `count dim`, then lines as in GloVe. fastText's `.vec`
//                      files are this format.
//   * word2vec binary: the header line `count dim`, then per word: the word's bytes, one space,
//                      dim little-endian float32 values, and an optional newline.
// Fields of a text line are separated by spaces or tabs; trailing white space and '\r' are
// ignored, and blank lines are skipped. Line numbers in errors count from 1 and include the
// header line.
#ifndef QUIVER_EMBED_WORD_VECTORS_H_
#define QUIVER_EMBED_WORD_VECTORS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "embed/embedding_matrix.h"
#include "quiver/status.h"

namespace quiver::embed {

enum class WordVectorFormat {
  kAuto,            // detect (see DetectWordVectorFormat)
  kGloveText,       // text, no header
  kWord2VecText,    // text with a `count dim` header (also fastText .vec)
  kWord2VecBinary,  // `count dim` header, then binary float32 records
};

// "auto", "glove", "word2vec-text", "word2vec-binary".
std::string_view WordVectorFormatName(WordVectorFormat format);
// The inverse of WordVectorFormatName; also accepts "text" (word2vec text), "binary"/"bin"
// (word2vec binary) and "vec" (fastText .vec = word2vec text). InvalidArgument otherwise.
Result<WordVectorFormat> ParseWordVectorFormat(std::string_view name);

// What to do with a word that occurs a second time.
enum class DuplicateWords {
  // Keep the first vector and skip the later ones (what gensim's load_word2vec_format does);
  // the skipped lines are counted in WordVectors::skipped_duplicates and, for headed files, do
  // not count as missing rows.
  kKeepFirst,
  kError,  // Corruption naming the word and both line numbers (record numbers in binary)
};

struct WordVectorOptions {
  WordVectorFormat format = WordVectorFormat::kAuto;
  DuplicateWords duplicates = DuplicateWords::kKeepFirst;
  // Read at most this many words (0 = all), like gensim's `limit`. When set, a header count
  // larger than the limit is not an error.
  int64_t max_words = 0;
};

struct WordVectors {
  std::vector<std::string> words;  // words[i] is the word of matrix row i, all distinct
  EmbeddingMatrix matrix;          // words.size() × dim
  WordVectorFormat format = WordVectorFormat::kAuto;  // the format actually read
  int64_t skipped_duplicates = 0;  // lines/records dropped under DuplicateWords::kKeepFirst
};

// Decides the format of the file at `path` from its first bytes:
//   * a first line of exactly two non-negative integers is a `count dim` header (so a GloVe
//     file whose first line is an integer word with a one-dimensional integer vector is read
//     as headed — force kGloveText for such files);
//   * without a header: GloVe text;
//   * with a header: text when the first record parses as `word` + dim numbers; binary when
//     the 4·dim bytes after its word hold control bytes or invalid UTF-8 (as raw float32 values
//     almost always do); text otherwise, so a malformed text line is reported as such. A tiny
//     binary file whose first vector happens to look like text needs kWord2VecBinary forced.
// gzip-compressed files and fastText .bin models are NotSupported with a hint; an empty file
// is Corruption; an unreadable one IOError.
Result<WordVectorFormat> DetectWordVectorFormat(const std::string& path);

// Reads the whole file at `path`, streaming it through a fixed-size buffer: memory is the
// result plus O(longest line). Errors name the file, the line (text) or byte offset (binary),
// and what was expected versus found:
//   IOError       the file cannot be opened or read;
//   Corruption    empty file, no vectors, wrong number of components, non-numeric or
//                 out-of-range or non-finite component, empty word, header count mismatch,
//                 truncated binary record, trailing data after the header's count,
//                 duplicate word under DuplicateWords::kError;
//   NotSupported  gzip or fastText .bin input.
Result<WordVectors> ReadWordVectors(const std::string& path, const WordVectorOptions& options = {});

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_WORD_VECTORS_H_
