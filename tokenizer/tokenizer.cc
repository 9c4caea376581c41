#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tokenizer/blob.h"
#include "tokenizer/internal.h"
#include "util/strings.h"

namespace quiver {

std::string_view TokenizerKindName(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::kSentencePiece:
      return "sentencepiece";
    case TokenizerKind::kHuggingFaceBpe:
      return "huggingface-bpe";
    case TokenizerKind::kWord:
      return "word";
  }
  return "unknown";
}

Result<std::unique_ptr<Tokenizer>> LoadTokenizerBlob(std::string_view data) {
  QUIVER_ASSIGN_OR_RETURN(const blob::Decoded decoded, blob::Decode(data));
  const std::string_view payload = decoded.payload;
  Result<std::unique_ptr<Tokenizer>> tok = Status::Corruption("unreachable");
  switch (decoded.kind) {
    case TokenizerKind::kSentencePiece:
      tok = LoadSentencePieceModel(payload);
      break;
    case TokenizerKind::kHuggingFaceBpe:
      tok = LoadHuggingFaceJson(payload);
      break;
    case TokenizerKind::kWord:
      tok = LoadWordTokenizerPayload(payload);
      break;
  }
  if (!tok.ok()) return tok.status().WithContext("tokenizer blob");
  return tok;
}

Result<std::unique_ptr<Tokenizer>> LoadTokenizerFile(const std::string& path) {
  if (util::EndsWith(path, ".txt") || util::EndsWith(path, ".vocab")) {
    return LoadWordVocabFile(path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path);
  const std::string data = ss.str();
  Result<std::unique_ptr<Tokenizer>> tok = Status::Corruption("unreachable");
  const size_t first = data.find_first_not_of(" \t\r\n");
  if (blob::HasMagic(data)) {
    tok = LoadTokenizerBlob(data);
  } else if (first != std::string::npos && data[first] == '{') {
    tok = LoadHuggingFaceJson(data);
  } else {
    tok = LoadSentencePieceModel(data);
  }
  if (!tok.ok()) return tok.status().WithContext(path);
  return tok;
}

Tokenization ToTokenization(const Tokenizer& tokenizer, const Encoding& encoding) {
  Tokenization result{std::string(tokenizer.kind_name()), tokenizer.vocab_size(), {}};
  result.tokens.reserve(encoding.ids.size());
  for (size_t i = 0; i < encoding.ids.size(); ++i) {
    result.tokens.push_back({std::string(encoding.pieces[i]), encoding.ids[i],
                             encoding.offsets[i].begin, encoding.offsets[i].end});
  }
  return result;
}

namespace {
size_t KeptTokens(int max_length, size_t leading, size_t size) {
  if (max_length <= 0) return size;
  return std::min(size, std::max(leading, static_cast<size_t>(max_length)));
}
}  // namespace

void TruncateKeepingLeading(int max_length, size_t leading, std::vector<int32_t>& ids) {
  ids.resize(KeptTokens(max_length, leading, ids.size()));
}

void TruncateKeepingLeading(int max_length, size_t leading, Encoding& enc) {
  const size_t keep = KeptTokens(max_length, leading, enc.ids.size());
  enc.ids.resize(keep);
  if (enc.pieces.size() > keep) enc.pieces.resize(keep);
  if (enc.offsets.size() > keep) enc.offsets.resize(keep);
}

}  // namespace quiver
