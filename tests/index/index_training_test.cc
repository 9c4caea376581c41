// VectorIndex's shared training: Train, CreateTrained and Training round-trip a trained,
// empty index in quiver's training format; indexes built from one training find the same
// neighbours with the same scores; the format refuses other configs and damaged bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "index/vector_index.h"
#include "tests/fixtures/test_util.h"

namespace quiver::index {
namespace {

constexpr int kDim = 8;

TEST(IndexTrainingFormatTest, TrainCreateTrainedAndTrainingRoundTrip) {
  const IndexConfig config{kDim, Metric::kCosine, "IVF4,Flat"};
  const std::vector<float> sample = test::RandomVectors(200, kDim, 1);
  auto training = VectorIndex::Train(config, sample);
  ASSERT_TRUE(training.ok()) << training.status().ToString();
  auto a = VectorIndex::CreateTrained(config, *training);
  auto b = VectorIndex::CreateTrained(config, *training);
  ASSERT_TRUE(a.ok() && b.ok()) << a.status().ToString();
  EXPECT_TRUE((*a)->trained());
  const std::vector<float> vectors = test::RandomVectors(50, kDim, 2);
  std::vector<uint64_t> ids;
  for (uint64_t i = 1; i <= 50; ++i) ids.push_back(i);
  ASSERT_TRUE((*a)->Add(ids, vectors).ok());
  EXPECT_TRUE((*a)->trained());  // no staging: added vectors went straight in
  // Split over two indexes of the same training.
  ASSERT_TRUE((*b)->Add(std::span(ids).first(20), std::span(vectors).first(20 * kDim)).ok());
  auto c = VectorIndex::CreateTrained(config, *training);
  ASSERT_TRUE((*c)->Add(std::span(ids).subspan(20), std::span(vectors).subspan(20 * kDim)).ok());
  const std::vector<float> query = test::RandomVectors(1, kDim, 3);
  auto whole = (*a)->Search(query, {50, 0, 4});
  auto left = (*b)->Search(query, {50, 0, 4});
  auto right = (*c)->Search(query, {50, 0, 4});
  ASSERT_TRUE(whole.ok() && left.ok() && right.ok());
  EXPECT_EQ(whole->size(), left->size() + right->size());
  for (const Neighbor& n : *whole) {
    bool found = false;
    for (const auto* part : {&*left, &*right}) {
      for (const Neighbor& m : *part) found |= m.id == n.id && m.score == n.score;
    }
    EXPECT_TRUE(found) << n.id;
  }
  // The training of an index holding vectors is the empty trained index: the same bytes.
  auto again = (*a)->Training();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *training);
}

TEST(IndexTrainingFormatTest, OtherConfigsAndDamagedBytesAreRefused) {
  const IndexConfig config{kDim, Metric::kL2, "IVF4,Flat"};
  const std::string training = *VectorIndex::Train(config, test::RandomVectors(100, kDim, 1));
  for (const IndexConfig& other : {IndexConfig{kDim + 1, Metric::kL2, "IVF4,Flat"},
                                   IndexConfig{kDim, Metric::kCosine, "IVF4,Flat"},
                                   IndexConfig{kDim, Metric::kL2, "IVF2,Flat"}}) {
    auto created = VectorIndex::CreateTrained(other, training);
    ASSERT_TRUE(created.status().IsInvalidArgument()) << other.spec;
    EXPECT_NE(created.status().message().find("found one for spec 'IVF4,Flat', dimension 8, "
                                              "metric l2"),
              std::string::npos)
        << created.status().ToString();
  }
  EXPECT_TRUE(
      VectorIndex::CreateTrained(config, training.substr(0, 40)).status().IsInvalidArgument());
  EXPECT_TRUE(VectorIndex::CreateTrained(config, "").status().IsInvalidArgument());
  auto flat = VectorIndex::Create({kDim, Metric::kL2, "Flat"});
  EXPECT_TRUE((*flat)->Training().status().IsInvalidArgument());
  auto staging = VectorIndex::Create(config);
  EXPECT_TRUE((*staging)->Training().status().IsNotFound());
}

}  // namespace
}  // namespace quiver::index
