#include "ingest/chunker.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>

#include "util/strings.h"
#include "util/utf8.h"

namespace quiver::ingest {
namespace {

// How good a place the boundary before a token is for ending a chunk.
enum Cut : uint8_t { kNoCut = 0, kTokenCut = 1, kSentenceCut = 2, kParagraphCut = 3 };

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Whether the text before `pos` ends with `suffix`.
bool EndsWithAt(std::string_view text, size_t pos, std::string_view suffix) {
  return util::EndsWith(text.substr(0, pos), suffix);
}

// Whether the text before `pos` ends in sentence punctuation, possibly followed by closing
// quotes, brackets or emphasis marks. `needs_space` is false for CJK full stops, which end a
// sentence without white space after them.
bool EndsSentence(std::string_view text, size_t pos, bool* needs_space) {
  for (int skipped = 0; pos > 0 && skipped < 4; ++skipped) {
    const char c = text[pos - 1];
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '*' || c == '_') {
      --pos;
    } else if (EndsWithAt(text, pos, "\u201D") || EndsWithAt(text, pos, "\u2019")) {
      pos -= 3;
    } else if (EndsWithAt(text, pos, "\u00BB")) {
      pos -= 2;
    } else {
      break;
    }
  }
  if (pos == 0) return false;
  const char c = text[pos - 1];
  *needs_space = true;
  if (c == '.' || c == '!' || c == '?' || EndsWithAt(text, pos, "\u2026")) return true;
  *needs_space = false;
  return EndsWithAt(text, pos, "\u3002") || EndsWithAt(text, pos, "\uFF01") ||
         EndsWithAt(text, pos, "\uFF1F");
}

// Classifies the boundary between consecutive tokens by the white space around it. Positions
// must be asked in non-decreasing order for the cost to stay linear in the text: each maximal
// run of white space is scanned once.
class BoundaryClassifier {
 public:
  explicit BoundaryClassifier(std::string_view text) : text_(text) {}

  // The boundary where the previous token ends at `prev_end` and the next begins at
  // `next_begin`.
  Cut Classify(size_t prev_end, size_t next_begin) {
    if (next_begin < prev_end || utf8::IsInsideSequence(text_, next_begin)) return kNoCut;
    Locate(prev_end);
    if (newlines_ >= 2) return kParagraphCut;
    if (newlines_ == 1) return kSentenceCut;
    bool needs_space = true;
    if (EndsSentence(text_, run_begin_, &needs_space) && (run_end_ > run_begin_ || !needs_space)) {
      return kSentenceCut;
    }
    return kTokenCut;
  }

 private:
  // Finds the maximal run of white space around `pos` and counts its line breaks.
  void Locate(size_t pos) {
    if (cached_ && run_begin_ <= pos && pos <= run_end_) return;
    cached_ = true;
    run_begin_ = pos;
    while (run_begin_ > 0 && IsSpace(text_[run_begin_ - 1])) --run_begin_;
    run_end_ = pos;
    while (run_end_ < text_.size() && IsSpace(text_[run_end_])) ++run_end_;
    const std::string_view run = text_.substr(run_begin_, run_end_ - run_begin_);
    newlines_ = static_cast<int>(std::count(run.begin(), run.end(), '\n'));
  }

  std::string_view text_;
  bool cached_ = false;
  size_t run_begin_ = 0;
  size_t run_end_ = 0;
  int newlines_ = 0;
};

// Checks the options and the text's size. InvalidArgument naming the bad value.
Status ValidateChunkRequest(std::string_view text, const ChunkOptions& options) {
  if (options.max_tokens < 1) {
    return Status::InvalidArgument("chunk max_tokens must be at least 1; got " +
                                   std::to_string(options.max_tokens));
  }
  if (options.overlap_tokens < 0 || options.overlap_tokens >= options.max_tokens) {
    return Status::InvalidArgument("chunk overlap_tokens must be in [0, max_tokens - 1] = [0, " +
                                   std::to_string(options.max_tokens - 1) + "]; got " +
                                   std::to_string(options.overlap_tokens));
  }
  if (text.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::InvalidArgument("text of " + std::to_string(text.size()) +
                                   " bytes is too long to chunk (the limit is 4 GiB)");
  }
  return Status::OK();
}

// The boundaries of a tokenization of n >= 1 tokens, classified once so that choosing each
// chunk's end and the next chunk's start takes amortized constant time.
struct CutTable {
  // cut[i]: the boundary before token i (i = 0 is the text's start, never a cut).
  std::vector<uint8_t> cut;
  // The latest paragraph / sentence cut at or before i (-1 for none), and the earliest
  // sentence cut at or after i (n for none).
  std::vector<int32_t> prev_paragraph, prev_sentence, next_sentence;
};

// Classifies every boundary between the tokens at `offsets` (n >= 1 tokens, n < 2^31) in
// `text`, and indexes the paragraph and sentence cuts. Linear in the text and the tokens.
CutTable BuildCutTable(std::string_view text, const std::vector<TokenOffset>& offsets) {
  const int64_t n = static_cast<int64_t>(offsets.size());
  CutTable table;
  table.cut.assign(n, kNoCut);
  BoundaryClassifier classifier(text);
  for (int64_t i = 1; i < n; ++i) {
    table.cut[i] = classifier.Classify(offsets[i - 1].end, offsets[i].begin);
  }
  table.prev_paragraph.resize(n);
  table.prev_sentence.resize(n);
  table.next_sentence.resize(n);
  int32_t last_paragraph = -1, last_sentence = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (table.cut[i] >= kParagraphCut) last_paragraph = static_cast<int32_t>(i);
    if (table.cut[i] >= kSentenceCut) last_sentence = static_cast<int32_t>(i);
    table.prev_paragraph[i] = last_paragraph;
    table.prev_sentence[i] = last_sentence;
  }
  int32_t following = static_cast<int32_t>(n);
  for (int64_t i = n - 1; i >= 0; --i) {
    if (table.cut[i] >= kSentenceCut) following = static_cast<int32_t>(i);
    table.next_sentence[i] = following;
  }
  return table;
}

// The end (one past the last token) of the chunk starting at token `start`, when the text
// continues past its window: `limit` = start + max_tokens < n. `previous_end` is the end of the
// chunk before (0 for the first). The result is in (max(start, previous_end), n]: the latest
// paragraph cut, else sentence cut, that leaves the chunk at least half full and ends it past
// previous_end; else the latest token boundary in the window; else (one character spanning the
// whole window) the first token boundary after it, or n.
int64_t ChooseChunkEnd(const CutTable& table, int64_t start, int64_t previous_end,
                       int64_t max_tokens) {
  const int64_t n = static_cast<int64_t>(table.cut.size());
  const int64_t limit = start + max_tokens;
  // Preferred cuts leave the chunk at least half full, and past the previous chunk's end (so
  // a chunk is never contained in the one before).
  const int64_t lowest = std::max(start + std::max<int64_t>(1, max_tokens / 2), previous_end + 1);
  if (table.prev_paragraph[limit] >= lowest) return table.prev_paragraph[limit];
  if (table.prev_sentence[limit] >= lowest) return table.prev_sentence[limit];
  // The latest token boundary; one always exists unless a single character spans more than
  // max_tokens tokens (byte-fallback pieces), which is then kept whole.
  const int64_t floor = std::max(start, previous_end);
  int64_t end = limit;
  while (end > floor && table.cut[end] == kNoCut) --end;
  if (end == floor) {
    end = limit + 1;
    while (end < n && table.cut[end] == kNoCut) ++end;
  }
  return end;
}

// The start of the chunk after [start, end) (end < n): overlap_tokens before `end` (but after
// `start`), moved forward to a sentence start inside the overlap if there is one, else to the
// next token boundary. The result is in (start, end].
int64_t NextChunkStart(const CutTable& table, int64_t start, int64_t end, int64_t overlap_tokens) {
  int64_t next = std::max(end - overlap_tokens, start + 1);
  if (table.next_sentence[next] < end) return table.next_sentence[next];  // inside the overlap
  while (next < end && table.cut[next] == kNoCut) ++next;
  return next;
}

// Appends the chunk covering tokens [first, last) (first < last) of `offsets`.
void EmitChunk(const std::vector<TokenOffset>& offsets, int64_t first, int64_t last,
               std::vector<TextChunk>& chunks) {
  TextChunk chunk;
  chunk.begin = offsets[first].begin;
  chunk.end = std::max(offsets[last - 1].end, chunk.begin);
  chunk.token_count = static_cast<int32_t>(last - first);
  chunk.first_token = static_cast<int32_t>(first);
  chunks.push_back(chunk);
}

// The chunks of a tokenization of n >= 1 tokens (n < 2^31) of `text`, with valid options.
std::vector<TextChunk> ChunkTokens(std::string_view text, const std::vector<TokenOffset>& offsets,
                                   const ChunkOptions& options) {
  const int64_t n = static_cast<int64_t>(offsets.size());
  const int64_t max_tokens = options.max_tokens;
  std::vector<TextChunk> chunks;
  if (n <= max_tokens) {
    EmitChunk(offsets, 0, n, chunks);
    return chunks;
  }
  const CutTable table = BuildCutTable(text, offsets);
  int64_t start = 0;
  int64_t previous_end = 0;
  while (start + max_tokens < n) {
    const int64_t end = ChooseChunkEnd(table, start, previous_end, max_tokens);
    EmitChunk(offsets, start, end, chunks);
    if (end >= n) return chunks;
    previous_end = end;
    start = NextChunkStart(table, start, end, options.overlap_tokens);
  }
  EmitChunk(offsets, start, n, chunks);
  return chunks;
}

}  // namespace

Result<std::vector<TextChunk>> ChunkText(std::string_view text, const Tokenizer& tokenizer,
                                         const ChunkOptions& options, std::vector<int32_t>* ids) {
  QUIVER_RETURN_IF_ERROR(ValidateChunkRequest(text, options));
  if (std::all_of(text.begin(), text.end(), IsSpace)) return std::vector<TextChunk>();

  EncodeOptions encode_options;
  encode_options.add_special_tokens = false;
  QUIVER_ASSIGN_OR_RETURN(Encoding encoding, tokenizer.Encode(text, encode_options));
  const int64_t n = static_cast<int64_t>(encoding.offsets.size());
  if (n == 0) return std::vector<TextChunk>();
  if (n > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("text has too many tokens to chunk");
  }
  if (ids != nullptr) *ids = std::move(encoding.ids);
  encoding.ids = {};
  encoding.pieces = {};
  return ChunkTokens(text, encoding.offsets, options);
}

}  // namespace quiver::ingest
