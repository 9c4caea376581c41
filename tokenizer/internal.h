// Declarations shared between the tokenizer/ source files; not part of the module's interface.
#ifndef QUIVER_TOKENIZER_INTERNAL_H_
#define QUIVER_TOKENIZER_INTERNAL_H_

#include <memory>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "tokenizer/tokenizer.h"

namespace quiver {

// The payload of a word-tokenizer blob (see blob.h).
Result<std::unique_ptr<Tokenizer>> LoadWordTokenizerPayload(std::string_view payload);

// EncodeOptions::max_length for tokenizers whose only added tokens are `leading` ones at the
// start (a BOS): keeps those and as many of the first text tokens as fit in `max_length`
// (0: no limit). `enc`'s pieces and offsets, when present, follow its ids.
void TruncateKeepingLeading(int max_length, size_t leading, std::vector<int32_t>& ids);
void TruncateKeepingLeading(int max_length, size_t leading, Encoding& enc);

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_INTERNAL_H_
