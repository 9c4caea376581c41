// Lexical queries: clauses of terms or phrases with an occurrence, and the query parser.
//
// Syntax (what users know from search engines), split at ASCII whitespace:
//   word          a should clause: optional, scored (OR)
//   +word         a must clause: required and scored
//   -word         a must-not clause: documents holding it are excluded
//   "a phrase"    the words at consecutive positions, scored as one pseudo-term; +"…" and -"…"
//                 work as for words. An unclosed quote closes at the end of the text.
// '+' and '-' are operators only at the start of a token and when something follows them
// ("e-mail" is a word, a lone "+" is a word, which analyzes to nothing). A quote opens a
// phrase only at the start of a token (after an optional operator). Nothing is ever an error.
//
// Words are analyzed by the index's analyzer. A word yielding one term is a clause of that
// term. A word yielding an identifier (a whole plus its parts, e.g. "apt.conf" →
// apt.conf, apt, conf) is a clause of the whole with the word's occurrence, plus a should
// clause per part (so documents with only the parts still match, ranked below the exact
// whole, whose idf is higher); a required or excluded identifier requires or excludes only
// its whole, its parts are never required, and for -word they are dropped. Any other word
// yielding several terms (e.g. CJK text, segmented by the analyzer) gives one clause per term,
// all with the word's occurrence. A phrase is the analyzed parts of its text (whole
// identifiers dropped, since they share their first part's position), each with its position
// relative to the first; a phrase of one term is a term clause. Words and phrases that analyze
// to nothing are dropped; an empty query has no clauses and finds nothing.
#ifndef QUIVER_TEXT_LEXICAL_QUERY_H_
#define QUIVER_TEXT_LEXICAL_QUERY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"
#include "text/analyzer.h"

namespace quiver::text {

enum class Occur { kShould, kMust, kMustNot };

struct QueryClause {
  Occur occur = Occur::kShould;
  // One term, or a phrase's terms in order.
  std::vector<std::string> terms;
  // Position of each term relative to the first (offsets[0] == 0), as many as terms.
  std::vector<uint32_t> offsets;
  bool IsPhrase() const { return terms.size() > 1; }
  friend bool operator==(const QueryClause&, const QueryClause&) = default;
};

struct LexicalQuery {
  std::vector<QueryClause> clauses;
};

// A clause of one term.
QueryClause TermClause(std::string term, Occur occur = Occur::kShould);
// A clause of consecutive terms.
QueryClause PhraseClause(std::vector<std::string> terms, Occur occur = Occur::kShould);

// The clause's key in CorpusStatistics::frequencies (quiver/options.h): its term; for a
// phrase its terms joined by single spaces, or, when they are not at consecutive positions,
// each term followed by '@' and its offset ("apt@0 conf@2").
std::string ClauseKey(const QueryClause& clause);

// Parses `text` by the rules above. Never fails today; Result leaves room for limits.
Result<LexicalQuery> ParseQuery(std::string_view text, const Analyzer& analyzer);

}  // namespace quiver::text

#endif  // QUIVER_TEXT_LEXICAL_QUERY_H_
