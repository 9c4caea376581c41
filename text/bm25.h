// BM25 as Lucene computes it, shared by the lexical index's search and its block bounds.
//
//   idf(df, N)      = ln(1 + (N - df + 0.5) / (df + 0.5))           (always positive)
//   tf norm(f, dl)  = f * (k1 + 1) / (f + k1 * (1 - b + b * dl / avgdl))
//   score(term, d)  = idf * tf norm
//
// The tf norm grows with f and shrinks with dl, so a block's maximum frequency together with
// its minimum document length bounds the score of every posting in it, for any k1 and b.
#ifndef QUIVER_TEXT_BM25_H_
#define QUIVER_TEXT_BM25_H_

#include <cmath>
#include <cstdint>

namespace quiver::text {

struct Bm25Params {
  float k1 = 1.2f;
  float b = 0.75f;
};

// One search result: a document id and its BM25 score.
struct ScoredDoc {
  uint64_t doc = 0;
  float score = 0;
  friend bool operator==(const ScoredDoc&, const ScoredDoc&) = default;
};

// Lucene's idf; `df` documents out of `n` hold the term (0 <= df <= n).
inline float Bm25Idf(uint64_t df, uint64_t n) {
  double d = static_cast<double>(df);
  return static_cast<float>(std::log(1.0 + (static_cast<double>(n) - d + 0.5) / (d + 0.5)));
}

// idf * tf norm for frequency `f` in a document of `dl` terms; `avgdl` > 0.
inline float Bm25TermScore(float idf, uint32_t f, uint32_t dl, float avgdl,
                           const Bm25Params& params) {
  float ff = static_cast<float>(f);
  float norm = params.k1 * (1.0f - params.b + params.b * static_cast<float>(dl) / avgdl);
  return idf * (ff * (params.k1 + 1.0f) / (ff + norm));
}

}  // namespace quiver::text

#endif  // QUIVER_TEXT_BM25_H_
