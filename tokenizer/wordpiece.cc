// WordPiece, as tokenizers' models::wordpiece::WordPiece::tokenize does it.
#include "tokenizer/wordpiece.h"

#include <algorithm>

#include "util/utf8.h"

namespace quiver {

Result<WordPieceModel> WordPieceModel::Create(WordPieceConfig config) {
  auto unk = config.vocab.find(config.unk_token);
  if (unk == config.vocab.end()) {
    return Status::InvalidArgument("WordPiece unk_token \"" + config.unk_token +
                                   "\" is not in the vocabulary");
  }
  WordPieceModel model(std::move(config));
  model.unk_id_ = unk->second;
  const std::string& prefix = model.config_.continuing_subword_prefix;
  for (const auto& [piece, id] : model.config_.vocab) {
    const bool prefixed = !prefix.empty() && piece.starts_with(prefix);
    model.max_piece_bytes_ =
        std::max(model.max_piece_bytes_, piece.size() - (prefixed ? prefix.size() : 0));
  }
  return model;
}

int32_t WordPieceModel::LongestMatch(std::string_view word, size_t start, size_t& end) const {
  std::string key = start > 0 ? config_.continuing_subword_prefix : std::string();
  const size_t key_base = key.size();
  end = utf8::CharBoundaryAtOrBefore(word, std::min(word.size(), start + max_piece_bytes_));
  while (end > start) {
    key.resize(key_base);
    key.append(word.substr(start, end - start));
    auto it = config_.vocab.find(key);
    if (it != config_.vocab.end()) return it->second;
    end = utf8::CharBoundaryAtOrBefore(word, end - 1);
  }
  return -1;
}

void WordPieceModel::Tokenize(std::string_view word, std::vector<BpeToken>& out) const {
  const size_t first = out.size();
  size_t chars = 0;
  for (size_t i = 0; i < word.size(); i += utf8::CharLengthAt(word, i)) ++chars;
  if (chars <= config_.max_input_chars_per_word) {
    size_t start = 0;
    while (start < word.size()) {
      size_t end = 0;
      const int32_t id = LongestMatch(word, start, end);
      if (id < 0) break;
      out.push_back({id, static_cast<uint32_t>(start), static_cast<uint32_t>(end)});
      start = end;
    }
    if (start == word.size()) return;
  }
  out.resize(first);
  out.push_back({unk_id_, 0, static_cast<uint32_t>(word.size())});
}

}  // namespace quiver
