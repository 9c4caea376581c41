#include "index/vector_index.h"

#include <gtest/gtest.h>

#include <numeric>
#include <set>

#include "tests/fixtures/test_util.h"

namespace quiver::index {
namespace {

constexpr int kDim = 16;

std::vector<uint64_t> Ids(size_t n, uint64_t first = 1) {
  std::vector<uint64_t> ids(n);
  std::iota(ids.begin(), ids.end(), first);
  return ids;
}

std::unique_ptr<VectorIndex> MakeIndex(const std::string& spec, Metric metric = Metric::kCosine) {
  auto index = VectorIndex::Create({kDim, metric, spec});
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  return std::move(index.value());
}

TEST(VectorIndexTest, RejectsBadSpecsAndDimensions) {
  EXPECT_TRUE(VectorIndex::Validate({kDim, Metric::kL2, "NoSuchIndex"}).IsInvalidArgument());
  EXPECT_TRUE(VectorIndex::Validate({kDim, Metric::kL2, ""}).IsInvalidArgument());
  EXPECT_TRUE(VectorIndex::Validate({kDim, Metric::kL2, "IDMap,Flat"}).IsInvalidArgument());
  EXPECT_TRUE(VectorIndex::Validate({10, Metric::kL2, "PQ3"}).IsInvalidArgument());
  EXPECT_TRUE(VectorIndex::Validate({0, Metric::kL2, "Flat"}).IsInvalidArgument());
  EXPECT_TRUE(VectorIndex::Validate({kDim, Metric::kL2, "HNSW32"}).ok());
}

// Exact modes (Flat; trainable indexes before training; HNSW on tiny data with a large
// candidate list) must return exactly the brute-force answer for every metric.
class ExactSearchTest : public ::testing::TestWithParam<std::tuple<std::string, Metric>> {};

TEST_P(ExactSearchTest, MatchesBruteForce) {
  const auto& [spec, metric] = GetParam();
  auto index = MakeIndex(spec, metric);
  const size_t n = 300;
  auto vectors = test::RandomVectors(n, kDim, 11);
  ASSERT_TRUE(index->Add(Ids(n, 0), vectors).ok());
  ASSERT_EQ(index->live_count(), n);
  auto queries = test::RandomVectors(20, kDim, 12);
  for (int q = 0; q < 20; ++q) {
    std::vector<float> query(queries.begin() + q * kDim, queries.begin() + (q + 1) * kDim);
    auto expected = test::BruteForce(vectors, kDim, query, metric, 10);
    auto hits = index->Search(query, {10, 400, 0});
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    ASSERT_EQ(hits->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ((*hits)[i].id, expected[i].row) << spec << " query " << q << " rank " << i;
      EXPECT_NEAR((*hits)[i].score, expected[i].score, 1e-4);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    SpecsAndMetrics, ExactSearchTest,
    ::testing::Combine(::testing::Values("Flat", "HNSW32", "IVF64,Flat", "IVF16,PQ4"),
                       ::testing::Values(Metric::kCosine, Metric::kInnerProduct, Metric::kL2)),
    [](const auto& info) {
      return test::SpecTestName(std::get<0>(info.param), std::get<1>(info.param));
    });

TEST(VectorIndexTest, TrainsOnceEnoughVectorsExist) {
  auto index = MakeIndex("IVF4,Flat", Metric::kL2);
  EXPECT_EQ(index->training_threshold(), 4u * 39);
  auto vectors = test::RandomVectors(200, kDim, 3);
  ASSERT_TRUE(index->Add(Ids(100), {vectors.data(), 100 * kDim}).ok());
  EXPECT_FALSE(index->trained());
  ASSERT_TRUE(index->Add(Ids(100, 101), {vectors.data() + 100 * kDim, 100 * kDim}).ok());
  EXPECT_TRUE(index->trained());
  EXPECT_EQ(index->live_count(), 200u);
  // With every list probed, IVF is exact: each vector finds itself first.
  for (uint64_t row : {0u, 57u, 199u}) {
    std::vector<float> query(vectors.begin() + row * kDim, vectors.begin() + (row + 1) * kDim);
    auto hits = index->Search(query, {1, 0, 4});
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].id, row + 1);
  }
}

TEST(VectorIndexTest, RemovalWithAndWithoutTombstones) {
  for (const char* spec : {"Flat", "HNSW32"}) {
    auto index = MakeIndex(spec);
    auto vectors = test::RandomVectors(100, kDim, 5);
    ASSERT_TRUE(index->Add(Ids(100), vectors).ok());
    std::vector<uint64_t> removed = {1, 2, 3, 50, 999};
    ASSERT_TRUE(index->Remove(removed).ok());
    EXPECT_EQ(index->live_count(), 96u) << spec;
    EXPECT_EQ(index->tombstone_count(), std::string(spec) == "HNSW32" ? 4u : 0u) << spec;
    EXPECT_FALSE(index->Contains(50));
    EXPECT_TRUE(index->Contains(51));
    // Searching with the removed vector itself must still give k live hits.
    std::vector<float> query(vectors.begin(), vectors.begin() + kDim);
    auto hits = index->Search(query, {10, 0, 0});
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ(hits->size(), 10u) << spec;
    for (const auto& hit : *hits) EXPECT_FALSE(std::set<uint64_t>({1, 2, 3, 50}).contains(hit.id));
    EXPECT_EQ(index->LiveIds().size(), 96u);
  }
}

TEST(VectorIndexTest, RejectsDuplicateIdsAndWrongSizes) {
  auto index = MakeIndex("Flat");
  auto vectors = test::RandomVectors(2, kDim, 1);
  ASSERT_TRUE(index->Add(Ids(2), vectors).ok());
  EXPECT_TRUE(index->Add(Ids(1), {vectors.data(), kDim}).IsInvalidArgument());
  EXPECT_TRUE(index->Add(Ids(2, 10), {vectors.data(), kDim}).IsInvalidArgument());
  std::vector<float> short_query(kDim - 1, 1.0f);
  EXPECT_TRUE(index->Search(short_query, {1, 0, 0}).status().IsInvalidArgument());
  std::vector<float> query(kDim, 1.0f);
  EXPECT_TRUE(index->Search(query, {0, 0, 0}).status().IsInvalidArgument());
}

TEST(VectorIndexTest, EmptyIndexGivesNoHits) {
  auto index = MakeIndex("HNSW32");
  std::vector<float> query(kDim, 1.0f);
  auto hits = index->Search(query, {5, 0, 0});
  ASSERT_TRUE(hits.ok());
  EXPECT_TRUE(hits->empty());
}

class CheckpointRoundTripTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckpointRoundTripTest, LoadedIndexAnswersTheSame) {
  const IndexConfig config{kDim, Metric::kL2, GetParam()};
  auto created = VectorIndex::Create(config);
  ASSERT_TRUE(created.ok());
  auto& index = created.value();
  auto vectors = test::RandomVectors(400, kDim, 21);
  ASSERT_TRUE(index->Add(Ids(400), vectors).ok());
  std::vector<uint64_t> removed = {4, 8, 15, 16, 23, 42};
  ASSERT_TRUE(index->Remove(removed).ok());

  test::TempDir dir;
  const std::string path = dir.Sub("checkpoint.qvi");
  ASSERT_TRUE(index->WriteCheckpoint(path, 77).ok());
  EXPECT_TRUE(VectorIndex::VerifyCheckpointFile(path).ok());
  auto loaded = VectorIndex::ReadCheckpoint(path, config);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->sequence, 77u);
  EXPECT_EQ(loaded->index->live_count(), index->live_count());
  EXPECT_EQ(loaded->index->trained(), index->trained());
  EXPECT_EQ(loaded->index->LiveIds(), index->LiveIds());
  auto queries = test::RandomVectors(10, kDim, 22);
  for (int q = 0; q < 10; ++q) {
    std::span<const float> query(queries.data() + q * kDim, kDim);
    auto before = index->Search(query, {10, 0, 0});
    auto after = loaded->index->Search(query, {10, 0, 0});
    ASSERT_TRUE(before.ok() && after.ok());
    ASSERT_EQ(before->size(), after->size());
    for (size_t i = 0; i < before->size(); ++i) EXPECT_EQ((*before)[i].id, (*after)[i].id);
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, CheckpointRoundTripTest,
                         ::testing::Values("Flat", "HNSW16", "IVF4,Flat", "IVF64,Flat"),
                         [](const auto& info) { return test::SpecTestName(info.param); });

// Issue 14, defect 7: reading an IVF checkpoint whose lists are empty memcpy'd from a null
// pointer (n = 0), undefined behaviour that UBSan (scripts/sanitize.sh) reports.
TEST(VectorIndexTest, IvfCheckpointWithEmptyListsRoundTrips) {
  const IndexConfig config{kDim, Metric::kL2, "IVF8,Flat"};
  auto created = VectorIndex::Create(config);
  ASSERT_TRUE(created.ok());
  auto& index = created.value();
  ASSERT_TRUE(index->Add(Ids(400), test::RandomVectors(400, kDim, 5)).ok());
  ASSERT_TRUE(index->trained());
  ASSERT_TRUE(index->Remove(Ids(400)).ok());
  test::TempDir dir;
  const std::string path = dir.Sub("checkpoint.qvi");
  ASSERT_TRUE(index->WriteCheckpoint(path, 3).ok());
  auto loaded = VectorIndex::ReadCheckpoint(path, config);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->index->live_count(), 0u);
  const std::vector<float> query(kDim, 0.25f);
  auto hits = loaded->index->Search(query, {5, 0, 8});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_TRUE(hits->empty());
}

TEST(VectorIndexTest, CheckpointForAnotherConfigIsCorruption) {
  auto index = MakeIndex("Flat", Metric::kL2);
  ASSERT_TRUE(index->Add(Ids(3), test::RandomVectors(3, kDim, 1)).ok());
  test::TempDir dir;
  const std::string path = dir.Sub("c.qvi");
  ASSERT_TRUE(index->WriteCheckpoint(path, 1).ok());
  EXPECT_TRUE(
      VectorIndex::ReadCheckpoint(path, {kDim + 1, Metric::kL2, "Flat"}).status().IsCorruption());
  EXPECT_TRUE(
      VectorIndex::ReadCheckpoint(path, {kDim, Metric::kCosine, "Flat"}).status().IsCorruption());
  EXPECT_TRUE(
      VectorIndex::ReadCheckpoint(path, {kDim, Metric::kL2, "HNSW32"}).status().IsCorruption());
  EXPECT_TRUE(VectorIndex::ReadCheckpoint(dir.Sub("none"), {kDim, Metric::kL2, "Flat"})
                  .status()
                  .IsNotFound());
}

}  // namespace
}  // namespace quiver::index
