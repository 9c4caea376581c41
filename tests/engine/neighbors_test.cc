// DB::Neighbors with a NeighborQuery: gensim's most_similar vector arithmetic (positive and
// negative tokens), several words, a raw query vector, and the errors of bad queries.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 6;

NeighborQuery Query(std::vector<std::string> positive, std::vector<std::string> negative = {},
                    std::vector<float> vector = {}, int k = 10) {
  NeighborQuery query;
  query.positive = std::move(positive);
  query.negative = std::move(negative);
  query.vector = std::move(vector);
  query.k = k;
  return query;
}

// A small vocabulary where king - man + woman is closest to queen, plus 40 random words.
class NeighborsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    words_ = {{"king", {1, 1, 0, 0.1f, 0, 0}},      {"queen", {1, 0, 1, 0, 0.1f, 0}},
              {"man", {0, 1, 0, 0, 0, 0.1f}},       {"woman", {0, 0.1f, 1, 0, 0, 0}},
              {"prince", {0.8f, 1, 0, 0.5f, 0, 0}}, {"apple", {0, 0, 0, 1, 1, 1}}};
    const std::vector<float> random = test::RandomVectors(40, kDim, 11);
    for (int w = 0; w < 40; ++w) {
      words_.push_back(
          {"w" + std::to_string(w), {random.begin() + w * kDim, random.begin() + (w + 1) * kDim}});
    }
    std::string text;
    for (const auto& [word, vector] : words_) {
      text += word;
      for (float v : vector) text += " " + std::to_string(v);
      text += "\n";
    }
    test::WriteFile(dir_.Sub("vectors.txt"), text);
    db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim));
    ASSERT_TRUE(db_->ImportWordVectors(dir_.Sub("vectors.txt")).ok());
  }

  std::vector<float> VectorOf(const std::string& word) const {
    for (const auto& [w, vector] : words_) {
      if (w == word) return vector;
    }
    ADD_FAILURE() << "no word " << word;
    return {};
  }

  // gensim's most_similar computed the plain way: the unit vectors of the positive words plus
  // `raw`, minus the unit vectors of the negative words, against every word by cosine, the
  // query words left out.
  std::vector<TokenScore> Expected(const std::vector<std::string>& positive,
                                   const std::vector<std::string>& negative,
                                   const std::vector<float>& raw, int k) const {
    std::vector<double> query(raw.begin(), raw.end());
    query.resize(kDim, 0.0);
    auto add = [&](const std::string& word, double sign) {
      const std::vector<float> v = VectorOf(word);
      double norm = 0;
      for (float x : v) norm += double(x) * x;
      for (int i = 0; i < kDim; ++i) query[i] += sign * v[i] / std::sqrt(norm);
    };
    for (const auto& w : positive) add(w, 1);
    for (const auto& w : negative) add(w, -1);
    std::vector<float> as_float(query.begin(), query.end());
    std::vector<float> all;
    for (const auto& [w, vector] : words_) all.insert(all.end(), vector.begin(), vector.end());
    std::vector<TokenScore> out;
    for (const auto& hit : test::BruteForce(all, kDim, as_float, Metric::kCosine, words_.size())) {
      const std::string& word = words_[hit.row].first;
      bool input = false;
      for (const auto& w : positive) input |= w == word;
      for (const auto& w : negative) input |= w == word;
      if (!input && static_cast<int>(out.size()) < k) out.push_back({word, hit.score});
    }
    return out;
  }

  static void ExpectSame(const std::vector<TokenScore>& got,
                         const std::vector<TokenScore>& expected) {
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].token, expected[i].token) << "rank " << i + 1;
      EXPECT_NEAR(got[i].score, expected[i].score, 1e-4) << "rank " << i + 1;
    }
  }

  test::TempDir dir_;
  std::vector<std::pair<std::string, std::vector<float>>> words_;
  std::unique_ptr<DB> db_;
};

TEST_F(NeighborsTest, KingMinusManPlusWomanIsQueenAsGensimComputesIt) {
  auto got = db_->Neighbors(Query({"king", "woman"}, {"man"}, {}, 8));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_FALSE(got->empty());
  EXPECT_EQ(got->front().token, "queen");
  ExpectSame(*got, Expected({"king", "woman"}, {"man"}, {}, 8));
  for (const TokenScore& n : *got) {
    EXPECT_NE(n.token, "king");
    EXPECT_NE(n.token, "man");
    EXPECT_NE(n.token, "woman");
  }
}

TEST_F(NeighborsTest, SeveralWordsAreAllPositiveAndExcluded) {
  auto got = db_->Neighbors(Query({"w1", "w2", "apple"}));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSame(*got, Expected({"w1", "w2", "apple"}, {}, {}, 10));
}

TEST_F(NeighborsTest, TheOneTokenCallIsTheOneTermQuery) {
  auto old_call = db_->Neighbors("king", 5);
  ASSERT_TRUE(old_call.ok());
  ExpectSame(*old_call, Expected({"king"}, {}, {}, 5));
  EXPECT_EQ(old_call->front().token, "prince");
}

TEST_F(NeighborsTest, RawVectorIsComparedAsGivenAndExcludesNothing) {
  const std::vector<float> apple = VectorOf("apple");
  auto got = db_->Neighbors(Query({}, {}, apple, 5));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->front().token, "apple");
  EXPECT_NEAR(got->front().score, 1.0, 1e-5);
  ExpectSame(*got, Expected({}, {}, apple, 5));

  // A vector and words mix as in gensim: the vector is one more term, not normalised.
  const std::vector<float> raw = {0, 0, 0, 3, 0, 0};
  auto mixed = db_->Neighbors(Query({"queen"}, {}, raw, 6));
  ASSERT_TRUE(mixed.ok()) << mixed.status().ToString();
  ExpectSame(*mixed, Expected({"queen"}, {}, raw, 6));
}

TEST_F(NeighborsTest, BadQueriesAreRefusedWithWhatWasExpectedAndFound) {
  auto unknown = db_->Neighbors(Query({"king"}, {"mann"}));
  ASSERT_TRUE(unknown.status().IsNotFound());
  EXPECT_NE(unknown.status().message().find("\"mann\" is not one token"), std::string::npos)
      << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("similar: \"man\""), std::string::npos)
      << unknown.status().message();

  auto no_similar = db_->Neighbors(Query({"zzzzzzzz"}));
  ASSERT_TRUE(no_similar.status().IsNotFound());
  EXPECT_EQ(no_similar.status().message().find("similar"), std::string::npos);

  auto short_vector = db_->Neighbors(Query({}, {}, {1, 2, 3}));
  ASSERT_TRUE(short_vector.status().IsInvalidArgument());
  EXPECT_NE(short_vector.status().message().find("has 3 components; the model's vectors have 6"),
            std::string::npos)
      << short_vector.status().message();

  auto nan = db_->Neighbors(Query({}, {}, {0, 0, NAN, 0, 0, 0}));
  ASSERT_TRUE(nan.status().IsInvalidArgument());
  EXPECT_NE(nan.status().message().find("component 3"), std::string::npos);

  auto cancelled = db_->Neighbors(Query({"king"}, {"king"}));
  ASSERT_TRUE(cancelled.status().IsInvalidArgument());
  EXPECT_NE(cancelled.status().message().find("zero vector"), std::string::npos);

  EXPECT_TRUE(db_->Neighbors(NeighborQuery{}).status().IsInvalidArgument());
  EXPECT_TRUE(db_->Neighbors(Query({"king"}, {}, {}, 0)).status().IsInvalidArgument());
}

}  // namespace
}  // namespace quiver
