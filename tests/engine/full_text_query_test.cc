// Full-text queries through DB::Query (modes bm25 and hybrid): phrases, +required and
// -excluded words, stemming, identifiers, exact top-k under metadata filters, highlights that
// cover whole words, deterministic hybrid fusion that keeps the +/- constraints, and queries
// that analyze to nothing.
//
// Text queries need the database's model to have computed the stored vectors, so each
// database gets a small word-vector model and is re-embedded after its records are upserted.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"
#include "tests/fixtures/text_corpus.h"

namespace quiver {
namespace {

constexpr int kDim = test::kTextCorpusDim;

constexpr const char* kWordVectors = test::kTextCorpusWordVectors;
using Doc = test::TextDoc;

const std::vector<Doc>& Corpus() { return test::TextCorpus(); }

std::vector<Record> Records(const std::vector<Doc>& docs) { return test::TextRecords(docs, 5); }

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> Ids(const std::vector<Hit>& hits) {
  std::vector<std::string> ids;
  for (const Hit& hit : hits) ids.push_back(hit.id);
  return ids;
}

std::set<std::string> IdSet(const std::vector<Hit>& hits) {
  std::set<std::string> ids;
  for (const Hit& hit : hits) ids.insert(hit.id);
  return ids;
}

class FullTextQueryTest : public ::testing::Test {
 protected:
  void SetUp() override { Populate(Corpus(), Metric::kCosine); }

  void Populate(const std::vector<Doc>& docs, Metric metric) {
    test::WriteFile(dir_.Sub("vectors.txt"), kWordVectors);
    db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim, metric));
    ASSERT_NE(db_, nullptr);
    ASSERT_TRUE(db_->ImportWordVectors(dir_.Sub("vectors.txt")).ok());
    ASSERT_TRUE(db_->Upsert(Records(docs)).ok());
    auto reembedded = db_->Reembed();
    ASSERT_TRUE(reembedded.ok()) << reembedded.status().ToString();
  }

  std::vector<Hit> Run(const std::string& text, QueryOptions options) {
    auto hits = db_->Query(text, options);
    EXPECT_TRUE(hits.ok()) << text << ": " << hits.status().ToString();
    return hits.ok() ? *hits : std::vector<Hit>{};
  }

  std::vector<Hit> Bm25(const std::string& text, int k = 100, bool highlight = false) {
    QueryOptions options;
    options.mode = QueryMode::kBm25;
    options.k = k;
    options.highlight = highlight;
    return Run(text, options);
  }

  std::vector<Hit> Hybrid(const std::string& text, Fusion fusion, float dense_weight = 0.3f,
                          int k = 100) {
    QueryOptions options;
    options.mode = QueryMode::kHybrid;
    options.fusion = fusion;
    options.dense_weight = dense_weight;
    options.k = k;
    return Run(text, options);
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(FullTextQueryTest, PhraseMatchesOnlyAdjacentWords) {
  // Two texts hold both words; only scp has them next to each other, in this order.
  EXPECT_EQ(IdSet(Bm25("between hosts")),
            (std::set<std::string>{"hostsfile", "rsync", "scp", "ssh"}));
  EXPECT_EQ(Ids(Bm25("\"between hosts\"")), std::vector<std::string>{"scp"});
  EXPECT_TRUE(Bm25("\"hosts between\"").empty());
  EXPECT_EQ(Ids(Bm25("\"Copies Files Between Hosts\"")), std::vector<std::string>{"scp"});
  // Stemmed like words: "copy file" is "copies files".
  EXPECT_EQ(IdSet(Bm25("\"copy file\"")), (std::set<std::string>{"backup", "rsync", "scp"}));
  EXPECT_EQ(Ids(Bm25("+\"between hosts\" network")), std::vector<std::string>{"scp"});
  EXPECT_TRUE(Bm25("\"between hosts\" -ssh").empty());
  for (Fusion fusion : {Fusion::kConvex, Fusion::kRrf}) {
    EXPECT_EQ(Ids(Hybrid("+\"between hosts\"", fusion)), std::vector<std::string>{"scp"});
  }
}

TEST_F(FullTextQueryTest, RequiredAndExcludedWords) {
  const std::set<std::string> with_files = {"backup", "docs", "hostsfile", "proxy",
                                            "rsync",  "scp",  "tar"};
  EXPECT_EQ(IdSet(Bm25("files")), with_files);  // "file" and "files" stem alike
  EXPECT_EQ(IdSet(Bm25("+tar files")), (std::set<std::string>{"docs", "tar"}));
  EXPECT_EQ(IdSet(Bm25("files -tar")),
            (std::set<std::string>{"backup", "hostsfile", "proxy", "rsync", "scp"}));
  EXPECT_EQ(IdSet(Bm25("+tar +archive")), (std::set<std::string>{"docs", "tar"}));
  EXPECT_EQ(Ids(Bm25("+tar -documentation")), std::vector<std::string>{"tar"});
  EXPECT_EQ(IdSet(Bm25("+files +copies -network")), (std::set<std::string>{"backup", "rsync"}));
  // Only exclusions: nothing is asked for, nothing is found.
  EXPECT_TRUE(Bm25("-tar").empty());
  // A required word no text holds finds nothing, whatever else is asked.
  EXPECT_TRUE(Bm25("+zebra files").empty());
  // "e-mail" is one word, not "e" minus "mail": its whole ranks the text holding it first, its
  // part "mail" finds the others.
  EXPECT_EQ(Ids(Bm25("e-mail")), (std::vector<std::string>{"mail", "disk"}));
  // Texts that hold the required words are still ranked by score.
  const std::vector<Hit> ranked = Bm25("+tar files");
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_GT(ranked[0].score, ranked[1].score);
}

TEST_F(FullTextQueryTest, StemmingMatchesOtherFormsOfAWord) {
  const std::set<std::string> proxy = {"proxies", "proxy"};
  EXPECT_EQ(IdSet(Bm25("proxies")), proxy);
  EXPECT_EQ(IdSet(Bm25("proxy")), proxy);
  EXPECT_EQ(IdSet(Bm25("PROXY")), proxy);
  EXPECT_EQ(IdSet(Bm25("copy")), (std::set<std::string>{"backup", "rsync", "scp"}));
  EXPECT_EQ(Ids(Bm25("configure")), std::vector<std::string>{"proxies"});
  EXPECT_EQ(Ids(Bm25("answering")), std::vector<std::string>{"web"});
}

TEST_F(FullTextQueryTest, IdentifiersAreFoundByAPartAndWhole) {
  const std::vector<Hit> by_part = Bm25("proxy");
  ASSERT_FALSE(by_part.empty());
  EXPECT_TRUE(IdSet(by_part).contains("proxy"));
  EXPECT_EQ(Ids(Bm25("http")), std::vector<std::string>{"proxy"});
  EXPECT_EQ(Ids(Bm25("acquire")), std::vector<std::string>{"proxy"});
  const std::vector<Hit> whole = Bm25("Acquire::http::Proxy");
  ASSERT_FALSE(whole.empty());
  EXPECT_EQ(whole[0].id, "proxy");
  // The whole identifier adds its own, rarer term: it scores above the part alone.
  float part_score = 0;
  for (const Hit& hit : by_part) {
    if (hit.id == "proxy") part_score = hit.score;
  }
  EXPECT_GT(whole[0].score, part_score);
  // Case does not matter; only the whole is required with "+".
  EXPECT_EQ(Ids(Bm25("acquire::http::proxy")).front(), "proxy");
  EXPECT_EQ(Ids(Bm25("+Acquire::http::Proxy")), std::vector<std::string>{"proxy"});
  EXPECT_TRUE(Bm25("+Acquire::ftp::Proxy").empty());
  EXPECT_EQ(Ids(Bm25("apt.conf.d")), std::vector<std::string>{"proxy"});
}

// Whole words, as the analyzer saw them, of `hit`'s text that are highlighted.
std::vector<std::string> HighlightedWords(const Hit& hit) {
  std::vector<std::string> words;
  uint32_t previous_end = 0;
  for (const TextSpan& span : hit.highlights) {
    EXPECT_LT(span.begin, span.end);
    EXPECT_LE(span.end, hit.text.size());
    EXPECT_GE(span.begin, previous_end) << "spans overlap or are out of order";
    previous_end = span.end;
    if (span.end <= hit.text.size() && span.begin < span.end) {
      words.push_back(hit.text.substr(span.begin, span.end - span.begin));
    }
  }
  return words;
}

TEST_F(FullTextQueryTest, HighlightsCoverWholeMatchedWords) {
  for (const Hit& hit : Bm25("proxy", 100, /*highlight=*/true)) {
    const std::vector<std::string> words = HighlightedWords(hit);
    if (hit.id == "proxy") {
      EXPECT_EQ(words, (std::vector<std::string>{"proxy", "Proxy"}));
    } else {
      EXPECT_EQ(words, std::vector<std::string>{"Proxies"});
    }
  }
  // "do" is a word of the docs text, and the start of "documentation": only the word is lit.
  const std::vector<Hit> doing = Bm25("do", 100, true);
  ASSERT_EQ(Ids(doing), std::vector<std::string>{"docs"});
  const std::string& text = doing[0].text;
  ASSERT_EQ(doing[0].highlights.size(), 1u);
  EXPECT_EQ(doing[0].highlights[0].begin, text.find(" do ") + 1);
  EXPECT_EQ(HighlightedWords(doing[0]), std::vector<std::string>{"do"});
  // Stemmed forms, phrases and identifiers light the words of the text.
  const std::vector<Hit> copies = Bm25("copy", 100, true);
  ASSERT_EQ(copies.size(), 3u);
  for (const Hit& hit : copies)
    EXPECT_EQ(HighlightedWords(hit), std::vector<std::string>{"copies"});
  const std::vector<Hit> phrase = Bm25("\"between hosts\"", 100, true);
  ASSERT_EQ(phrase.size(), 1u);
  EXPECT_EQ(HighlightedWords(phrase[0]), (std::vector<std::string>{"between", "hosts"}));
  const std::vector<Hit> whole = Bm25("Acquire::http::Proxy", 1, true);
  ASSERT_EQ(whole.size(), 1u);
  // The whole identifier and its parts merge into one span; "proxy" elsewhere is its part.
  EXPECT_EQ(HighlightedWords(whole[0]),
            (std::vector<std::string>{"proxy", "Acquire::http::Proxy"}));
  // Excluded words are not lit; nothing is lit unless asked.
  const std::vector<Hit> excluding = Bm25("+files -tar -network hosts", 100, true);
  ASSERT_FALSE(excluding.empty());
  for (const Hit& hit : excluding) {
    for (const std::string& word : HighlightedWords(hit)) {
      EXPECT_TRUE(Lower(word) == "files" || Lower(word) == "file" || Lower(word) == "hosts")
          << hit.id << ": " << word;
    }
  }
  for (const Hit& hit : Bm25("proxy")) EXPECT_TRUE(hit.highlights.empty());
  QueryOptions hybrid;
  hybrid.highlight = true;
  for (const Hit& hit : Run("tar archive", hybrid)) {
    for (const std::string& word : HighlightedWords(hit)) {
      EXPECT_TRUE(Lower(word) == "tar" || Lower(word) == "archive") << hit.id << ": " << word;
    }
  }
}

TEST_F(FullTextQueryTest, HybridIsDeterministicAndKeepsRequiredTerms) {
  for (Fusion fusion : {Fusion::kConvex, Fusion::kRrf}) {
    for (const std::string query : {"files between hosts", "mail archive", "network"}) {
      const std::vector<Hit> first = Hybrid(query, fusion);
      const std::vector<Hit> second = Hybrid(query, fusion);
      ASSERT_FALSE(first.empty()) << query;
      ASSERT_EQ(Ids(first), Ids(second)) << query;
      for (size_t i = 0; i < first.size(); ++i) EXPECT_EQ(first[i].score, second[i].score);
      for (size_t i = 1; i < first.size(); ++i) EXPECT_GE(first[i - 1].score, first[i].score);
    }
    // Hybrid without a required word also finds texts by their vectors alone.
    EXPECT_GT(Hybrid("network", fusion).size(), Bm25("network").size());
    for (float w : {0.0f, 0.3f, 0.7f, 1.0f}) {
      const std::vector<Hit> required = Hybrid("+archive files", fusion, w);
      EXPECT_EQ(IdSet(required), (std::set<std::string>{"disk", "docs", "tar"}))
          << FusionName(fusion) << " " << w;
      for (const Hit& hit : required) {
        EXPECT_NE(Lower(hit.text).find("archive"), std::string::npos) << hit.id;
      }
      for (const Hit& hit : Hybrid("network -ssh", fusion, w)) {
        EXPECT_EQ(Lower(hit.text).find("ssh"), std::string::npos) << hit.id;
      }
    }
  }
}

TEST_F(FullTextQueryTest, QueriesOfOnlyPunctuationFindNothing) {
  for (const std::string query : {"?!", "...", "-- ++ ::", "\"\"", "\" , \"", "+ -", "()[]{}"}) {
    auto bm25 = db_->Query(query, {.k = 10, .mode = QueryMode::kBm25});
    ASSERT_TRUE(bm25.ok()) << query << ": " << bm25.status().ToString();
    EXPECT_TRUE(bm25->empty()) << query;
    auto hybrid = db_->Query(query, {.k = 10, .mode = QueryMode::kHybrid});
    ASSERT_TRUE(hybrid.ok()) << query << ": " << hybrid.status().ToString();
    EXPECT_TRUE(hybrid->empty()) << query;
  }
}

// Hybrid fusion must read each list best first whatever the metric's score direction: with
// all the weight on the dense list, fused ranks follow the dense ones (for l2, ascending
// distances; for cosine and ip, descending similarities).
class HybridMetricTest : public FullTextQueryTest,
                         public ::testing::WithParamInterface<std::tuple<Metric, Fusion>> {
 protected:
  void SetUp() override { Populate(Corpus(), std::get<0>(GetParam())); }
};

TEST_P(HybridMetricTest, AllDenseWeightFollowsTheDenseRanking) {
  const Metric metric = std::get<0>(GetParam());
  const Fusion fusion = std::get<1>(GetParam());
  for (const std::string query : {"network hosts", "mail", "tar archive"}) {
    QueryOptions dense_options;
    dense_options.mode = QueryMode::kDense;
    dense_options.k = 100;
    const std::vector<Hit> dense = Run(query, dense_options);
    ASSERT_EQ(dense.size(), Corpus().size());
    std::map<std::string, float> dense_score;
    for (const Hit& hit : dense) dense_score[hit.id] = hit.score;
    const std::vector<Hit> fused = Hybrid(query, fusion, /*dense_weight=*/1.0f);
    ASSERT_EQ(fused.size(), Corpus().size()) << query;
    // The nearest record by its vector comes first, and the order never goes against the
    // dense scores.
    EXPECT_EQ(fused.front().id, dense.front().id) << query;
    for (size_t i = 1; i < fused.size(); ++i) {
      const float before = dense_score[fused[i - 1].id];
      const float after = dense_score[fused[i].id];
      if (metric == Metric::kL2) {
        EXPECT_LE(before, after) << query << ": " << fused[i - 1].id << " before " << fused[i].id;
      } else {
        EXPECT_GE(before, after) << query << ": " << fused[i - 1].id << " before " << fused[i].id;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, HybridMetricTest,
                         ::testing::Combine(::testing::Values(Metric::kCosine,
                                                              Metric::kInnerProduct, Metric::kL2),
                                            ::testing::Values(Fusion::kConvex, Fusion::kRrf)),
                         [](const auto& info) {
                           return std::string(MetricName(std::get<0>(info.param))) + "_" +
                                  std::string(FusionName(std::get<1>(info.param)));
                         });

// ---- filters ---------------------------------------------------------------------------------

constexpr int kFilteredDocs = 60;

std::vector<Doc> FilteredCorpus() {
  const std::vector<std::string> pool = {"files",  "archive", "hosts", "network", "mail", "tar",
                                         "copies", "backup",  "disk",  "proxy",   "web",  "ssh"};
  const char* groups[] = {"a", "b", "c"};
  std::vector<Doc> docs;
  for (int i = 0; i < kFilteredDocs; ++i) {
    std::string text;
    for (int j = 0; j < 3 + i % 6; ++j) text += pool[(i * 5 + j * j + j) % pool.size()] + " ";
    text += "note " + std::to_string(i);
    docs.push_back(
        {"f" + std::to_string(i), text, nlohmann::json{{"group", groups[i % 3]}, {"n", i}}.dump()});
  }
  return docs;
}

class FilteredFullTextTest : public FullTextQueryTest {
 protected:
  void SetUp() override { Populate(FilteredCorpus(), Metric::kCosine); }
};

struct Filter {
  std::string where;
  std::function<bool(const nlohmann::json&)> matches;
};

TEST_F(FilteredFullTextTest, FilteredBm25IsTheExactTopKOfTheFilteredSet) {
  const std::vector<Filter> filters = {
      {R"({"group": "a"})", [](const nlohmann::json& m) { return m["group"] == "a"; }},
      {R"({"n": {"$gte": 30}})", [](const nlohmann::json& m) { return m["n"] >= 30; }},
      {R"({"$or": [{"group": "b"}, {"n": {"$lt": 5}}]})",
       [](const nlohmann::json& m) { return m["group"] == "b" || m["n"] < 5; }},
      {R"({"n": {"$in": [7, 8, 9, 10, 11]}})",
       [](const nlohmann::json& m) { return m["n"] >= 7 && m["n"] <= 11; }},
  };
  size_t compared = 0;
  for (const std::string query :
       {"files hosts", "archive", "mail network backup", "\"backup proxy\"", "+tar ssh",
        "web -proxy", "\"files hosts\" copies"}) {
    const std::vector<Hit> all = Bm25(query, 1000);
    ASSERT_FALSE(all.empty()) << query;
    for (const Filter& filter : filters) {
      std::vector<Hit> truth;
      for (const Hit& hit : all) {
        if (filter.matches(nlohmann::json::parse(hit.metadata))) truth.push_back(hit);
      }
      for (int k : {1, 3, 10, 1000}) {
        QueryOptions options;
        options.mode = QueryMode::kBm25;
        options.where = filter.where;
        options.k = k;
        const std::vector<Hit> filtered = Run(query, options);
        const size_t want = std::min<size_t>(k, truth.size());
        ASSERT_EQ(filtered.size(), want) << query << " " << filter.where << " k=" << k;
        for (size_t i = 0; i < want; ++i) {
          EXPECT_EQ(filtered[i].id, truth[i].id) << query << " " << filter.where << " #" << i;
          EXPECT_FLOAT_EQ(filtered[i].score, truth[i].score) << query << " " << filter.where;
        }
        compared += want;
      }
      // Hybrid answers obey the filter too.
      QueryOptions hybrid;
      hybrid.where = filter.where;
      hybrid.k = 5;
      for (const Hit& hit : Run(query, hybrid)) {
        EXPECT_TRUE(filter.matches(nlohmann::json::parse(hit.metadata))) << hit.id;
      }
    }
  }
  EXPECT_GT(compared, 200u);  // the comparisons were not vacuous
  QueryOptions none;
  none.mode = QueryMode::kBm25;
  none.where = R"({"group": "z"})";
  EXPECT_TRUE(Run("files", none).empty());
}

}  // namespace
}  // namespace quiver

namespace quiver {
namespace {

// Full text needs no embedding model: records upserted with their own vectors are searchable
// by bm25 at once, while dense and hybrid say the model is missing.
TEST(FullTextWithoutModelTest, Bm25AnswersWithoutAModel) {
  test::TempDir dir;
  auto db = test::OpenOrDie(dir.Sub("db"), test::CreateOptions(kDim));
  ASSERT_NE(db, nullptr);
  ASSERT_TRUE(db->Upsert(Records(Corpus())).ok());
  QueryOptions options;
  options.mode = QueryMode::kBm25;
  options.k = 3;
  auto hits = db->Query("proxies", options);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ(IdSet(*hits), (std::set<std::string>{"proxy", "proxies"}));
  options.mode = QueryMode::kHybrid;
  EXPECT_TRUE(db->Query("proxies", options).status().IsNotFound());
}

}  // namespace
}  // namespace quiver
