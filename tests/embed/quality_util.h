// Helpers for the embedding-quality test: readers for WordNet's data and index files, the
// primary-sense restriction of its synsets, the synonym and random word pairs built from them,
// the cosine of two embedding rows, and the ROC AUC (Mann–Whitney U) of two score samples.
#ifndef QUIVER_TESTS_EMBED_QUALITY_UTIL_H_
#define QUIVER_TESTS_EMBED_QUALITY_UTIL_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace quiver::test {

// One synset of a WordNet `data.*` file: its byte offset in that file (the key the `index.*`
// files use) and its lemmas in file order.
struct WordNetSynset {
  uint64_t offset = 0;
  std::vector<std::string> lemmas;
};

// The synsets of a WordNet `data.*` file (e.g. /usr/share/wordnet/data.noun), in file order. A
// synset line reads "offset lex_filenum ss_type w_cnt word lex_id [word lex_id]... ..." with
// w_cnt in hexadecimal; lines starting with two spaces are the license header. Adjective
// markers such as "(a)", "(p)" or "(ip)" are removed from lemmas. Returns an empty vector when
// the file cannot be read.
inline std::vector<WordNetSynset> ReadWordNetData(const std::string& path) {
  std::vector<WordNetSynset> synsets;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ' ') continue;
    std::istringstream fields(line);
    std::string offset, lex_filenum, ss_type, w_cnt_hex;
    if (!(fields >> offset >> lex_filenum >> ss_type >> w_cnt_hex)) continue;
    WordNetSynset synset;
    int w_cnt = 0;
    try {
      synset.offset = std::stoull(offset);
      w_cnt = std::stoi(w_cnt_hex, nullptr, 16);
    } catch (...) {
      continue;
    }
    for (int i = 0; i < w_cnt; ++i) {
      std::string word, lex_id;
      if (!(fields >> word >> lex_id)) break;
      if (size_t paren = word.find('('); paren != std::string::npos) word.resize(paren);
      synset.lemmas.push_back(std::move(word));
    }
    synsets.push_back(std::move(synset));
  }
  return synsets;
}

// Each lemma's primary sense in a WordNet `index.*` file (e.g. /usr/share/wordnet/index.noun):
// lemma → offset (in the matching `data.*` file) of its first-listed synset. An index line reads
// "lemma pos synset_cnt p_cnt [ptr_symbol]... sense_cnt tagsense_cnt synset_offset
// [synset_offset]..." with the offsets in decreasing order of sense frequency (WordNet's
// semantic-concordance counts), so the first one is the lemma's most frequent sense in that part
// of speech. Index lemmas are lower case. Lines starting with two spaces are the license
// header. Returns an empty map when the file cannot be read.
inline std::unordered_map<std::string, uint64_t> ReadWordNetPrimarySenses(const std::string& path) {
  std::unordered_map<std::string, uint64_t> primary;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ' ') continue;
    std::istringstream fields(line);
    std::string lemma, pos;
    int synset_cnt = 0, p_cnt = 0;
    if (!(fields >> lemma >> pos >> synset_cnt >> p_cnt) || synset_cnt < 1) continue;
    std::string skipped;
    for (int i = 0; i < p_cnt; ++i) fields >> skipped;  // pointer symbols
    std::string sense_cnt, tagsense_cnt, first_offset;
    if (!(fields >> sense_cnt >> tagsense_cnt >> first_offset)) continue;
    try {
      primary.emplace(std::move(lemma), std::stoull(first_offset));
    } catch (...) {
      continue;
    }
  }
  return primary;
}

// `synsets` (one part of speech's `data.*` file) with each synset cut down to the lemmas whose
// primary sense it is according to `primary` (the same part of speech's `index.*` file, from
// ReadWordNetPrimarySenses). Two lemmas then share a cut-down synset exactly when that synset is
// the first sense of both. Lemmas are looked up as written (capitalized ones, absent from the
// lower-case index, drop out).
inline std::vector<std::vector<std::string>> PrimarySenseSynsets(
    const std::vector<WordNetSynset>& synsets,
    const std::unordered_map<std::string, uint64_t>& primary) {
  std::vector<std::vector<std::string>> out;
  out.reserve(synsets.size());
  for (const auto& synset : synsets) {
    std::vector<std::string> lemmas;
    for (const auto& lemma : synset.lemmas) {
      auto it = primary.find(lemma);
      if (it != primary.end() && it->second == synset.offset) lemmas.push_back(lemma);
    }
    out.push_back(std::move(lemmas));
  }
  return out;
}

// Whether `word` is a non-empty run of ASCII lower-case letters (no underscores, which WordNet
// uses for multi-word lemmas, no capitals, which mark proper nouns).
inline bool IsLowerAlpha(const std::string& word) {
  return !word.empty() &&
         std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

using WordPair = std::pair<std::string, std::string>;

// Distinct unordered pairs (first < second) of distinct lower-case alphabetic lemmas that share
// a synset and both satisfy `accept`, sorted.
inline std::vector<WordPair> SynonymPairs(const std::vector<std::vector<std::string>>& synsets,
                                          const std::function<bool(const std::string&)>& accept) {
  std::set<WordPair> pairs;
  for (const auto& synset : synsets) {
    std::vector<std::string> words;
    for (const auto& w : synset) {
      if (IsLowerAlpha(w) && accept(w)) words.push_back(w);
    }
    for (size_t i = 0; i < words.size(); ++i) {
      for (size_t j = i + 1; j < words.size(); ++j) {
        if (words[i] == words[j]) continue;
        pairs.insert(std::minmax(words[i], words[j]));
      }
    }
  }
  return {pairs.begin(), pairs.end()};
}

// `count` pairs of distinct words drawn uniformly (with a fixed-seed mt19937_64; indices by
// modulo, so the draw does not depend on the standard library's distributions) from the words
// of `pairs`, excluding the pairs themselves. Fewer when the words allow too few pairs.
inline std::vector<WordPair> RandomPairs(const std::vector<WordPair>& pairs, size_t count,
                                         uint64_t seed) {
  std::set<std::string> word_set;
  for (const auto& [a, b] : pairs) {
    word_set.insert(a);
    word_set.insert(b);
  }
  const std::vector<std::string> words(word_set.begin(), word_set.end());
  const std::set<WordPair> excluded(pairs.begin(), pairs.end());
  std::vector<WordPair> out;
  if (words.size() < 2) return out;
  std::mt19937_64 rng(seed);
  for (size_t attempts = 0; out.size() < count && attempts < 100 * count + 1000; ++attempts) {
    const std::string& a = words[rng() % words.size()];
    const std::string& b = words[rng() % words.size()];
    if (a == b) continue;
    WordPair p = std::minmax(a, b);
    if (excluded.count(p)) continue;
    out.push_back(std::move(p));
  }
  return out;
}

// Cosine similarity of two vectors of equal length; 0 when either is all zeros.
template <typename T>
double Cosine(const T& a, const T& b) {
  double dot = 0, na = 0, nb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
  }
  if (na == 0 || nb == 0) return 0;
  return dot / std::sqrt(na * nb);
}

// The probability that a score drawn from `positives` exceeds one drawn from `negatives`, ties
// counting half: the Mann–Whitney U statistic divided by |positives|·|negatives|, computed from
// mid-ranks in O(n log n). NaN when either sample is empty.
inline double RocAuc(const std::vector<double>& positives, const std::vector<double>& negatives) {
  if (positives.empty() || negatives.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<double, bool>> all;  // (score, is_positive)
  all.reserve(positives.size() + negatives.size());
  for (double s : positives) all.emplace_back(s, true);
  for (double s : negatives) all.emplace_back(s, false);
  std::sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  double positive_rank_sum = 0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double mid_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;  // 1-based
    for (size_t k = i; k < j; ++k) {
      if (all[k].second) positive_rank_sum += mid_rank;
    }
    i = j;
  }
  const double n_pos = static_cast<double>(positives.size());
  const double n_neg = static_cast<double>(negatives.size());
  const double u = positive_rank_sum - n_pos * (n_pos + 1) / 2;
  return u / (n_pos * n_neg);
}

}  // namespace quiver::test

#endif  // QUIVER_TESTS_EMBED_QUALITY_UTIL_H_
