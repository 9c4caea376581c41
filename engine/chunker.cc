#include "engine/chunker.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <string>

#include "tokenizer/utf8.h"

namespace quiver::engine {
namespace {

// How good a place the boundary before a token is for ending a chunk.
enum Cut : uint8_t { kNoCut = 0, kTokenCut = 1, kSentenceCut = 2, kParagraphCut = 3 };

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool EndsWith(std::string_view text, size_t pos, std::string_view suffix) {
  return pos >= suffix.size() && text.substr(pos - suffix.size(), suffix.size()) == suffix;
}

// Whether the text before `pos` ends in sentence punctuation, possibly followed by closing
// quotes, brackets or emphasis marks. `needs_space` is false for CJK full stops, which end a
// sentence without white space after them.
bool EndsSentence(std::string_view text, size_t pos, bool* needs_space) {
  for (int skipped = 0; pos > 0 && skipped < 4; ++skipped) {
    const char c = text[pos - 1];
    if (c == '"' || c == '\'' || c == ')' || c == ']' || c == '*' || c == '_') {
      --pos;
    } else if (EndsWith(text, pos, "\u201D") || EndsWith(text, pos, "\u2019")) {
      pos -= 3;
    } else if (EndsWith(text, pos, "\u00BB")) {
      pos -= 2;
    } else {
      break;
    }
  }
  if (pos == 0) return false;
  const char c = text[pos - 1];
  *needs_space = true;
  if (c == '.' || c == '!' || c == '?' || EndsWith(text, pos, "\u2026")) return true;
  *needs_space = false;
  return EndsWith(text, pos, "\u3002") || EndsWith(text, pos, "\uFF01") ||
         EndsWith(text, pos, "\uFF1F");
}

// Whether `pos` lies inside a well-formed UTF-8 sequence that starts before it.
bool InsideCharacter(std::string_view text, size_t pos) {
  if (pos >= text.size() || (static_cast<unsigned char>(text[pos]) & 0xC0) != 0x80) return false;
  for (size_t back = 1; back <= 3 && back <= pos; ++back) {
    if (utf8::ValidSequenceLength(text, pos - back) > back) return true;
  }
  return false;
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
    if (next_begin < prev_end || InsideCharacter(text_, next_begin)) return kNoCut;
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

}  // namespace

Result<std::vector<TextChunk>> ChunkText(std::string_view text, const Tokenizer& tokenizer,
                                         const ChunkOptions& options, std::vector<int32_t>* ids) {
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
  std::vector<TextChunk> chunks;
  if (std::all_of(text.begin(), text.end(), IsSpace)) return chunks;

  EncodeOptions encode_options;
  encode_options.add_special_tokens = false;
  Result<Encoding> encoding = tokenizer.Encode(text, encode_options);
  if (!encoding.ok()) return encoding.status();
  const std::vector<TokenOffset>& offsets = encoding->offsets;
  const int64_t n = static_cast<int64_t>(offsets.size());
  if (n == 0) return chunks;
  if (n > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("text has too many tokens to chunk");
  }
  if (ids != nullptr) *ids = std::move(encoding->ids);
  encoding->ids = {};
  encoding->pieces = {};

  auto emit = [&](int64_t first, int64_t last) {  // tokens [first, last)
    TextChunk chunk;
    chunk.begin = offsets[first].begin;
    chunk.end = std::max(offsets[last - 1].end, chunk.begin);
    chunk.token_count = static_cast<int32_t>(last - first);
    chunk.first_token = static_cast<int32_t>(first);
    chunks.push_back(chunk);
  };
  const int64_t max_tokens = options.max_tokens;
  if (n <= max_tokens) {
    emit(0, n);
    return chunks;
  }

  // cut[i]: the boundary before token i (i = 0 is the text's start, never a cut).
  std::vector<uint8_t> cut(n, kNoCut);
  BoundaryClassifier classifier(text);
  for (int64_t i = 1; i < n; ++i)
    cut[i] = classifier.Classify(offsets[i - 1].end, offsets[i].begin);
  // The latest paragraph / sentence cut at or before i (-1 for none), and the earliest sentence
  // cut at or after i (n for none).
  std::vector<int32_t> prev_paragraph(n), prev_sentence(n), next_sentence(n);
  int32_t last_paragraph = -1, last_sentence = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (cut[i] >= kParagraphCut) last_paragraph = static_cast<int32_t>(i);
    if (cut[i] >= kSentenceCut) last_sentence = static_cast<int32_t>(i);
    prev_paragraph[i] = last_paragraph;
    prev_sentence[i] = last_sentence;
  }
  int32_t following = static_cast<int32_t>(n);
  for (int64_t i = n - 1; i >= 0; --i) {
    if (cut[i] >= kSentenceCut) following = static_cast<int32_t>(i);
    next_sentence[i] = following;
  }

  int64_t start = 0;
  int64_t previous_end = 0;
  while (true) {
    const int64_t limit = start + max_tokens;  // one past the last token allowed
    if (limit >= n) {
      emit(start, n);
      break;
    }
    // Preferred cuts leave the chunk at least half full, and past the previous chunk's end (so
    // a chunk is never contained in the one before).
    const int64_t lowest = std::max(start + std::max<int64_t>(1, max_tokens / 2), previous_end + 1);
    int64_t end;
    if (prev_paragraph[limit] >= lowest) {
      end = prev_paragraph[limit];
    } else if (prev_sentence[limit] >= lowest) {
      end = prev_sentence[limit];
    } else {
      // The latest token boundary; one always exists unless a single character spans more than
      // max_tokens tokens (byte-fallback pieces), which is then kept whole.
      const int64_t floor = std::max(start, previous_end);
      end = limit;
      while (end > floor && cut[end] == kNoCut) --end;
      if (end == floor) {
        end = limit + 1;
        while (end < n && cut[end] == kNoCut) ++end;
      }
    }
    emit(start, end);
    if (end >= n) break;
    previous_end = end;
    int64_t next = std::max(end - options.overlap_tokens, start + 1);
    if (next_sentence[next] < end) {
      next = next_sentence[next];  // a sentence start inside the overlap
    } else {
      while (next < end && cut[next] == kNoCut) ++next;
    }
    start = next;
  }
  return chunks;
}

}  // namespace quiver::engine
