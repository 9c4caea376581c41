#include "tokenizer/unigram.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "util/utf8.h"

namespace quiver {

namespace {
constexpr double kUnkPenalty = 10.0;  // tokenizers' K_UNK_PENALTY
}  // namespace

Result<UnigramModel> UnigramModel::Create(UnigramConfig config) {
  if (config.vocab.empty()) return Status::InvalidArgument("Unigram model has an empty vocab");
  if (config.unk_id < 0) {
    return Status::NotSupported("Unigram model without an unk_id is not supported");
  }
  if (static_cast<size_t>(config.unk_id) >= config.vocab.size()) {
    return Status::InvalidArgument("Unigram unk_id " + std::to_string(config.unk_id) +
                                   " is outside the vocab of " +
                                   std::to_string(config.vocab.size()) + " pieces");
  }
  UnigramModel model(std::move(config));
  model.min_score_ = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < model.config_.vocab.size(); ++i) {
    const auto& [piece, score] = model.config_.vocab[i];
    if (!utf8::IsValid(piece)) {
      return Status::InvalidArgument("Unigram piece " + std::to_string(i) + " is not UTF-8");
    }
    model.ids_[piece] = static_cast<int32_t>(i);
    model.min_score_ = std::min(model.min_score_, score);
  }
  model.BuildTrie();
  if (model.config_.byte_fallback) {
    model.byte_ids_.assign(256, -1);
    char name[8];
    for (int b = 0; b < 256; ++b) {
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      auto it = model.ids_.find(std::string_view(name));
      if (it != model.ids_.end()) model.byte_ids_[b] = it->second;
    }
  }
  return model;
}

void UnigramModel::BuildTrie() {
  std::vector<std::string_view> sorted;
  sorted.reserve(ids_.size());
  for (const auto& [piece, id] : ids_) {
    if (!piece.empty()) sorted.push_back(piece);
  }
  std::sort(sorted.begin(), sorted.end());
  nodes_.clear();
  edges_.clear();
  BuildNode(sorted, 0, sorted.size(), 0);
}

// The node for the pieces sorted[lo, hi), which share their first `depth` bytes.
uint32_t UnigramModel::BuildNode(std::vector<std::string_view>& sorted, size_t lo, size_t hi,
                                 size_t depth) {
  const auto index = static_cast<uint32_t>(nodes_.size());
  nodes_.emplace_back();
  if (lo < hi && sorted[lo].size() == depth) {
    nodes_[index].id = ids_.find(sorted[lo])->second;
    ++lo;
  }
  struct Group {
    uint8_t byte;
    size_t lo, hi;
  };
  std::vector<Group> groups;
  for (size_t i = lo; i < hi;) {
    const auto byte = static_cast<uint8_t>(sorted[i][depth]);
    size_t j = i + 1;
    while (j < hi && static_cast<uint8_t>(sorted[j][depth]) == byte) ++j;
    groups.push_back({byte, i, j});
    i = j;
  }
  const auto first = static_cast<uint32_t>(edges_.size());
  nodes_[index].first_edge = first;
  nodes_[index].edge_count = static_cast<uint32_t>(groups.size());
  for (const Group& g : groups) edges_.push_back({g.byte, 0});
  for (size_t k = 0; k < groups.size(); ++k) {
    const uint32_t child = BuildNode(sorted, groups[k].lo, groups[k].hi, depth + 1);
    edges_[first + k].child = child;
  }
  return index;
}

uint32_t UnigramModel::Child(uint32_t node, uint8_t byte) const {
  const TrieNode& n = nodes_[node];
  const TrieEdge* begin = edges_.data() + n.first_edge;
  const TrieEdge* end = begin + n.edge_count;
  const TrieEdge* it =
      std::lower_bound(begin, end, byte, [](const TrieEdge& e, uint8_t b) { return e.byte < b; });
  return it != end && it->byte == byte ? it->child : 0;
}

// best[p]: the best segmentation of word[0, p), for p at character boundaries. Scores add up in
// the order tokenizers adds them, and a later candidate wins only when strictly better.
void UnigramModel::Viterbi(std::string_view word, std::vector<PathNode>& best) const {
  const double unk_score = min_score_ - kUnkPenalty;
  best.assign(word.size() + 1, PathNode());
  const auto offer = [&](size_t end, size_t start, double score, int32_t id) {
    PathNode& target = best[end];
    if (target.start < 0 || score > target.score) {
      target.score = score;
      target.start = static_cast<int32_t>(start);
      target.id = id;
    }
  };
  for (size_t start = 0; start < word.size();) {
    const double till_here = best[start].score;
    const size_t char_len = utf8::CharLengthAt(word, start);
    bool has_single = false;
    uint32_t node = 0;
    for (size_t k = start; k < word.size(); ++k) {
      node = Child(node, static_cast<uint8_t>(word[k]));
      if (node == 0) break;
      const int32_t id = nodes_[node].id;
      if (id < 0) continue;
      offer(k + 1, start, config_.vocab[id].second + till_here, id);
      if (k + 1 - start == char_len) has_single = true;
    }
    if (!has_single) offer(start + char_len, start, unk_score + till_here, config_.unk_id);
    start += char_len;
  }
}

// Appends the token(s) of word[b, e) chosen with `id`: a span the model chose as unknown is
// looked up as a whole (tokenizers maps each piece back through its vocabulary), then falls
// back to bytes or to the unknown token.
void UnigramModel::EmitSpan(std::string_view word, uint32_t b, uint32_t e, int32_t id,
                            std::vector<BpeToken>& out) const {
  if (id != config_.unk_id) {
    out.push_back({id, b, e});
    return;
  }
  const std::string_view span = word.substr(b, e - b);
  if (auto it = ids_.find(span); it != ids_.end()) {
    out.push_back({it->second, b, e});
    return;
  }
  if (!byte_ids_.empty()) {
    const bool all = std::all_of(span.begin(), span.end(),
                                 [&](char c) { return byte_ids_[static_cast<uint8_t>(c)] >= 0; });
    if (all) {
      for (char c : span) out.push_back({byte_ids_[static_cast<uint8_t>(c)], b, e});
      return;
    }
  }
  out.push_back({config_.unk_id, b, e});
}

void UnigramModel::Tokenize(std::string_view word, std::vector<BpeToken>& out) const {
  if (word.empty()) return;
  std::vector<PathNode> best;
  Viterbi(word, best);
  // Walk back from the end; runs of unknown nodes become one span.
  struct Span {
    uint32_t b, e;
    int32_t id;
  };
  std::vector<Span> spans;
  for (size_t end = word.size(); end > 0;) {
    const PathNode& n = best[end];
    const auto start = static_cast<uint32_t>(n.start);
    if (n.id == config_.unk_id && !spans.empty() && spans.back().id == config_.unk_id) {
      spans.back().b = start;
    } else {
      spans.push_back({start, static_cast<uint32_t>(end), n.id});
    }
    end = start;
  }
  for (auto it = spans.rbegin(); it != spans.rend(); ++it)
    EmitSpan(word, it->b, it->e, it->id, out);
}

}  // namespace quiver
