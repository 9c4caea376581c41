// The lexical index's statistics hooks: ClauseKey, ClauseFrequency (tombstones and phrases
// counted as Search counts them) and Search with outside statistics, which replace N, avgdl
// and df and nothing else.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "text/lexical_index.h"
#include "text/lexical_query.h"

namespace quiver::text {
namespace {

std::vector<Term> Words(const std::string& text) {
  std::vector<Term> terms;
  size_t i = 0;
  uint32_t position = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    terms.push_back(Term{text.substr(i, j - i), position++, 0, 0});
    i = j + 1;
  }
  return terms;
}

LexicalIndex MakeIndex() {
  LexicalIndex index;
  const std::vector<std::string> docs = {"red fox jumps", "red red fox", "blue fox", "fox red",
                                         "red fox red fox"};
  for (size_t d = 0; d < docs.size(); ++d) EXPECT_TRUE(index.Add(d + 1, Words(docs[d])).ok());
  EXPECT_TRUE(index.Remove(3).ok());  // "blue fox"
  return index;
}

TEST(ClauseKeyTest, TermsPhrasesAndGappedPhrases) {
  EXPECT_EQ(ClauseKey(TermClause("fox", Occur::kMust)), "fox");
  EXPECT_EQ(ClauseKey(PhraseClause({"red", "fox"})), "red fox");
  QueryClause gapped = PhraseClause({"apt", "conf"});
  gapped.offsets = {0, 2};
  EXPECT_EQ(ClauseKey(gapped), "apt@0 conf@2");
}

TEST(ClauseFrequencyTest, CountsLiveDocumentsAndExactPhraseMatches) {
  const LexicalIndex index = MakeIndex();
  EXPECT_EQ(index.ClauseFrequency(TermClause("fox")), 4u);  // the tombstoned one left out
  EXPECT_EQ(index.ClauseFrequency(TermClause("blue")), 0u);
  EXPECT_EQ(index.ClauseFrequency(TermClause("absent")), 0u);
  EXPECT_EQ(index.ClauseFrequency(PhraseClause({"red", "fox"})), 3u);
  EXPECT_EQ(index.ClauseFrequency(PhraseClause({"fox", "red"})), 2u);
}

TEST(SearchWithStatisticsTest, OwnStatisticsScoreAsNoneAndOthersChangeOnlyScores) {
  const LexicalIndex index = MakeIndex();
  LexicalQuery query{{TermClause("fox"), PhraseClause({"red", "fox"}), TermClause("jumps")}};
  CorpusStatistics own;
  own.documents = index.DocumentCount();
  own.total_length = index.TotalLength();
  for (const QueryClause& c : query.clauses)
    own.frequencies[ClauseKey(c)] = index.ClauseFrequency(c);
  const std::vector<ScoredDoc> local = index.Search(query, 10, {});
  EXPECT_EQ(index.Search(query, 10, {}, nullptr, &own), local);
  EXPECT_EQ(index.SearchExhaustive(query, 10, {}, nullptr, &own), local);

  CorpusStatistics bigger = own;
  bigger.documents = 1000;
  bigger.total_length = 3000;
  bigger.frequencies["jumps"] = 900;
  const std::vector<ScoredDoc> global = index.Search(query, 10, {}, nullptr, &bigger);
  ASSERT_EQ(global.size(), local.size());
  EXPECT_EQ(global, index.SearchExhaustive(query, 10, {}, nullptr, &bigger));
  bool any_different = false;
  for (size_t i = 0; i < global.size(); ++i) any_different |= global[i].score != local[i].score;
  EXPECT_TRUE(any_different);
}

}  // namespace
}  // namespace quiver::text
