// AccelerateIndex: kernel-backed storage gives the same answers as stock FAISS (HNSW recall
// within 0.002 on the same graph; flat search results equal), leaves unsupported shapes
// alone, and keeps checkpoints plain FAISS files in both directions.
#include "index/simd/accelerate.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>
#include <random>
#include <set>
#include <typeinfo>
#include <vector>

#include "index/simd/kernel_flat_index.h"

namespace quiver::simd {
namespace {

using idx_t = faiss::Index::idx_t;
using IndexPtr = std::unique_ptr<faiss::Index>;

// Low-rank vectors (rank 12 in d dimensions, plus a little noise): like embeddings, and
// unlike isotropic Gaussians they give HNSW a meaningful recall.
std::vector<float> LowRankVectors(size_t n, size_t d, unsigned seed) {
  constexpr size_t kRank = 12;
  std::mt19937 basis_rng(1234);  // same subspace for base and query sets.
  std::normal_distribution<float> gauss;
  std::vector<float> basis(kRank * d);
  for (float& v : basis) v = gauss(basis_rng);
  std::mt19937 rng(seed);
  std::vector<float> out(n * d);
  for (size_t i = 0; i < n; ++i) {
    float z[kRank];
    for (float& v : z) v = gauss(rng);
    for (size_t j = 0; j < d; ++j) {
      float s = 0.05f * gauss(rng);
      for (size_t r = 0; r < kRank; ++r) s += z[r] * basis[r * d + j];
      out[i * d + j] = s;
    }
  }
  return out;
}

struct Results {
  std::vector<float> distances;
  std::vector<idx_t> labels;
};

Results Search(const faiss::Index& index, const std::vector<float>& queries, idx_t k,
               const faiss::SearchParameters* params = nullptr) {
  const idx_t n = idx_t(queries.size()) / index.d;
  Results r{std::vector<float>(n * k), std::vector<idx_t>(n * k)};
  index.search(n, queries.data(), k, r.distances.data(), r.labels.data(), params);
  return r;
}

// Fraction of the exact top-k ids found, over all queries.
double Recall(const Results& got, const Results& exact, idx_t k) {
  size_t hits = 0;
  for (size_t q = 0; q * k < exact.labels.size(); ++q) {
    std::set<idx_t> truth(exact.labels.begin() + q * k, exact.labels.begin() + (q + 1) * k);
    for (idx_t j = 0; j < k; ++j) hits += truth.count(got.labels[q * k + j]);
  }
  return double(hits) / double(exact.labels.size());
}

std::vector<uint8_t> Serialize(const faiss::Index& index) {
  faiss::VectorIOWriter writer;
  faiss::write_index(&index, &writer);
  return writer.data;
}

IndexPtr Deserialize(const std::vector<uint8_t>& bytes) {
  faiss::VectorIOReader reader;
  reader.data = bytes;
  return IndexPtr(faiss::read_index(&reader));
}

// "IDMap2,<spec>" from index_factory, filled with ids 1000 + i.
IndexPtr BuildIdMap(const char* spec, size_t d, faiss::MetricType metric,
                    const std::vector<float>& base, bool accelerate_first) {
  const std::string full = std::string("IDMap2,") + spec;
  IndexPtr index(faiss::index_factory(int(d), full.c_str(), metric));
  if (accelerate_first) AccelerateIndex(index.get());
  const idx_t n = idx_t(base.size() / d);
  std::vector<idx_t> ids(n);
  for (idx_t i = 0; i < n; ++i) ids[i] = 1000 + i;
  index->add_with_ids(n, base.data(), ids.data());
  return index;
}

faiss::Index* InnerOf(faiss::Index* root) {
  faiss::Index* inner = dynamic_cast<faiss::IndexIDMap*>(root)->index;
  if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(inner)) return hnsw->storage;
  return inner;
}

// FAISS 1.7.3's IndexIDMap rejects SearchParameters, so efSearch is set on the graph.
void SetEfSearch(faiss::Index* root, int ef) {
  dynamic_cast<faiss::IndexHNSW*>(dynamic_cast<faiss::IndexIDMap*>(root)->index)->hnsw.efSearch =
      ef;
}

bool IsAccelerated(faiss::Index* root) {
  return dynamic_cast<KernelFlatIndex*>(InnerOf(root)) != nullptr;
}

class HnswTest : public ::testing::TestWithParam<faiss::MetricType> {
 protected:
  static constexpr size_t kDim = 72;  // not a multiple of 16: exercises kernel tails.
  static constexpr idx_t kK = 10;

  void SetUp() override {
    base_ = LowRankVectors(4000, kDim, 1);
    queries_ = LowRankVectors(300, kDim, 2);
    faiss::IndexFlat exact_index(kDim, GetParam());
    exact_index.add(idx_t(base_.size() / kDim), base_.data());
    exact_ = Search(exact_index, queries_, kK);
    for (idx_t& label : exact_.labels) label += 1000;
  }

  std::vector<float> base_, queries_;
  Results exact_;
};

TEST_P(HnswTest, SameGraphSameRecallAsStock) {
  IndexPtr stock = BuildIdMap("HNSW16", kDim, GetParam(), base_, false);
  IndexPtr ours = Deserialize(Serialize(*stock));
  AccelerateIndex(ours.get());
  ASSERT_TRUE(IsAccelerated(ours.get()));
  ASSERT_FALSE(IsAccelerated(stock.get()));
  EXPECT_EQ(ours->ntotal, stock->ntotal);

  for (int ef : {16, 32, 64, 128}) {
    SetEfSearch(stock.get(), ef);
    SetEfSearch(ours.get(), ef);
    const double stock_recall = Recall(Search(*stock, queries_, kK), exact_, kK);
    const double our_recall = Recall(Search(*ours, queries_, kK), exact_, kK);
    EXPECT_NEAR(our_recall, stock_recall, 0.002) << "efSearch=" << ef;
    if (ef >= 64) EXPECT_GT(our_recall, 0.9) << "efSearch=" << ef;
  }
}

TEST_P(HnswTest, BuildWithKernelsGivesStockQualityGraph) {
  IndexPtr stock = BuildIdMap("HNSW16", kDim, GetParam(), base_, false);
  IndexPtr ours = BuildIdMap("HNSW16", kDim, GetParam(), base_, true);
  ASSERT_TRUE(IsAccelerated(ours.get()));
  SetEfSearch(stock.get(), 64);
  SetEfSearch(ours.get(), 64);
  const double stock_recall = Recall(Search(*stock, queries_, kK), exact_, kK);
  const double our_recall = Recall(Search(*ours, queries_, kK), exact_, kK);
  EXPECT_GT(our_recall, stock_recall - 0.01);
}

TEST_P(HnswTest, CheckpointBytesAreStockFaiss) {
  IndexPtr index = BuildIdMap("HNSW16", kDim, GetParam(), base_, false);
  const std::vector<uint8_t> stock_bytes = Serialize(*index);
  AccelerateIndex(index.get());
  ASSERT_TRUE(IsAccelerated(index.get()));
  EXPECT_EQ(Serialize(*index), stock_bytes);

  // Stock FAISS loads it as its own types, and answers exactly as the accelerated index.
  IndexPtr reloaded = Deserialize(stock_bytes);
  faiss::Index* storage = InnerOf(reloaded.get());
  EXPECT_TRUE(typeid(*storage) == typeid(faiss::IndexFlatL2) ||
              typeid(*storage) == typeid(faiss::IndexFlatIP) ||
              typeid(*storage) == typeid(faiss::IndexFlat))
      << typeid(*storage).name();
  EXPECT_EQ(Search(*reloaded, queries_, kK).labels.size(), exact_.labels.size());

  // Adds after acceleration land in the file too.
  const std::vector<float> more = LowRankVectors(50, kDim, 3);
  std::vector<idx_t> ids(50);
  for (idx_t i = 0; i < 50; ++i) ids[i] = 900000 + i;
  index->add_with_ids(50, more.data(), ids.data());
  IndexPtr grown = Deserialize(Serialize(*index));
  EXPECT_EQ(grown->ntotal, index->ntotal);
  std::vector<float> back(kDim);
  grown->reconstruct(900049, back.data());
  for (size_t j = 0; j < kDim; ++j) ASSERT_EQ(back[j], more[49 * kDim + j]);
}

INSTANTIATE_TEST_SUITE_P(Metrics, HnswTest,
                         ::testing::Values(faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT),
                         [](const auto& info) {
                           return info.param == faiss::METRIC_L2 ? "L2" : "InnerProduct";
                         });

class FlatTest : public ::testing::TestWithParam<faiss::MetricType> {};

// Few-query searches take the kernel path, 20 and more take FAISS's BLAS path; both must
// agree with stock FAISS, including k larger than the index (-1 labels).
TEST_P(FlatTest, SearchMatchesStock) {
  constexpr size_t kDim = 37;
  const std::vector<float> base = LowRankVectors(3000, kDim, 4);
  IndexPtr stock = BuildIdMap("Flat", kDim, GetParam(), base, false);
  IndexPtr ours = Deserialize(Serialize(*stock));
  AccelerateIndex(ours.get());
  ASSERT_TRUE(IsAccelerated(ours.get()));

  for (size_t nq : {1, 3, 19, 25}) {
    const std::vector<float> queries = LowRankVectors(nq, kDim, 5 + unsigned(nq));
    for (idx_t k : {1, 10, 150}) {
      const Results want = Search(*stock, queries, k);
      const Results got = Search(*ours, queries, k);
      EXPECT_EQ(got.labels, want.labels) << "nq=" << nq << " k=" << k;
      for (size_t i = 0; i < want.distances.size(); ++i) {
        ASSERT_NEAR(got.distances[i], want.distances[i], 1e-3 * (1 + std::fabs(want.distances[i])))
            << "nq=" << nq << " k=" << k << " i=" << i;
      }
    }
  }
  const std::vector<float> tiny_base = LowRankVectors(5, kDim, 6);
  IndexPtr tiny = BuildIdMap("Flat", kDim, GetParam(), tiny_base, true);
  const Results r = Search(*tiny, std::vector<float>(base.begin(), base.begin() + kDim), 8);
  EXPECT_EQ(std::set<idx_t>(r.labels.begin(), r.labels.begin() + 5),
            (std::set<idx_t>{1000, 1001, 1002, 1003, 1004}));
  for (int j = 5; j < 8; ++j) EXPECT_EQ(r.labels[j], -1);
}

// Single queries over >= 4 MiB are split across OpenMP threads (three here, so shares are
// uneven and, for large k, partly empty); the merged answer must equal stock FAISS's.
TEST_P(FlatTest, SplitSingleQueryMatchesStock) {
  constexpr size_t kDim = 96;
  constexpr size_t kRows = 12001;  // 4.6 MB of vectors.
  const std::vector<float> base = LowRankVectors(kRows, kDim, 13);
  faiss::IndexFlat stock(kDim, GetParam());
  stock.add(kRows, base.data());
  KernelFlatIndex ours(kDim, GetParam(), ActiveKernels());
  ours.add(kRows, base.data());
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(3);
  for (size_t nq : {1, 2}) {
    const std::vector<float> queries = LowRankVectors(nq, kDim, 14);
    for (idx_t k : {1, 10}) {
      EXPECT_EQ(Search(ours, queries, k).labels, Search(stock, queries, k).labels)
          << "nq=" << nq << " k=" << k;
    }
    const Results got = Search(ours, queries, 5000);
    const Results want = Search(stock, queries, 5000);
    for (size_t q = 0; q < nq; ++q) {
      const auto first = [&](const Results& r) {
        return std::set<idx_t>(r.labels.begin() + q * 5000, r.labels.begin() + (q + 1) * 5000);
      };
      const std::set<idx_t> got_set = first(got);
      EXPECT_EQ(got_set.size(), 5000u);
      EXPECT_EQ(got_set.count(-1), 0u);
      // Rounding may reorder near-ties at the boundary: allow a handful of differences.
      std::vector<idx_t> common;
      const std::set<idx_t> want_set = first(want);
      std::set_intersection(got_set.begin(), got_set.end(), want_set.begin(), want_set.end(),
                            std::back_inserter(common));
      EXPECT_GE(common.size(), 4995u) << "nq=" << nq;
    }
  }
  omp_set_num_threads(saved_threads);
}

// Searches with an IDSelector (FAISS 1.7.3 accepts them on the flat index itself, not
// through IndexIDMap) give stock FAISS's answers.
TEST_P(FlatTest, SelectorSearchMatchesStock) {
  constexpr size_t kDim = 16;
  const std::vector<float> base = LowRankVectors(500, kDim, 7);
  faiss::IndexFlat stock(kDim, GetParam());
  stock.add(500, base.data());
  KernelFlatIndex ours(kDim, GetParam(), ActiveKernels());
  ours.add(500, base.data());
  faiss::IDSelectorRange range(100, 200);
  faiss::SearchParameters params;
  params.sel = &range;
  const std::vector<float> queries = LowRankVectors(2, kDim, 8);
  const Results got = Search(ours, queries, 5, &params);
  EXPECT_EQ(got.labels, Search(stock, queries, 5, &params).labels);
  for (idx_t label : got.labels) EXPECT_TRUE(label >= 100 && label < 200) << label;
}

TEST_P(FlatTest, CheckpointBytesAreStockFaiss) {
  constexpr size_t kDim = 24;
  const std::vector<float> base = LowRankVectors(200, kDim, 9);
  IndexPtr index = BuildIdMap("Flat", kDim, GetParam(), base, false);
  const std::vector<uint8_t> stock_bytes = Serialize(*index);
  AccelerateIndex(index.get());
  ASSERT_TRUE(IsAccelerated(index.get()));
  EXPECT_EQ(Serialize(*index), stock_bytes);
}

INSTANTIATE_TEST_SUITE_P(Metrics, FlatTest,
                         ::testing::Values(faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT),
                         [](const auto& info) {
                           return info.param == faiss::METRIC_L2 ? "L2" : "InnerProduct";
                         });

TEST(AccelerateTest, LeavesUnsupportedShapesAlone) {
  AccelerateIndex(nullptr);  // no crash.

  for (const char* spec : {"IDMap2,HNSW16_SQ8", "IDMap2,PQ4np", "HNSW16_SQ8"}) {
    IndexPtr index(faiss::index_factory(16, spec));
    faiss::Index* before = index.get();
    if (auto* map = dynamic_cast<faiss::IndexIDMap*>(before)) before = map->index;
    faiss::Index* storage_before = before;
    if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(before)) storage_before = hnsw->storage;
    AccelerateIndex(index.get());
    faiss::Index* storage_after = before;
    if (auto* hnsw = dynamic_cast<faiss::IndexHNSW*>(before)) storage_after = hnsw->storage;
    EXPECT_EQ(storage_after, storage_before) << spec;
  }

  // Other metrics stay with FAISS.
  faiss::IndexIDMap2 l1(new faiss::IndexFlat(8, faiss::METRIC_L1));
  l1.own_fields = true;
  faiss::Index* flat_before = l1.index;
  AccelerateIndex(&l1);
  EXPECT_EQ(l1.index, flat_before);
}

TEST(AccelerateTest, IsIdempotent) {
  const std::vector<float> base = LowRankVectors(100, 8, 10);
  IndexPtr index = BuildIdMap("HNSW8", 8, faiss::METRIC_L2, base, true);
  faiss::Index* storage = InnerOf(index.get());
  AccelerateIndex(index.get());
  EXPECT_EQ(InnerOf(index.get()), storage);
  EXPECT_EQ(storage->ntotal, 100);
}

// Storage the HNSW index does not own is copied, never emptied under its owner.
TEST(AccelerateTest, CopiesStorageItDoesNotOwn) {
  constexpr size_t kDim = 20;
  const std::vector<float> base = LowRankVectors(300, kDim, 11);
  faiss::IndexFlatL2 user_storage(kDim);
  faiss::IndexHNSW hnsw(&user_storage, 8);
  faiss::IndexIDMap2 root(&hnsw);  // does not own `hnsw`.
  hnsw.add(300, base.data());
  AccelerateIndex(&root);
  EXPECT_NE(hnsw.storage, &user_storage);
  EXPECT_TRUE(hnsw.own_fields);
  EXPECT_EQ(user_storage.ntotal, 300);
  EXPECT_EQ(user_storage.codes.size(), 300 * kDim * sizeof(float));
  EXPECT_EQ(hnsw.storage->ntotal, 300);
}

TEST(AccelerateTest, ReportsKernelName) {
  const std::string_view name = ActiveKernelName();
  EXPECT_TRUE(name == "avx512" || name == "avx2" || name == "generic") << name;
  const std::vector<float> base = LowRankVectors(10, 8, 12);
  IndexPtr index = BuildIdMap("Flat", 8, faiss::METRIC_L2, base, true);
  EXPECT_EQ(dynamic_cast<KernelFlatIndex*>(InnerOf(index.get()))->kernels().name, name);
}

}  // namespace
}  // namespace quiver::simd
