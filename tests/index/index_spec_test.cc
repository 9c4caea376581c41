#include "index/index_spec.h"

#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/index_factory.h>
#include <gtest/gtest.h>

#include <memory>

#include "index/vector_index.h"
#include "tests/fixtures/test_util.h"

namespace quiver::index {
namespace {

TEST(IndexSpecTest, SplitsHnswParametersOffTheFactoryString) {
  auto parsed = ParseIndexSpec("HNSW32,efC=200,ef=64");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->factory, "HNSW32");
  EXPECT_EQ(parsed->ef_construction, 200);
  EXPECT_EQ(parsed->ef_search, 64);

  parsed = ParseIndexSpec("IVF1024,PQ16");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->factory, "IVF1024,PQ16");
  EXPECT_EQ(parsed->ef_construction, 0);
  EXPECT_EQ(parsed->ef_search, 0);

  parsed = ParseIndexSpec("ef=16,HNSW16");  // order does not matter
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->factory, "HNSW16");
  EXPECT_EQ(parsed->ef_search, 16);
}

TEST(IndexSpecTest, RejectsBadParametersWithTheReason) {
  auto message = [](const char* spec) {
    auto parsed = ParseIndexSpec(spec);
    EXPECT_TRUE(parsed.status().IsInvalidArgument()) << spec;
    return parsed.status().message();
  };
  EXPECT_NE(message("HNSW32,efC=0").find("must be in [1,"), std::string::npos);
  EXPECT_NE(message("HNSW32,ef=abc").find("needs a whole number; found 'abc'"), std::string::npos);
  EXPECT_NE(message("HNSW32,ef=").find("needs a whole number"), std::string::npos);
  EXPECT_NE(message("HNSW32,ef=8,ef=9").find("given twice"), std::string::npos);
  EXPECT_NE(message("HNSW32,M=16").find("unknown parameter 'M'"), std::string::npos);
  EXPECT_NE(message("IVF64,Flat,ef=10").find("HNSW indexes only"), std::string::npos);
  EXPECT_NE(message("Flat,efC=10").find("'Flat' has no HNSW graph"), std::string::npos);
  // Through the index: same errors, and the spec is valid with parameters.
  EXPECT_TRUE(VectorIndex::Validate({8, Metric::kL2, "HNSW16,efC=0"}).IsInvalidArgument());
  EXPECT_TRUE(VectorIndex::Validate({8, Metric::kL2, "HNSW16,efC=80,ef=24"}).ok());
}

TEST(IndexSpecTest, AppliesEfAndDefaultsToHnsw) {
  std::unique_ptr<faiss::Index> index(faiss::index_factory(8, "HNSW16"));
  ApplySpecParams(index.get(), {"HNSW16", 120, 48});
  auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(index.get());
  ASSERT_NE(hnsw, nullptr);
  EXPECT_EQ(hnsw->hnsw.efConstruction, 120);
  EXPECT_EQ(hnsw->hnsw.efSearch, 48);
  ApplySpecParams(index.get(), {"HNSW16", 0, 0});
  EXPECT_EQ(hnsw->hnsw.efConstruction, kDefaultEfConstruction);
  EXPECT_EQ(hnsw->hnsw.efSearch, kDefaultEfSearch);
}

// FAISS's factory turns polysemous training on for "PQ<m>" and "IVF<n>,PQ<m>"; quiver turns
// it off before training (it never uses the codes' Hamming order).
TEST(IndexSpecTest, TurnsPolysemousTrainingOffForPq) {
  std::unique_ptr<faiss::Index> ivfpq(faiss::index_factory(16, "IVF16,PQ4"));
  auto* ivf = dynamic_cast<faiss::IndexIVFPQ*>(ivfpq.get());
  ASSERT_NE(ivf, nullptr);
  ASSERT_TRUE(ivf->do_polysemous_training);  // the factory's default this guards against
  ApplySpecParams(ivfpq.get(), {"IVF16,PQ4", 0, 0});
  EXPECT_FALSE(ivf->do_polysemous_training);

  std::unique_ptr<faiss::Index> pq(faiss::index_factory(16, "PQ4"));
  auto* flat_pq = dynamic_cast<faiss::IndexPQ*>(pq.get());
  ASSERT_NE(flat_pq, nullptr);
  ASSERT_TRUE(flat_pq->do_polysemous_training);
  ApplySpecParams(pq.get(), {"PQ4", 0, 0});
  EXPECT_FALSE(flat_pq->do_polysemous_training);
}

// An IVF,PQ VectorIndex (built through ApplySpecParams) trains past its threshold and answers.
TEST(IndexSpecTest, IvfPqVectorIndexTrainsAndSearches) {
  constexpr int kDim = 16;
  auto index = VectorIndex::Create({kDim, Metric::kL2, "IVF4,PQ4x4"});
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  const uint64_t n = (*index)->training_threshold() + 10;
  const std::vector<float> vectors = test::RandomVectors(n, kDim, 7);
  std::vector<uint64_t> ids(n);
  for (uint64_t i = 0; i < n; ++i) ids[i] = i + 1;
  ASSERT_TRUE((*index)->Add(ids, vectors).ok());
  EXPECT_TRUE((*index)->trained());
  auto hits = (*index)->Search(std::span<const float>(vectors.data(), kDim), {5, 0, 4});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ(hits->size(), 5u);
}

}  // namespace
}  // namespace quiver::index
