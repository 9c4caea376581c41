#include "text/lexical_query.h"

#include <string>
#include <utility>

namespace quiver::text {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// True when terms[i] is a whole identifier: the next term shares its position and ends
// before it (a whole is emitted before its first part and spans all parts).
bool IsWhole(const std::vector<Term>& terms, size_t i) {
  return i + 1 < terms.size() && terms[i + 1].position == terms[i].position &&
         terms[i + 1].end < terms[i].end;
}

void AddWord(std::string_view word, Occur occur, const Analyzer& analyzer,
             std::vector<Term>* scratch, LexicalQuery* query) {
  analyzer.Analyze(word, scratch);
  const std::vector<Term>& terms = *scratch;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (!IsWhole(terms, i)) {
      query->clauses.push_back(TermClause(terms[i].text, occur));
      continue;
    }
    query->clauses.push_back(TermClause(terms[i].text, occur));
    size_t j = i + 1;
    for (; j < terms.size() && terms[j].begin < terms[i].end; ++j) {
      if (occur != Occur::kMustNot) query->clauses.push_back(TermClause(terms[j].text));
    }
    i = j - 1;
  }
}

void AddPhrase(std::string_view text, Occur occur, const Analyzer& analyzer,
               std::vector<Term>* scratch, LexicalQuery* query) {
  analyzer.Analyze(text, scratch);
  QueryClause clause;
  clause.occur = occur;
  const std::vector<Term>& terms = *scratch;
  for (size_t i = 0; i < terms.size(); ++i) {
    if (IsWhole(terms, i)) continue;
    clause.terms.push_back(terms[i].text);
    clause.offsets.push_back(terms[i].position - terms[0].position);
  }
  if (!clause.terms.empty()) query->clauses.push_back(std::move(clause));
}

}  // namespace

QueryClause TermClause(std::string term, Occur occur) {
  QueryClause clause;
  clause.occur = occur;
  clause.terms.push_back(std::move(term));
  clause.offsets.push_back(0);
  return clause;
}

QueryClause PhraseClause(std::vector<std::string> terms, Occur occur) {
  QueryClause clause;
  clause.occur = occur;
  for (size_t i = 0; i < terms.size(); ++i) clause.offsets.push_back(static_cast<uint32_t>(i));
  clause.terms = std::move(terms);
  return clause;
}

std::string ClauseKey(const QueryClause& clause) {
  bool consecutive = true;
  for (size_t i = 0; i < clause.offsets.size(); ++i) consecutive &= clause.offsets[i] == i;
  std::string key;
  for (size_t i = 0; i < clause.terms.size(); ++i) {
    if (i > 0) key += ' ';
    key += clause.terms[i];
    if (!consecutive) key += '@' + std::to_string(clause.offsets[i]);
  }
  return key;
}

Result<LexicalQuery> ParseQuery(std::string_view text, const Analyzer& analyzer) {
  LexicalQuery query;
  std::vector<Term> scratch;
  size_t i = 0;
  while (i < text.size()) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    Occur occur = Occur::kShould;
    if ((text[i] == '+' || text[i] == '-') && i + 1 < text.size() && !IsSpace(text[i + 1])) {
      occur = text[i] == '+' ? Occur::kMust : Occur::kMustNot;
      ++i;
    }
    if (text[i] == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) close = text.size();
      AddPhrase(text.substr(i + 1, close - i - 1), occur, analyzer, &scratch, &query);
      i = close + 1;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !IsSpace(text[end])) ++end;
    AddWord(text.substr(i, end - i), occur, analyzer, &scratch, &query);
    i = end;
  }
  return query;
}

}  // namespace quiver::text
