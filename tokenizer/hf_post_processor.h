// The parts of a tokenizer.json that act after the model: the post-processor (the special
// tokens around a single sequence) and the "truncation" section. Internal to tokenizer/.
#ifndef QUIVER_TOKENIZER_HF_POST_PROCESSOR_H_
#define QUIVER_TOKENIZER_HF_POST_PROCESSOR_H_

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "tokenizer/tokenizer.h"

namespace quiver::hf {

// What TemplateProcessing ("single" template), BertProcessing, RobertaProcessing or a Sequence
// of them add around one sequence.
struct PostProcessor {
  std::vector<int32_t> before, after;
  // RobertaProcessing's trim_offsets: token offsets lose the white space (or GPT-2 'Ġ') their
  // token begins or ends with; add_prefix_space keeps one leading space on the first token.
  bool trim_offsets = false;
  bool add_prefix_space = false;
  // The number of tokens added (tokenizers' PostProcessor::added_tokens for one sequence).
  size_t added_tokens() const { return before.size() + after.size(); }
  // Applies trim_offsets to the offsets of the sequence's tokens (before the special tokens
  // are added), given each token's string.
  void TrimOffsets(const std::vector<std::string_view>& tokens,
                   std::vector<TokenOffset>& offsets) const;
};

// Parses the "post_processor" section (null gives no special tokens); ids must be below
// vocab_size. Unknown kinds are NotSupported.
Status ParsePostProcessor(const nlohmann::json& j, int32_t vocab_size, PostProcessor& out);

// The "truncation" section: max_length 0 when it is null.
struct Truncation {
  int max_length = 0;
  bool left = false;  // direction "Left": keep the last tokens
};
Result<Truncation> ParseTruncation(const nlohmann::json& j);

// Keeps at most `max_tokens` of the sequence's tokens: the first ones, or the last with `left`.
// `offsets` may be null.
void Truncate(size_t max_tokens, bool left, std::vector<int32_t>& ids,
              std::vector<TokenOffset>* offsets);

}  // namespace quiver::hf

#endif  // QUIVER_TOKENIZER_HF_POST_PROCESSOR_H_
