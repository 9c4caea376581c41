#include "index/hnsw_build.h"

#include <faiss/IndexHNSW.h>
#include <omp.h>

#include <algorithm>
#include <array>
#include <memory>
#include <mutex>
#include <numeric>

#include "index/hnsw_walk.h"

namespace quiver::index {
namespace {

using hnsw::Candidate;

// Batches smaller than this are linked on the calling thread alone.
constexpr size_t kParallelFrom = 64;

// Guards every node's link slots while a batch is linked in: node v's by stripe v % kStripes.
// A thread holds at most one stripe at a time, so nodes sharing a stripe cannot deadlock.
class LinkLocks {
 public:
  std::mutex& For(int64_t node) { return stripes_[static_cast<size_t>(node) % kStripes]; }

 private:
  static constexpr size_t kStripes = 4096;
  std::array<std::mutex, kStripes> stripes_;
};

// One thread's buffers for inserting nodes.
struct Scratch {
  hnsw::Walk walk;
  std::vector<int32_t> links;     // a node's slots, copied under its lock
  std::vector<Candidate> chosen;  // the inserted node's links on the current level
  std::vector<Candidate> pool;    // a full neighbor's links plus the inserted node
  std::vector<Candidate> kept;    // what the neighbor keeps of `pool`
};

// Keeps up to `max_size` of `sorted` (ascending by distance to one base node) by the HNSW
// heuristic: a candidate is kept when it is nearer the base than to every node kept before
// it. With no more candidates than `max_size`, all are kept (as FAISS does).
void SelectNeighbors(const hnsw::RowDistance& dist, const std::vector<Candidate>& sorted,
                     size_t max_size, std::vector<Candidate>* kept) {
  kept->clear();
  if (sorted.size() <= max_size) {
    kept->assign(sorted.begin(), sorted.end());
    return;
  }
  for (const Candidate& c : sorted) {
    const bool diverse = std::none_of(kept->begin(), kept->end(), [&](const Candidate& k) {
      return dist.Between(c.second, k.second) < c.first;
    });
    if (!diverse) continue;
    kept->push_back(c);
    if (kept->size() >= max_size) return;
  }
}

// Links nodes whose rows and levels are already in the index into its graph; Insert may run
// on many threads at once.
class Linker {
 public:
  explicit Linker(faiss::IndexHNSW& index)
      : index_(index), graph_(index.hnsw), nodes_(static_cast<size_t>(index.ntotal)) {}

  void Insert(int64_t node);

 private:
  std::span<int32_t> Slots(int64_t node, int level) {
    size_t begin, end;
    graph_.neighbor_range(node, level, &begin, &end);
    return {graph_.neighbors.data() + begin, end - begin};
  }
  std::span<const int32_t> CopyLinks(int64_t node, int level, std::vector<int32_t>& buffer);
  // Gives `node` the links `chosen` on `level`, keeping after them any it already had (from
  // a concurrent insertion that reached it early) while slots remain.
  void SetLinks(int64_t node, int level, const std::vector<Candidate>& chosen, Scratch& s);
  // Adds `to` to `from`'s links on `level`; a full list is re-chosen by the heuristic.
  void AddLink(const hnsw::RowDistance& dist, int64_t from, int64_t to, int level, Scratch& s);

  faiss::IndexHNSW& index_;
  faiss::HNSW& graph_;
  const size_t nodes_;
  LinkLocks locks_;
  std::mutex entry_mu_;  // guards graph_.entry_point and graph_.max_level
};

std::span<const int32_t> Linker::CopyLinks(int64_t node, int level, std::vector<int32_t>& buffer) {
  std::lock_guard<std::mutex> lock(locks_.For(node));
  const std::span<int32_t> slots = Slots(node, level);
  buffer.assign(slots.begin(), slots.end());
  return buffer;
}

void Linker::SetLinks(int64_t node, int level, const std::vector<Candidate>& chosen, Scratch& s) {
  std::lock_guard<std::mutex> lock(locks_.For(node));
  const std::span<int32_t> slots = Slots(node, level);
  s.links.assign(slots.begin(), slots.end());
  size_t used = 0;
  for (const Candidate& c : chosen) slots[used++] = static_cast<int32_t>(c.second);
  for (const int32_t earlier : s.links) {
    if (earlier < 0 || used == slots.size()) break;
    const bool known = std::any_of(chosen.begin(), chosen.end(),
                                   [&](const Candidate& c) { return c.second == earlier; });
    if (!known) slots[used++] = earlier;
  }
  std::fill(slots.begin() + used, slots.end(), -1);
}

void Linker::AddLink(const hnsw::RowDistance& dist, int64_t from, int64_t to, int level,
                     Scratch& s) {
  std::lock_guard<std::mutex> lock(locks_.For(from));
  const std::span<int32_t> slots = Slots(from, level);
  for (int32_t& slot : slots) {
    if (slot == to) return;
    if (slot < 0) {
      slot = static_cast<int32_t>(to);
      return;
    }
  }
  s.pool.clear();
  for (const int32_t v : slots) s.pool.push_back({dist.Between(from, v), v});
  s.pool.push_back({dist.Between(from, to), to});
  std::sort(s.pool.begin(), s.pool.end());
  SelectNeighbors(dist, s.pool, slots.size(), &s.kept);
  std::fill(slots.begin(), slots.end(), -1);
  for (size_t i = 0; i < s.kept.size(); ++i) slots[i] = static_cast<int32_t>(s.kept[i].second);
}

void Linker::Insert(int64_t node) {
  const int level = graph_.levels[node] - 1;
  int64_t entry;
  int top;
  {
    std::lock_guard<std::mutex> lock(entry_mu_);
    entry = graph_.entry_point;
    top = graph_.max_level;
    if (entry < 0) {
      graph_.entry_point = static_cast<int32_t>(node);
      graph_.max_level = level;
      return;
    }
  }
  thread_local Scratch s;
  hnsw::RowDistance dist = hnsw::MakeRowDistance(index_, nullptr);
  dist.query = dist.Row(node);
  auto links = [&](int64_t v, int lv) { return CopyLinks(v, lv, s.links); };
  Candidate nearest{dist(entry), entry};
  if (top > level) nearest = hnsw::Descend(dist, nearest, top, level + 1, links);
  const size_t width = static_cast<size_t>(std::max(graph_.efConstruction, 1));
  const size_t new_links = static_cast<size_t>(graph_.nb_neighbors(1));  // M, on every level
  for (int lv = std::min(level, top); lv >= 0; --lv) {
    hnsw::SearchLevel(dist, nearest, lv, width, nodes_, nullptr, links, s.walk);
    auto& found = s.walk.results;
    std::sort_heap(found.begin(), found.end());
    std::erase_if(found, [node](const Candidate& c) { return c.second == node; });
    if (found.empty()) continue;
    nearest = found.front();
    SelectNeighbors(dist, found, new_links, &s.chosen);
    SetLinks(node, lv, s.chosen, s);
    for (const Candidate& c : s.chosen) AddLink(dist, c.second, node, lv, s);
  }
  if (level > top) {
    std::lock_guard<std::mutex> lock(entry_mu_);
    if (level > graph_.max_level) {
      graph_.max_level = level;
      graph_.entry_point = static_cast<int32_t>(node);
    }
  }
}

}  // namespace

void HnswAdd(faiss::IndexHNSW& index, size_t n, const float* x) {
  if (n == 0) return;
  const int64_t first = index.ntotal;
  index.storage->add(static_cast<faiss::Index::idx_t>(n), x);
  index.ntotal = index.storage->ntotal;
  faiss::HNSW& graph = index.hnsw;
  graph.prepare_level_tab(n, false);
  // Higher levels first, so the entry point is soon at the top of the new graph.
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), first);
  std::stable_sort(order.begin(), order.end(),
                   [&graph](int64_t a, int64_t b) { return graph.levels[a] > graph.levels[b]; });
  auto linker = std::make_unique<Linker>(index);
  const int threads = n < kParallelFrom ? 1 : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 4) num_threads(threads)
  for (size_t i = 0; i < n; ++i) linker->Insert(order[i]);
}

}  // namespace quiver::index
