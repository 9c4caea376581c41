// Declarations shared between the tokenizer/ source files; not part of the module's interface.
#ifndef QUIVER_TOKENIZER_INTERNAL_H_
#define QUIVER_TOKENIZER_INTERNAL_H_

#include <memory>
#include <string_view>

#include "quiver/status.h"
#include "tokenizer/tokenizer.h"

namespace quiver {

// The payload of a word-tokenizer blob (see blob.h).
Result<std::unique_ptr<Tokenizer>> LoadWordTokenizerPayload(std::string_view payload);

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_INTERNAL_H_
