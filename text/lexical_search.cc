// LexicalIndex::Search and SearchExhaustive: BM25 over term and phrase clauses, top-k by
// block-max WAND (Ding & Suel 2011) over the scored (should and must) clauses, with must and
// must-not clauses checked as filters on each candidate.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <utility>

#include "text/lexical_index.h"

namespace quiver::text {
namespace {

constexpr uint64_t kEnd = PostingCursor::kEnd;

// True when a document whose score is at most `bound` might still enter a top-k whose
// worst score is `theta`. The margin covers float rounding between the bound (summed in
// cursor order from block maxima) and the exact score (summed in clause order).
bool MayExceed(float bound, float theta) { return bound * (1.0f + 1e-5f) + 1e-6f > theta; }

// Orders results best first: higher score, then lower doc id.
bool Better(const ScoredDoc& a, const ScoredDoc& b) {
  return a.score > b.score || (a.score == b.score && a.doc < b.doc);
}

// A top-k collector: a heap whose top is the worst kept result.
class TopK {
 public:
  explicit TopK(size_t k) : k_(k) {}
  float Threshold() const {
    return heap_.size() < k_ ? -std::numeric_limits<float>::infinity() : heap_.front().score;
  }
  void Push(ScoredDoc d) {
    if (heap_.size() < k_) {
      heap_.push_back(d);
      std::push_heap(heap_.begin(), heap_.end(), Better);
    } else if (Better(d, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = d;
      std::push_heap(heap_.begin(), heap_.end(), Better);
    }
  }
  std::vector<ScoredDoc> Take() {
    std::sort(heap_.begin(), heap_.end(), Better);
    return std::move(heap_);
  }

 private:
  size_t k_;
  std::vector<ScoredDoc> heap_;
};

}  // namespace

class LexicalIndex::Searcher {
 public:
  // Scores with `statistics` instead of the index's own when not null.
  Searcher(const LexicalIndex& index, const LexicalQuery& query, const Bm25Params& params,
           const std::function<bool(uint64_t)>* allowed, const CorpusStatistics* statistics);

  // Top-k by block-max WAND when the query has must clauses, else by MaxScore.
  std::vector<ScoredDoc> TopDocuments(size_t k);
  std::vector<ScoredDoc> Wand(size_t k);
  std::vector<ScoredDoc> MaxScore(size_t k);
  std::vector<ScoredDoc> Exhaustive(size_t k);
  // The df the first clause was scored with (0 when the query has none).
  uint64_t FrequencyOfFirstClause() const { return clauses_.empty() ? 0 : clauses_.front()->df; }

 private:
  struct Clause {
    Occur occur = Occur::kShould;
    const PostingList* list = nullptr;
    PostingList phrase{false};  // a phrase's materialized postings
    uint64_t df = 0;
    float idf = 0;
    float max_score = 0;
  };

  void Resolve(const QueryClause& qc, Clause* clause);
  // The clause's df in the index; a phrase is materialized into *clause.
  uint64_t LocalFrequency(const QueryClause& qc, Clause* clause);
  void MaterializePhrase(const QueryClause& qc, Clause* clause);
  uint64_t CountTombstoned(const PostingList& list) const;
  // The first doc >= d holding every must clause (kEnd if none).
  uint64_t RequiredFloor(uint64_t d);
  // Whether d is live, allowed and holds no must-not clause; sets *dl.
  bool Accept(uint64_t d, uint32_t* dl);
  float Score(uint64_t d, uint32_t dl);
  void WandStep(std::vector<size_t>* order, TopK* top);

  const LexicalIndex& index_;
  const Bm25Params params_;
  const std::function<bool(uint64_t)>* allowed_;
  const CorpusStatistics* statistics_;  // null: the index's own
  uint64_t documents_ = 0;              // N of the idf
  float avgdl_ = 1;
  bool empty_ = false;  // nothing can match
  std::vector<std::unique_ptr<Clause>> clauses_;
  std::vector<PostingCursor> scored_;  // one per should/must clause, in clause order
  std::vector<float> scored_idf_, scored_max_;
  std::vector<PostingCursor> required_;  // must clauses
  std::vector<PostingCursor> excluded_;  // must-not clauses
};

LexicalIndex::Searcher::Searcher(const LexicalIndex& index, const LexicalQuery& query,
                                 const Bm25Params& params,
                                 const std::function<bool(uint64_t)>* allowed,
                                 const CorpusStatistics* statistics)
    : index_(index), params_(params), allowed_(allowed), statistics_(statistics) {
  const uint64_t n = statistics ? statistics->documents : index.live_count_;
  const uint64_t length = statistics ? statistics->total_length : index.live_length_;
  if (index.live_count_ == 0 || n == 0) {
    empty_ = true;
    return;
  }
  documents_ = n;
  avgdl_ = static_cast<float>(static_cast<double>(length) / n);
  if (!(avgdl_ > 0)) avgdl_ = 1;
  static const PostingList kNone;
  for (const QueryClause& qc : query.clauses) {
    if (qc.terms.empty()) continue;
    auto clause = std::make_unique<Clause>();
    clause->occur = qc.occur;
    Resolve(qc, clause.get());
    const PostingList& list = clause->list ? *clause->list : kNone;
    if (qc.occur == Occur::kMustNot) {
      excluded_.emplace_back(list);
    } else {
      if (qc.occur == Occur::kMust) required_.emplace_back(list);
      if (qc.occur == Occur::kMust && list.empty()) empty_ = true;
      scored_.emplace_back(list);
      scored_idf_.push_back(clause->idf);
      scored_max_.push_back(clause->max_score);
    }
    clauses_.push_back(std::move(clause));
  }
  if (scored_.empty()) empty_ = true;
}

uint64_t LexicalIndex::Searcher::LocalFrequency(const QueryClause& qc, Clause* clause) {
  if (qc.IsPhrase()) {
    MaterializePhrase(qc, clause);
    clause->list = &clause->phrase;
    return clause->phrase.size();
  }
  clause->list = index_.Find(qc.terms[0]);
  return clause->list ? clause->list->size() - CountTombstoned(*clause->list) : 0;
}

void LexicalIndex::Searcher::Resolve(const QueryClause& qc, Clause* clause) {
  uint64_t df = LocalFrequency(qc, clause);
  if (statistics_ != nullptr) {
    const auto found = statistics_->frequencies.find(ClauseKey(qc));
    df = found == statistics_->frequencies.end() ? 0 : found->second;
  }
  clause->df = df;
  clause->idf = Bm25Idf(df, documents_);
  if (clause->list && !clause->list->empty()) {
    clause->max_score = Bm25TermScore(clause->idf, clause->list->MaxFreq(),
                                      clause->list->MinDocLen(), avgdl_, params_);
  }
}

uint64_t LexicalIndex::Searcher::CountTombstoned(const PostingList& list) const {
  PostingCursor cursor(list);
  uint64_t count = 0;
  for (uint64_t id : index_.tombstones_) {
    cursor.Advance(id);
    if (cursor.Doc() == kEnd) break;
    if (cursor.Doc() == id) ++count;
  }
  return count;
}

void LexicalIndex::Searcher::MaterializePhrase(const QueryClause& qc, Clause* clause) {
  std::vector<PostingCursor> cursors;
  for (const std::string& term : qc.terms) {
    const PostingList* list = index_.Find(term);
    if (list == nullptr) return;
    cursors.emplace_back(*list);
  }
  uint64_t d = 0;
  while (true) {
    // Leapfrog to a doc every term holds.
    bool agreed = false;
    while (!agreed) {
      agreed = true;
      for (PostingCursor& c : cursors) {
        c.Advance(d);
        if (c.Doc() == kEnd) return;
        if (c.Doc() > d) d = c.Doc(), agreed = false;
      }
    }
    int64_t i = index_.FindDoc(d);
    if (i >= 0 && index_.IsLive(i)) {
      uint32_t freq = 0;
      for (uint32_t start : cursors[0].Positions()) {
        bool all = true;
        for (size_t t = 1; t < cursors.size() && all; ++t) {
          std::span<const uint32_t> pos = cursors[t].Positions();
          uint64_t want = static_cast<uint64_t>(start) + qc.offsets[t] - qc.offsets[0];
          all = std::binary_search(pos.begin(), pos.end(), want);
        }
        freq += all ? 1 : 0;
      }
      if (freq > 0) clause->phrase.Append(d, freq, nullptr, index_.doc_lens_[i]);
    }
    if (d == kEnd - 1) return;
    ++d;
  }
}

uint64_t LexicalIndex::Searcher::RequiredFloor(uint64_t d) {
  uint64_t floor = d;
  for (PostingCursor& c : required_) {
    c.Advance(floor);
    floor = std::max(floor, c.Doc());
  }
  // Every doc in [d, floor) lacks the term of the cursor that last raised the floor, or of
  // one that raised it before.
  return floor;
}

bool LexicalIndex::Searcher::Accept(uint64_t d, uint32_t* dl) {
  int64_t i = index_.FindDoc(d);
  if (i < 0 || !index_.IsLive(i)) return false;
  for (PostingCursor& c : required_) {
    c.Advance(d);
    if (c.Doc() != d) return false;
  }
  for (PostingCursor& c : excluded_) {
    c.Advance(d);
    if (c.Doc() == d) return false;
  }
  if (allowed_ && !(*allowed_)(d)) return false;
  *dl = index_.doc_lens_[i];
  return true;
}

float LexicalIndex::Searcher::Score(uint64_t d, uint32_t dl) {
  float score = 0;
  for (size_t i = 0; i < scored_.size(); ++i) {
    scored_[i].Advance(d);
    if (scored_[i].Doc() == d) {
      score += Bm25TermScore(scored_idf_[i], scored_[i].Freq(), dl, avgdl_, params_);
    }
  }
  return score;
}

std::vector<ScoredDoc> LexicalIndex::Searcher::Exhaustive(size_t k) {
  TopK top(k);
  if (empty_ || k == 0) return top.Take();
  for (uint64_t d : index_.doc_ids_) {
    uint32_t dl = 0;
    if (!Accept(d, &dl)) continue;
    bool any = false;
    for (PostingCursor& c : scored_) {
      c.Advance(d);
      any = any || c.Doc() == d;
    }
    if (any) top.Push({d, Score(d, dl)});
  }
  return top.Take();
}

// One step of block-max WAND over the scored cursors not yet exhausted, `order` sorted by
// their current doc. Clears `order` when no further document can enter the top k.
void LexicalIndex::Searcher::WandStep(std::vector<size_t>* order, TopK* top) {
  std::vector<size_t>& o = *order;
  const size_t n = o.size();
  float theta = top->Threshold();
  float acc = 0;
  size_t p = n;
  for (size_t i = 0; i < n; ++i) {
    acc += scored_max_[o[i]];
    if (MayExceed(acc, theta)) {
      p = i;
      break;
    }
  }
  if (p == n) return o.clear();
  const uint64_t d = scored_[o[p]].Doc();
  while (p + 1 < n && scored_[o[p + 1]].Doc() == d) ++p;
  // Bound d by the blocks holding it.
  float block_sum = 0;
  uint64_t block_end = kEnd;
  for (size_t i = 0; i <= p; ++i) {
    PostingCursor& c = scored_[o[i]];
    c.ShallowAdvance(d);
    block_sum += c.BlockUpperBound(scored_idf_[o[i]], avgdl_, params_);
    block_end = std::min(block_end, c.BlockMaxDoc());
  }
  uint64_t target = d;
  if (!MayExceed(block_sum, theta)) {
    // No doc before the end of the shortest block, nor before the next list's doc, can enter.
    target = block_end == kEnd ? kEnd : block_end + 1;
    if (p + 1 < n) target = std::min(target, scored_[o[p + 1]].Doc());
  } else if (scored_[o[0]].Doc() == d) {
    uint64_t floor = RequiredFloor(d);
    if (floor == d) {
      uint32_t dl = 0;
      if (Accept(d, &dl)) top->Push({d, Score(d, dl)});
      for (size_t i = 0; i <= p; ++i) scored_[o[i]].Next();
      return;
    }
    target = floor;  // docs before it lack a must clause
  }
  for (size_t i = 0; i < n; ++i) scored_[o[i]].Advance(target);
}

std::vector<ScoredDoc> LexicalIndex::Searcher::Wand(size_t k) {
  TopK top(k);
  if (empty_ || k == 0) return top.Take();
  std::vector<size_t> order;
  for (size_t i = 0; i < scored_.size(); ++i) order.push_back(i);
  while (true) {
    order.erase(std::remove_if(order.begin(), order.end(),
                               [&](size_t i) { return scored_[i].Doc() == kEnd; }),
                order.end());
    if (order.empty()) break;
    // Insertion sort: after a step the order is nearly sorted and holds a few cursors.
    for (size_t i = 1; i < order.size(); ++i) {
      for (size_t j = i; j > 0 && scored_[order[j]].Doc() < scored_[order[j - 1]].Doc(); --j) {
        std::swap(order[j], order[j - 1]);
      }
    }
    WandStep(&order, &top);
    if (order.empty()) break;
  }
  return top.Take();
}

std::vector<ScoredDoc> LexicalIndex::Searcher::TopDocuments(size_t k) {
  return required_.empty() ? MaxScore(k) : Wand(k);
}

// MaxScore (Turtle & Flood 1995) for queries without must clauses. The scored lists, by
// ascending maximum score, split into non-essential ones (the longest prefix whose maxima sum
// to no more than the k-th best score: a document only they hold cannot enter) and essential
// ones, whose documents are the candidates. A candidate's non-essential lists are read in
// descending maximum order only while its bound can still beat the threshold; the score of a
// candidate that can is then computed in clause order, as Exhaustive does.
std::vector<ScoredDoc> LexicalIndex::Searcher::MaxScore(size_t k) {
  TopK top(k);
  if (empty_ || k == 0) return top.Take();
  const size_t n = scored_.size();
  std::vector<size_t> by_max(n);
  for (size_t i = 0; i < n; ++i) by_max[i] = i;
  std::sort(by_max.begin(), by_max.end(), [&](size_t a, size_t b) {
    return scored_max_[a] != scored_max_[b] ? scored_max_[a] < scored_max_[b] : a < b;
  });
  std::vector<float> prefix(n + 1, 0);  // prefix[i]: sum of the i smallest maxima
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + scored_max_[by_max[i]];
  size_t essential = 0;  // by_max[essential..n) are the essential lists
  while (true) {
    const float theta = top.Threshold();
    while (essential < n && !MayExceed(prefix[essential + 1], theta)) ++essential;
    if (essential == n) break;
    uint64_t d = kEnd;
    for (size_t i = essential; i < n; ++i) d = std::min(d, scored_[by_max[i]].Doc());
    if (d == kEnd) break;
    uint32_t dl = 0;
    if (Accept(d, &dl)) {
      float bound = prefix[essential];
      for (size_t i = essential; i < n; ++i) {
        PostingCursor& c = scored_[by_max[i]];
        if (c.Doc() == d)
          bound += Bm25TermScore(scored_idf_[by_max[i]], c.Freq(), dl, avgdl_, params_);
      }
      for (size_t j = essential; j-- > 0 && MayExceed(bound, theta);) {
        PostingCursor& c = scored_[by_max[j]];
        bound -= scored_max_[by_max[j]];
        c.Advance(d);
        if (c.Doc() == d)
          bound += Bm25TermScore(scored_idf_[by_max[j]], c.Freq(), dl, avgdl_, params_);
      }
      if (MayExceed(bound, theta)) top.Push({d, Score(d, dl)});
    }
    for (size_t i = essential; i < n; ++i) {
      PostingCursor& c = scored_[by_max[i]];
      if (c.Doc() == d) c.Next();
    }
  }
  return top.Take();
}

std::vector<ScoredDoc> LexicalIndex::Search(const LexicalQuery& query, size_t k,
                                            const Bm25Params& params,
                                            const std::function<bool(uint64_t)>* allowed,
                                            const CorpusStatistics* statistics) const {
  return Searcher(*this, query, params, allowed, statistics).TopDocuments(k);
}

std::vector<ScoredDoc> LexicalIndex::SearchExhaustive(const LexicalQuery& query, size_t k,
                                                      const Bm25Params& params,
                                                      const std::function<bool(uint64_t)>* allowed,
                                                      const CorpusStatistics* statistics) const {
  return Searcher(*this, query, params, allowed, statistics).Exhaustive(k);
}

uint64_t LexicalIndex::ClauseFrequency(const QueryClause& clause) const {
  if (live_count_ == 0 || clause.terms.empty()) return 0;
  LexicalQuery query;
  query.clauses.push_back(clause);
  Searcher searcher(*this, query, Bm25Params{}, nullptr, nullptr);
  return searcher.FrequencyOfFirstClause();
}

}  // namespace quiver::text
