// The WordPiece model of a Hugging Face tokenizer.json (the BERT family): each pre-token word
// is split greedily, longest vocabulary match first, with later pieces looked up under the
// continuing-subword prefix ("##"). Internal to tokenizer/.
#ifndef QUIVER_TOKENIZER_WORDPIECE_H_
#define QUIVER_TOKENIZER_WORDPIECE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "tokenizer/bpe.h"

namespace quiver {

struct WordPieceConfig {
  StringIdMap vocab;
  std::string unk_token = "[UNK]";
  std::string continuing_subword_prefix = "##";
  size_t max_input_chars_per_word = 100;
};

class WordPieceModel {
 public:
  // InvalidArgument when the unknown token is not in the vocabulary.
  static Result<WordPieceModel> Create(WordPieceConfig config);

  // Appends the tokens of `word` (byte offsets into it, as BpeModel gives them): its greedy
  // longest-match-first segmentation, or the single unknown token spanning the word when it
  // has more than max_input_chars_per_word characters or no full segmentation.
  void Tokenize(std::string_view word, std::vector<BpeToken>& out) const;

  const StringIdMap& vocab() const { return config_.vocab; }

 private:
  explicit WordPieceModel(WordPieceConfig config) : config_(std::move(config)) {}
  // The id of the longest vocabulary piece starting at word[start] (prefixed unless start is
  // 0), with its end in `end`; -1 when there is none.
  int32_t LongestMatch(std::string_view word, size_t start, size_t& end) const;

  WordPieceConfig config_;
  int32_t unk_id_ = 0;
  size_t max_piece_bytes_ = 0;  // the longest vocabulary entry, prefix removed
};

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_WORDPIECE_H_
