// Benchmark data shared by the bench/ executables: a low-rank synthetic vector generator,
// exact (brute-force) ground truth and recall@k.
//
// The generator. Random isotropic Gaussian vectors are a poor stand-in for embeddings (every
// point is almost equidistant from every other and HNSW recall collapses), so vectors here
// live near a low-dimensional subspace, as real embeddings do:
//
//   x = A z + noise * e,   z ~ N(0, I_rank),  e ~ N(0, I_dim),
//   A = a fixed dim x rank "mixing" matrix with entries ~ N(0, 1 / rank).
//
// Each component of A z has unit variance, so `noise` is the ratio of noise to signal
// standard deviation per component (default 0.1: noise carries 1% of the energy).
//
// A depends only on (dim, rank) and a fixed constant, never on `seed`: every call with the
// same dim and rank draws from the same distribution. Use one seed for the base set and
// another for the queries. z and e of row i come from a SplitMix64 stream keyed by (seed, i)
// with our own Box-Muller transform, so output is bit-identical across compilers, standard
// libraries, thread counts and machines, and rows can be generated in parallel.
#ifndef QUIVER_BENCH_COMMON_DATASET_H_
#define QUIVER_BENCH_COMMON_DATASET_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "quiver/options.h"

namespace quiver::bench {

inline constexpr int kDefaultRank = 32;
inline constexpr float kDefaultNoise = 0.1f;

// n vectors of `dim` floats, row-major (n * dim floats), drawn as described above.
// Requires dim > 0 and 0 < rank <= dim. Deterministic in (n, dim, rank, seed, noise); the
// first m rows of a call with n >= m equal a call with n = m.
std::vector<float> MakeLowRank(size_t n, int dim, int rank, uint64_t seed,
                               float noise = kDefaultNoise);

// Scales each of the n rows of `data` (dim floats each) to unit L2 norm; zero rows stay zero.
void NormalizeRows(float* data, size_t n, int dim);

// Exact top-k neighbours of each query among `base`, by `metric` with quiver's meaning
// (cosine = inner product of normalized vectors; ip = raw inner product; l2 = squared
// Euclidean). Returns nq * k row positions into `base` (0-based), best first, row-major;
// -1 pads rows when k > n. Uses FAISS's exact flat search (BLAS), so it is fast enough for
// 100k x 384 bases and a few thousand queries. Inputs are not modified.
std::vector<int64_t> ExactTopK(const std::vector<float>& base, const std::vector<float>& queries,
                               int dim, int k, Metric metric);

// Mean over queries of |truth[q][0..k) ∩ found[q][0..k)| / k. `truth` has nq rows of
// truth_stride ids, `found` nq rows of found_stride ids (both >= k); negative ids never match.
double RecallAtK(const std::vector<int64_t>& truth, size_t truth_stride,
                 const std::vector<int64_t>& found, size_t found_stride, size_t nq, int k);

}  // namespace quiver::bench

#endif  // QUIVER_BENCH_COMMON_DATASET_H_
