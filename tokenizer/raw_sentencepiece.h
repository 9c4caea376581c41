// sentencepiece called directly, with nothing of quiver in between: the baseline the
// tokenizer benchmark compares quiver's sentencepiece path against. Not for production use.
#ifndef QUIVER_TOKENIZER_RAW_SENTENCEPIECE_H_
#define QUIVER_TOKENIZER_RAW_SENTENCEPIECE_H_

#include <memory>
#include <string_view>
#include <vector>

#include "quiver/status.h"

namespace quiver {

class RawSentencePiece {
 public:
  static Result<std::unique_ptr<RawSentencePiece>> Load(std::string_view model_proto);
  ~RawSentencePiece();
  // SentencePieceProcessor::Encode(text, &ids), as is.
  bool Encode(std::string_view text, std::vector<int>* ids) const;

 private:
  struct Impl;
  explicit RawSentencePiece(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_RAW_SENTENCEPIECE_H_
