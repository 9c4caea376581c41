// quiver's HNSW walk: ef is honoured at every value (FAISS 1.7.3 capped it at the index's
// efSearch member, so recall stopped changing above 64), the spec's ef= is the default and
// survives a checkpoint, and filtered searches of every index kind equal brute force over
// the allowed ids.
#include "index/hnsw_search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "index/vector_index.h"
#include "tests/fixtures/test_util.h"

namespace quiver::index {
namespace {

constexpr int kK = 10;

struct Data {
  int dim;
  std::vector<float> base, queries;
  size_t n() const { return base.size() / dim; }
  size_t nq() const { return queries.size() / dim; }
  std::span<const float> query(size_t q) const {
    return {queries.data() + q * dim, static_cast<size_t>(dim)};
  }
};

Data MakeData(size_t n, size_t nq, int dim, uint64_t seed) {
  return {dim, test::RandomVectors(n, dim, seed), test::RandomVectors(nq, dim, seed + 1)};
}

// Ids are 1..n (id i is row i - 1).
std::unique_ptr<VectorIndex> Build(const std::string& spec, const Data& data) {
  auto index = VectorIndex::Create({data.dim, Metric::kL2, spec});
  EXPECT_TRUE(index.ok()) << index.status().ToString();
  std::vector<uint64_t> ids(data.n());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = i + 1;
  EXPECT_TRUE((*index)->Add(ids, data.base).ok());
  return std::move(index.value());
}

// The exact top k among `allowed` (all ids when null), by squared L2, ties to the lower id.
std::vector<uint64_t> BruteForce(const Data& data, size_t q, int k, const IdSet* allowed) {
  std::vector<std::pair<float, uint64_t>> scored;
  for (size_t i = 0; i < data.n(); ++i) {
    const uint64_t id = i + 1;
    if (allowed != nullptr && !allowed->Contains(id)) continue;
    float d = 0;
    for (int j = 0; j < data.dim; ++j) {
      const float diff = data.base[i * data.dim + j] - data.queries[q * data.dim + j];
      d += diff * diff;
    }
    scored.push_back({d, id});
  }
  std::sort(scored.begin(), scored.end());
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < scored.size() && i < static_cast<size_t>(k); ++i) {
    ids.push_back(scored[i].second);
  }
  return ids;
}

std::vector<uint64_t> IdsOf(const std::vector<Neighbor>& hits) {
  std::vector<uint64_t> ids;
  for (const Neighbor& h : hits) ids.push_back(h.id);
  return ids;
}

double Recall(const VectorIndex& index, const Data& data, int ef) {
  size_t found = 0;
  for (size_t q = 0; q < data.nq(); ++q) {
    auto hits = index.Search(data.query(q), {kK, ef, 0});
    EXPECT_TRUE(hits.ok());
    const auto truth = BruteForce(data, q, kK, nullptr);
    const std::set<uint64_t> want(truth.begin(), truth.end());
    for (const Neighbor& h : *hits) found += want.count(h.id);
  }
  return double(found) / double(data.nq() * kK);
}

// Uniform random vectors in 32 dimensions on a sparse graph (M 8, efConstruction 16) are
// hard: recall keeps rising with ef well past 64.
TEST(HnswSearchTest, EfIsHonouredAtEveryValue) {
  const Data data = MakeData(4000, 100, 32, 11);
  auto index = Build("HNSW8,efC=16", data);
  std::vector<double> recall;
  for (int ef : {16, 32, 64, 128, 256}) recall.push_back(Recall(*index, data, ef));
  for (size_t i = 1; i < recall.size(); ++i) {
    EXPECT_GE(recall[i], recall[i - 1]) << "ef step " << i;
  }
  EXPECT_GT(recall[4], recall[0] + 0.05) << recall[0] << " -> " << recall[4];
  EXPECT_GT(recall[4], recall[2]) << "ef 256 must beat ef 64 (the old plateau)";
  EXPECT_GT(recall[3], recall[2]);
}

TEST(HnswSearchTest, SpecEfIsTheDefaultAndSurvivesACheckpoint) {
  const Data data = MakeData(3000, 20, 32, 21);
  auto index = Build("HNSW8,efC=16,ef=200", data);
  test::TempDir dir;
  const std::string path = dir.Sub("checkpoint.qvi");
  ASSERT_TRUE(index->WriteCheckpoint(path, 1).ok());
  auto loaded = VectorIndex::ReadCheckpoint(path, index->config());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  size_t differs_from_16 = 0;
  for (size_t q = 0; q < data.nq(); ++q) {
    const auto by_default = IdsOf(*index->Search(data.query(q), {kK, 0, 0}));
    EXPECT_EQ(by_default, IdsOf(*index->Search(data.query(q), {kK, 200, 0})));
    EXPECT_EQ(by_default, IdsOf(*loaded->index->Search(data.query(q), {kK, 0, 0})));
    differs_from_16 += by_default != IdsOf(*index->Search(data.query(q), {kK, 16, 0}));
  }
  EXPECT_GT(differs_from_16, 0u) << "ef 16 and ef 200 should not give identical lists";
}

// Every kind of index, filtered at several selectivities, against brute force over the
// allowed ids: HNSW with a large ef and IVF probing every list are exact on this small set.
class FilteredSearchTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FilteredSearchTest, EqualsBruteForceOverAllowedIds) {
  const Data data = MakeData(5000, 10, 8, 31);
  auto index = Build(GetParam(), data);
  ASSERT_TRUE(index->trained());
  for (size_t every : {1, 10, 100, 1000, 0}) {  // 100%, 10%, 1%, 0.1%, none
    std::vector<uint64_t> allowed_ids;
    for (uint64_t id = 1; every != 0 && id <= data.n(); ++id) {
      if (id % every == 0) allowed_ids.push_back(id);
    }
    const IdSet allowed(allowed_ids);
    for (size_t q = 0; q < data.nq(); ++q) {
      auto hits = index->Search(data.query(q), {kK, 400, 64}, &allowed);
      ASSERT_TRUE(hits.ok()) << hits.status().ToString();
      EXPECT_EQ(IdsOf(*hits), BruteForce(data, q, kK, &allowed)) << "1/" << every << " q " << q;
      if (index->HasExactVectors()) {
        auto among = index->SearchAmong(data.query(q), kK, allowed.ids());
        ASSERT_TRUE(among.ok());
        EXPECT_EQ(IdsOf(*among), BruteForce(data, q, kK, &allowed));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Specs, FilteredSearchTest,
                         ::testing::Values("Flat", "HNSW32", "HNSW16,efC=100", "IVF64,Flat"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace_if(
                               name.begin(), name.end(), [](char c) { return !std::isalnum(c); },
                               '_');
                           return name;
                         });

TEST(HnswSearchTest, TombstonedIdsAreNeverReturned) {
  const Data data = MakeData(2000, 5, 8, 41);
  auto index = Build("HNSW16", data);
  for (size_t q = 0; q < data.nq(); ++q) {
    const auto before = IdsOf(*index->Search(data.query(q), {kK, 200, 0}));
    ASSERT_TRUE(index->Remove(std::vector<uint64_t>{before[0], before[1]}).ok());
    const auto after = IdsOf(*index->Search(data.query(q), {kK, 200, 0}));
    EXPECT_EQ(after.size(), static_cast<size_t>(kK));
    EXPECT_EQ(std::count(after.begin(), after.end(), before[0]), 0);
    EXPECT_EQ(std::count(after.begin(), after.end(), before[1]), 0);
  }
}

}  // namespace
}  // namespace quiver::index
