// The Unigram model of a Hugging Face tokenizer.json (XLM-R, T5, ALBERT and other models
// converted from sentencepiece): each pre-token word is split into the sequence of vocabulary
// pieces with the highest total score (Viterbi over all segmentations), as tokenizers'
// Unigram::encode_optimized does it. A character no piece starts with becomes the unknown
// token with score min_score - 10; consecutive unknown tokens are fused into one (tokenizers
// always fuses them for Unigram); with byte_fallback, a fused unknown span becomes one <0xXX>
// token per byte when all of those are in the vocabulary. Internal to tokenizer/.
#ifndef QUIVER_TOKENIZER_UNIGRAM_H_
#define QUIVER_TOKENIZER_UNIGRAM_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "quiver/status.h"
#include "tokenizer/bpe.h"

namespace quiver {

struct UnigramConfig {
  // Piece i has id i. A piece listed twice maps to its last id, as in tokenizers.
  std::vector<std::pair<std::string, double>> vocab;
  int32_t unk_id = -1;
  bool byte_fallback = false;
};

class UnigramModel {
 public:
  // InvalidArgument for an empty vocabulary or an unk_id outside it; NotSupported without an
  // unk_id (tokenizers fails such a model's encode at the first unknown character).
  static Result<UnigramModel> Create(UnigramConfig config);

  // Appends the tokens of `word` (valid UTF-8) with byte offsets into it, as BpeModel does.
  // Byte-fallback tokens all span the whole unknown run they come from, as in tokenizers.
  void Tokenize(std::string_view word, std::vector<BpeToken>& out) const;

  const StringIdMap& vocab() const { return ids_; }
  const std::vector<std::pair<std::string, double>>& pieces() const { return config_.vocab; }
  int32_t unk_id() const { return config_.unk_id; }

 private:
  // A byte trie over the pieces, children in byte order, stored flat.
  struct TrieNode {
    uint32_t first_edge = 0, edge_count = 0;
    int32_t id = -1;  // the piece ending here, or -1
  };
  struct TrieEdge {
    uint8_t byte;
    uint32_t child;
  };
  // Best path ending at a byte position of the word.
  struct PathNode {
    double score = 0;
    int32_t start = -1;  // -1: not reached yet
    int32_t id = 0;
  };

  explicit UnigramModel(UnigramConfig config) : config_(std::move(config)) {}
  void BuildTrie();
  uint32_t BuildNode(std::vector<std::string_view>& sorted, size_t lo, size_t hi, size_t depth);
  // The node reached from `node` by `byte`, or 0 (the root is never a child).
  uint32_t Child(uint32_t node, uint8_t byte) const;
  void Viterbi(std::string_view word, std::vector<PathNode>& best) const;
  void EmitSpan(std::string_view word, uint32_t b, uint32_t e, int32_t id,
                std::vector<BpeToken>& out) const;

  UnigramConfig config_;
  StringIdMap ids_;
  std::vector<TrieNode> nodes_;
  std::vector<TrieEdge> edges_;
  double min_score_ = 0;
  std::vector<int32_t> byte_ids_;  // id of <0xXX> per byte, -1 when absent; empty without fallback
};

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_UNIGRAM_H_
