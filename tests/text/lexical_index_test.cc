#include "text/lexical_index.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "text/lexical_query.h"
#include "util/crc32c.h"

namespace quiver::text {
namespace {

std::vector<Term> Words(const std::vector<std::string>& words) {
  std::vector<Term> terms;
  for (size_t i = 0; i < words.size(); ++i) {
    terms.push_back(Term{words[i], static_cast<uint32_t>(i), 0, 0});
  }
  return terms;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

LexicalQuery Query(std::vector<QueryClause> clauses) { return LexicalQuery{std::move(clauses)}; }

std::vector<uint64_t> Docs(const std::vector<ScoredDoc>& hits) {
  std::vector<uint64_t> out;
  for (const ScoredDoc& h : hits) out.push_back(h.doc);
  return out;
}

void ExpectSameResults(const std::vector<ScoredDoc>& a, const std::vector<ScoredDoc>& b) {
  ASSERT_EQ(Docs(a), Docs(b));
  for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i].score, b[i].score, 1e-5);
}

// A random collection: Zipf-ish term frequencies over a random vocabulary.
struct Collection {
  LexicalIndex index;
  std::vector<std::vector<std::string>> texts;  // by insertion order
  std::vector<uint64_t> ids;
};

std::string RandomWord(size_t vocab, std::mt19937_64* rng) {
  double u = std::uniform_real_distribution<double>(0, 1)(*rng);
  return "t" + std::to_string(static_cast<size_t>(std::pow(u, 2.5) * vocab));
}

void AddRandomDocs(Collection* c, size_t count, size_t vocab, std::mt19937_64* rng) {
  uint64_t id = c->ids.empty() ? (*rng)() % 3 : c->ids.back() + 1;
  for (size_t d = 0; d < count; ++d) {
    id += (*rng)() % 3;
    std::vector<std::string> words;
    size_t len = (*rng)() % 10 == 0 ? 0 : 1 + (*rng)() % 40;
    for (size_t w = 0; w < len; ++w) words.push_back(RandomWord(vocab, rng));
    ASSERT_TRUE(c->index.Add(id, Words(words)).ok());
    c->texts.push_back(words);
    c->ids.push_back(id++);
  }
}

QueryClause RandomClause(const Collection& c, size_t vocab, std::mt19937_64* rng) {
  int kind = static_cast<int>((*rng)() % 10);
  Occur occur = kind < 6 ? Occur::kShould : kind < 8 ? Occur::kMust : Occur::kMustNot;
  if ((*rng)() % 5 == 0) {  // a phrase taken from a document, so it usually matches
    const std::vector<std::string>& words = c.texts[(*rng)() % c.texts.size()];
    if (words.size() >= 3) {
      size_t start = (*rng)() % (words.size() - 2);
      size_t len = 2 + (*rng)() % 2;
      return PhraseClause({words.begin() + start, words.begin() + start + len}, occur);
    }
  }
  return TermClause(RandomWord(vocab, rng), occur);
}

TEST(LexicalIndexTest, WandEqualsExhaustiveOnRandomCollections) {
  std::mt19937_64 rng(2024);
  int compared = 0;
  for (int collection = 0; collection < 220; ++collection) {
    SCOPED_TRACE(collection);
    size_t vocab = 5 + rng() % 300;
    Collection c;
    AddRandomDocs(&c, 1 + rng() % 700, vocab, &rng);
    bool tombstones = collection % 2 == 1;
    if (tombstones) {
      for (uint64_t id : c.ids) {
        if (rng() % 4 == 0) ASSERT_TRUE(c.index.Remove(id).ok());
      }
      if (collection % 4 == 3) {
        c.index.Compact();
        AddRandomDocs(&c, rng() % 200, vocab, &rng);
      }
    }
    uint64_t mod = 2 + rng() % 3;
    std::function<bool(uint64_t)> allowed = [mod](uint64_t d) { return d % mod != 0; };
    Bm25Params params;
    if (collection % 5 == 0) params = Bm25Params{0.9f, 0.4f};
    for (int q = 0; q < 6; ++q) {
      LexicalQuery query;
      size_t clauses = 1 + rng() % 5;
      for (size_t i = 0; i < clauses; ++i) query.clauses.push_back(RandomClause(c, vocab, &rng));
      for (size_t k : {1, 10, 100}) {
        const std::function<bool(uint64_t)>* filter = q % 3 == 2 ? &allowed : nullptr;
        std::vector<ScoredDoc> wand = c.index.Search(query, k, params, filter);
        std::vector<ScoredDoc> full = c.index.SearchExhaustive(query, k, params, filter);
        ExpectSameResults(wand, full);
        if (!full.empty()) ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(LexicalIndexTest, LuceneIdfOnAHandComputedExample) {
  LexicalIndex index;
  ASSERT_TRUE(index.Add(1, Words({"a", "b"})).ok());
  ASSERT_TRUE(index.Add(2, Words({"a"})).ok());
  ASSERT_TRUE(index.Add(3, Words({"c", "c", "c"})).ok());
  // N = 3, avgdl = 2. "b": df = 1, idf = ln(1 + 2.5/1.5) = ln(8/3).
  // doc 1: f = 1, dl = 2: tf norm = 2.2 / (1 + 1.2) = 1.
  std::vector<ScoredDoc> hits = index.Search(Query({TermClause("b")}), 10, Bm25Params{});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].doc, 1u);
  EXPECT_NEAR(hits[0].score, std::log(8.0 / 3.0), 1e-6);
  // "a": df = 2, idf = ln(1 + 1.5/2.5) = ln(1.6). doc 2: dl = 1: 2.2 / (1 + 1.2 * 0.625).
  hits = index.Search(Query({TermClause("a")}), 10, Bm25Params{});
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].doc, 2u);
  EXPECT_NEAR(hits[0].score, std::log(1.6) * 2.2 / 1.75, 1e-6);
  EXPECT_NEAR(hits[1].score, std::log(1.6), 1e-6);
  // Removing doc 3 changes N and avgdl at once: N = 2, avgdl = 1.5, "b" idf = ln(1 + 1.5/1.5).
  ASSERT_TRUE(index.Remove(3).ok());
  EXPECT_EQ(index.DocumentCount(), 2u);
  EXPECT_EQ(index.TotalLength(), 3u);
  hits = index.Search(Query({TermClause("b")}), 10, Bm25Params{});
  double norm = 1.2 * (0.25 + 0.75 * 2 / 1.5);
  EXPECT_NEAR(hits[0].score, std::log(2.0) * 2.2 / (1 + norm), 1e-6);
  EXPECT_TRUE(index.Search(Query({TermClause("c")}), 10, Bm25Params{}).empty());
  EXPECT_EQ(index.DocumentFrequency("c"), 0u);
}

TEST(LexicalIndexTest, AddRequiresIncreasingIdsAndRemoveKnownDocs) {
  LexicalIndex index;
  ASSERT_TRUE(index.Add(5, Words({"x"})).ok());
  EXPECT_TRUE(index.Add(5, Words({"x"})).IsInvalidArgument());
  EXPECT_TRUE(index.Add(4, Words({"x"})).IsInvalidArgument());
  EXPECT_TRUE(index.Add(UINT64_MAX, Words({"x"})).IsInvalidArgument());
  EXPECT_TRUE(index.Remove(6).IsNotFound());
  ASSERT_TRUE(index.Remove(5).ok());
  EXPECT_TRUE(index.Remove(5).IsNotFound());
  index.Compact();
  EXPECT_EQ(index.TermCount(), 0u);
  EXPECT_TRUE(index.Add(5, Words({"x"})).IsInvalidArgument());  // even after compaction
  EXPECT_TRUE(index.Add(6, Words({"x"})).ok());
}

class LexicalQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<std::unique_ptr<Analyzer>> a = Analyzer::Create(AnalyzerOptions{});
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    analyzer_ = std::move(a).value();
    const char* texts[] = {"the quick brown fox",    "quick fox brown",
                           "brown brown fox fox",    "the lazy dog",
                           "quick quick quick",      "set e-mail proxy",
                           "configure apt.conf now", "the fox jumps over the brown dog"};
    uint64_t id = 10;
    for (const char* t : texts) {
      std::vector<Term> terms;
      analyzer_->Analyze(t, &terms);
      ASSERT_TRUE(index_.Add(id++, terms).ok());
    }
  }
  std::vector<uint64_t> Find(const std::string& text) {
    Result<LexicalQuery> q = ParseQuery(text, *analyzer_);
    EXPECT_TRUE(q.ok());
    std::vector<ScoredDoc> wand = index_.Search(*q, 100, Bm25Params{});
    ExpectSameResults(wand, index_.SearchExhaustive(*q, 100, Bm25Params{}));
    std::vector<uint64_t> docs = Docs(wand);
    std::sort(docs.begin(), docs.end());
    return docs;
  }
  std::unique_ptr<Analyzer> analyzer_;
  LexicalIndex index_;
};

TEST_F(LexicalQueryTest, Phrases) {
  EXPECT_EQ(Find("\"quick brown\""), (std::vector<uint64_t>{10}));
  EXPECT_EQ(Find("\"brown fox\""), (std::vector<uint64_t>{10, 12}));
  EXPECT_EQ(Find("\"quick fox\""), (std::vector<uint64_t>{11}));  // not across a gap in 10
  EXPECT_EQ(Find("\"quick quick\""), (std::vector<uint64_t>{14}));
  EXPECT_EQ(Find("\"fox brown brown\""), std::vector<uint64_t>{});
  EXPECT_EQ(Find("\"brown dog"), (std::vector<uint64_t>{17}));  // unclosed quote
  // Phrase frequency: "quick quick" occurs twice in doc 14 (overlapping).
  Result<LexicalQuery> q = ParseQuery("\"quick quick\"", *analyzer_);
  std::vector<ScoredDoc> hits = index_.Search(*q, 10, Bm25Params{});
  float idf = Bm25Idf(1, 8);
  float avgdl = static_cast<float>(index_.TotalLength()) / 8;
  EXPECT_NEAR(hits[0].score, Bm25TermScore(idf, 2, 3, avgdl, Bm25Params{}), 1e-6);
}

TEST_F(LexicalQueryTest, RequiredAndExcluded) {
  EXPECT_EQ(Find("+brown fox"), (std::vector<uint64_t>{10, 11, 12, 17}));
  EXPECT_EQ(Find("fox -brown"), std::vector<uint64_t>{});
  EXPECT_EQ(Find("quick -fox"), (std::vector<uint64_t>{14}));
  EXPECT_EQ(Find("+quick +brown"), (std::vector<uint64_t>{10, 11}));
  EXPECT_EQ(Find("fox -\"brown fox\""), (std::vector<uint64_t>{11, 17}));
  EXPECT_EQ(Find("+\"lazy dog\" the"), (std::vector<uint64_t>{13}));
  EXPECT_EQ(Find("-fox"), std::vector<uint64_t>{});  // nothing positive
  EXPECT_EQ(Find("+missing fox"), std::vector<uint64_t>{});
}

TEST_F(LexicalQueryTest, ParseCases) {
  auto parse = [&](const std::string& t) { return ParseQuery(t, *analyzer_).value().clauses; };
  EXPECT_TRUE(parse("").empty());
  EXPECT_TRUE(parse("   + - \" \"").empty());
  EXPECT_EQ(Find(""), std::vector<uint64_t>{});
  EXPECT_EQ(parse("+"), std::vector<QueryClause>{});
  EXPECT_EQ(parse("Foxes +Quick -dog"),
            (std::vector<QueryClause>{TermClause("fox"), TermClause("quick", Occur::kMust),
                                      TermClause("dog", Occur::kMustNot)}));
  // "-" inside a word stays part of the word: e-mail is an identifier (whole + parts).
  EXPECT_EQ(parse("e-mail"),
            (std::vector<QueryClause>{TermClause("e-mail"), TermClause("e"), TermClause("mail")}));
  EXPECT_EQ(parse("+apt.conf"), (std::vector<QueryClause>{TermClause("apt.conf", Occur::kMust),
                                                          TermClause("apt"), TermClause("conf")}));
  EXPECT_EQ(parse("-e-mail"), (std::vector<QueryClause>{TermClause("e-mail", Occur::kMustNot)}));
  EXPECT_EQ(parse("+\"Brown foxes"),
            (std::vector<QueryClause>{PhraseClause({"brown", "fox"}, Occur::kMust)}));
  EXPECT_EQ(parse("\"apt.conf now\""),
            (std::vector<QueryClause>{PhraseClause({"apt", "conf", "now"})}));
  EXPECT_EQ(Find("e-mail"), (std::vector<uint64_t>{15}));
  EXPECT_EQ(Find("+apt.conf"), (std::vector<uint64_t>{16}));
}

std::string SmallIndexBytes(LexicalIndex* index) {
  EXPECT_TRUE(index->Add(1, Words(Split("a b c a"))).ok());
  EXPECT_TRUE(index->Add(3, Words(Split("b c d"))).ok());
  EXPECT_TRUE(index->Add(4, Words(Split("c"))).ok());
  EXPECT_TRUE(index->Remove(3).ok());
  return index->Serialize();
}

TEST(LexicalIndexFormatTest, RoundTripGivesIdenticalResults) {
  std::mt19937_64 rng(99);
  Collection c;
  AddRandomDocs(&c, 3000, 400, &rng);
  for (size_t i = 0; i < c.ids.size(); i += 7) ASSERT_TRUE(c.index.Remove(c.ids[i]).ok());
  Result<LexicalIndex> copy = LexicalIndex::Deserialize(c.index.Serialize());
  ASSERT_TRUE(copy.ok()) << copy.status().ToString();
  EXPECT_EQ(copy->DocumentCount(), c.index.DocumentCount());
  EXPECT_EQ(copy->TotalLength(), c.index.TotalLength());
  EXPECT_EQ(copy->Serialize(), c.index.Serialize());
  for (int q = 0; q < 50; ++q) {
    LexicalQuery query;
    for (int i = 0; i < 3; ++i) query.clauses.push_back(RandomClause(c, 400, &rng));
    ExpectSameResults(copy->Search(query, 10, Bm25Params{}),
                      c.index.Search(query, 10, Bm25Params{}));
  }
  // New ids continue above the last one added.
  EXPECT_TRUE(copy->Add(c.ids.back(), Words({"x"})).IsInvalidArgument());
  EXPECT_TRUE(copy->Add(c.ids.back() + 1, Words({"x"})).ok());
}

TEST(LexicalIndexFormatTest, TruncationAndFlipsGiveCorruptionOrAValidIndex) {
  LexicalIndex index;
  std::string bytes = SmallIndexBytes(&index);
  LexicalQuery query = Query({TermClause("a"), TermClause("c"), PhraseClause({"b", "c"})});
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Result<LexicalIndex> r = LexicalIndex::Deserialize(std::string_view(bytes).substr(0, cut));
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_TRUE(r.status().IsCorruption());
  }
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = bytes;
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] ^= static_cast<char>(1 << (rng() % 8));
    Result<LexicalIndex> r = LexicalIndex::Deserialize(bad);
    if (r.ok()) {
      r->Search(query, 10, Bm25Params{});
    } else {
      EXPECT_TRUE(r.status().IsCorruption());
    }
  }
  EXPECT_TRUE(LexicalIndex::Deserialize("").status().IsCorruption());
}

// Flips with the checksum recomputed, so that the structural checks are what stands.
TEST(LexicalIndexFormatTest, FlipsBehindAValidChecksumNeverCrash) {
  std::mt19937_64 rng(8);
  Collection c;
  AddRandomDocs(&c, 300, 50, &rng);
  ASSERT_TRUE(c.index.Remove(c.ids[3]).ok());
  std::string bytes = c.index.Serialize();
  LexicalQuery query = Query({TermClause("t0"), TermClause("t3"), PhraseClause({"t1", "t0"})});
  int valid = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bad = bytes.substr(0, bytes.size() - 4);
    if (trial % 3 == 0) bad.resize(5 + rng() % (bad.size() - 5));
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      bad[5 + rng() % (bad.size() - 5)] ^= static_cast<char>(1 << (rng() % 8));
    }
    uint32_t crc = util::Crc32c(0, bad.data(), bad.size());
    for (int i = 0; i < 4; ++i) bad.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
    Result<LexicalIndex> r = LexicalIndex::Deserialize(bad);
    if (r.ok()) {
      ++valid;
      ExpectSameResults(r->Search(query, 10, Bm25Params{}),
                        r->SearchExhaustive(query, 10, Bm25Params{}));
      r->Compact();
    } else {
      EXPECT_TRUE(r.status().IsCorruption());
    }
  }
  EXPECT_LT(valid, 3000);
}

// Timing on a 100k-document synthetic collection (run by hand: --gtest_also_run_disabled_tests).
}  // namespace
}  // namespace quiver::text
