// Splits a document's text into overlapping chunks of at most a given number of tokens, cutting
// at paragraph or sentence ends where it can.
#ifndef QUIVER_INGEST_CHUNKER_H_
#define QUIVER_INGEST_CHUNKER_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "tokenizer/tokenizer.h"

namespace quiver::ingest {

struct ChunkOptions {
  // Most tokens in one chunk (>= 1).
  int max_tokens = 256;
  // Tokens a chunk repeats from the end of the one before (0 <= overlap_tokens < max_tokens).
  int overlap_tokens = 32;
};

struct TextChunk {
  // Byte range [begin, end) of the text: from the start of the chunk's first token to the end of
  // its last, so it never splits a UTF-8 character.
  uint32_t begin = 0;
  uint32_t end = 0;
  // Tokens of the whole text's tokenization that the chunk covers (1 .. max_tokens). Encoding
  // the chunk's text on its own may give a slightly different count with subword tokenizers.
  int32_t token_count = 0;
  // Index of the chunk's first token in that tokenization.
  int32_t first_token = 0;
  friend bool operator==(const TextChunk&, const TextChunk&) = default;
};

// The chunks of `text`, in order; the chunk number is the index. The text is tokenized once
// (tokenizer.Encode without special tokens). A text of at most max_tokens tokens is one chunk.
// Otherwise each chunk ends, by preference, at a paragraph break (a blank line), else at a
// sentence end (. ! ? followed by white space, or a line break), else after any token, choosing
// the latest such place in the second half of its max_tokens window. The next chunk starts
// overlap_tokens tokens before that end, or later at a sentence start inside that overlap.
// Together the chunks cover every token; each chunk starts and ends later than the one before.
// A chunk exceeds max_tokens only when one character alone spans more tokens than that (byte
// pieces with a tiny max_tokens), since chunks never split a character.
// Empty or white-space-only text gives no chunks. Deterministic; time linear in the text.
// With `ids`, it receives the token ids of that tokenization (a chunk's are
// ids[first_token, first_token + token_count)); it is left empty when there are no chunks.
// InvalidArgument for bad options or a text of 4 GiB or more; a tokenizer error is passed on.
Result<std::vector<TextChunk>> ChunkText(std::string_view text, const Tokenizer& tokenizer,
                                         const ChunkOptions& options,
                                         std::vector<int32_t>* ids = nullptr);

}  // namespace quiver::ingest

#endif  // QUIVER_INGEST_CHUNKER_H_
