#include "engine/query_planner.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <unordered_map>

#include "engine/hit_fetch.h"
#include "engine/lexical.h"
#include "storage/record_codec.h"
#include "util/hash.h"

namespace quiver::engine {
namespace {

// Similarity of two vectors the way the index scores them; higher is better for every
// metric here (L2 distances are negated).
float Similarity(Metric metric, std::span<const float> a, std::span<const float> b) {
  double dot = 0, aa = 0, bb = 0, l2 = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
    const double d = double(a[i]) - b[i];
    l2 += d * d;
  }
  switch (metric) {
    case Metric::kCosine:
      return aa > 0 && bb > 0 ? static_cast<float>(dot / std::sqrt(aa * bb)) : 0.0f;
    case Metric::kInnerProduct:
      return static_cast<float>(dot);
    case Metric::kL2:
      return static_cast<float>(-l2);
  }
  return 0;
}

// The score a caller sees for a similarity computed by Similarity.
float MetricScore(Metric metric, float similarity) {
  return metric == Metric::kL2 ? -similarity : similarity;
}

bool Allowed(const index::IdSet* allowed, uint64_t id) {
  return allowed == nullptr || allowed->Contains(id);
}

// The records `ids` scored exactly against their stored vectors (read in batches), best n
// first. A record deleted since `ids` was computed (the store moves on while a query runs)
// is skipped.
Result<std::vector<ScoredDocument>> ExactCandidates(const QueryContext& c,
                                                    std::span<const float> query, size_t n,
                                                    std::span<const uint64_t> ids,
                                                    uint64_t exclude) {
  constexpr size_t kBatch = 1024;
  std::vector<ScoredDocument> out;
  std::vector<float> vector;
  for (size_t at = 0; at < ids.size(); at += kBatch) {
    const auto batch = ids.subspan(at, std::min(kBatch, ids.size() - at));
    QUIVER_ASSIGN_OR_RETURN(const storage::Store::MaybeValues values,
                            c.store->MultiGetVectors(batch));
    for (size_t i = 0; i < batch.size(); ++i) {
      if (batch[i] == exclude || !values[i].has_value()) continue;
      QUIVER_RETURN_IF_ERROR(storage::DecodeVector(*values[i], c.config->dimension, &vector));
      out.push_back({batch[i], Similarity(c.config->metric, query, vector)});
    }
  }
  SortBestFirst(&out, n);
  for (auto& d : out) d.score = MetricScore(c.config->metric, d.score);
  return out;
}

std::vector<ScoredDocument> WithoutExcluded(const std::vector<index::Neighbor>& neighbors, size_t n,
                                            uint64_t exclude) {
  std::vector<ScoredDocument> out;
  out.reserve(neighbors.size());
  for (const index::Neighbor& neighbor : neighbors) {
    if (neighbor.id == exclude) continue;
    out.push_back({neighbor.id, neighbor.score});
    if (out.size() == n) break;
  }
  return out;
}

// The best n records for `query` among `allowed` (all when null), never `exclude`. A small
// allowed set is scored exactly (from the index's own vectors when it keeps them, else the
// store's); a large one is searched with the filter applied inside the index.
Result<std::vector<ScoredDocument>> DenseCandidates(const QueryContext& c,
                                                    std::span<const float> query, size_t n,
                                                    int ef_search, int nprobe,
                                                    const index::IdSet* allowed, uint64_t exclude) {
  const size_t want = std::min<size_t>(n + (exclude != 0 ? 1 : 0), 1 << 30);
  const size_t small = std::max<size_t>(4096, c.counters->record_count / 10);
  std::vector<index::Neighbor> neighbors;
  if (allowed != nullptr && allowed->size() <= small) {
    if (!c.index->HasExactVectors()) return ExactCandidates(c, query, n, allowed->ids(), exclude);
    QUIVER_ASSIGN_OR_RETURN(neighbors,
                            c.index->SearchAmong(query, static_cast<int>(want), allowed->ids()));
  } else {
    QUIVER_ASSIGN_OR_RETURN(
        neighbors, c.index->Search(query, {static_cast<int>(want), ef_search, nprobe}, allowed));
  }
  return WithoutExcluded(neighbors, n, exclude);
}

Result<std::vector<ScoredDocument>> LexicalCandidates(const QueryContext& c,
                                                      const text::LexicalQuery& query, size_t n,
                                                      const QueryOptions& options,
                                                      const index::IdSet* allowed,
                                                      uint64_t exclude) {
  const CorpusStatistics* statistics = options.statistics.get();
  if (allowed == nullptr && exclude == 0) {
    return c.lexical->Search(query, n, {options.bm25_k1, options.bm25_b}, nullptr, statistics);
  }
  const std::function<bool(uint64_t)> accept = [&](uint64_t id) {
    return id != exclude && Allowed(allowed, id);
  };
  return c.lexical->Search(query, n, {options.bm25_k1, options.bm25_b}, &accept, statistics);
}

// The documents of a ranked list, ascending.
std::vector<uint64_t> SortedDocs(const std::vector<ScoredDocument>& list) {
  std::vector<uint64_t> ids;
  ids.reserve(list.size());
  for (const ScoredDocument& d : list) ids.push_back(d.doc);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// The hybrid ranking of the two lists (either may be empty), per options.fusion.
std::vector<ScoredDocument> Fuse(std::vector<ScoredDocument> lexical,
                                 std::vector<ScoredDocument> dense, const QueryOptions& options) {
  if (dense.empty()) return lexical;
  if (lexical.empty()) return dense;
  const std::vector<std::vector<ScoredDocument>> lists = {std::move(lexical), std::move(dense)};
  const std::vector<float> weights = {1.0f - options.dense_weight, options.dense_weight};
  return options.fusion == Fusion::kRrf ? FuseRrf(lists, options.rrf_k, weights)
                                        : FuseConvex(lists, weights);
}

// The best n documents for `query` per options.mode among `allowed` (all when null), never
// `exclude`. Hybrid fuses lists max(n, fusion_depth) deep, so that a document ranked
// moderately by both can beat one ranked first by one.
Result<std::vector<ScoredDocument>> RankDocuments(const QueryContext& context,
                                                  const TextQuery& query,
                                                  const QueryOptions& options,
                                                  const index::IdSet* allowed, uint64_t exclude,
                                                  size_t n) {
  const bool hybrid = options.mode == QueryMode::kHybrid;
  const size_t depth = hybrid ? std::max<size_t>(n, options.fusion_depth) : n;
  std::vector<ScoredDocument> lexical, dense;
  if (options.mode != QueryMode::kDense) {
    QUIVER_ASSIGN_OR_RETURN(
        lexical, LexicalCandidates(context, query.lexical, depth, options, allowed, exclude));
  }
  if (options.mode != QueryMode::kBm25 && query.vector != nullptr) {
    if (hybrid && HasConstraints(query.lexical)) {
      // Only documents that obey the +/- clauses may be fused: those of the lexical list.
      QUIVER_ASSIGN_OR_RETURN(
          dense, ExactCandidates(context, *query.vector, depth, SortedDocs(lexical), exclude));
    } else {
      QUIVER_ASSIGN_OR_RETURN(
          dense, DenseCandidates(context, *query.vector, depth, options.ef_search, options.nprobe,
                                 allowed, exclude));
    }
  }
  if (hybrid && context.config->metric == Metric::kL2) {
    for (ScoredDocument& d : dense) d.score = -d.score;  // fusion wants higher = better
  }
  std::vector<ScoredDocument> ranked = hybrid ? Fuse(std::move(lexical), std::move(dense), options)
                                       : options.mode == QueryMode::kDense ? std::move(dense)
                                                                           : std::move(lexical);
  if (ranked.size() > n) ranked.resize(n);
  return ranked;
}

// Keeps the first (best) hit of every distinct non-empty text, in order; hits without text
// are all kept. Texts are compared by their XXH64 and, on a match, byte for byte.
void DropRepeatedTexts(std::vector<Hit>* hits) {
  std::unordered_multimap<uint64_t, size_t> seen;  // text hash -> index of a kept hit
  std::vector<Hit> kept;
  kept.reserve(hits->size());
  for (Hit& hit : *hits) {
    if (!hit.text.empty()) {
      const uint64_t hash = util::Xxh64(hit.text);
      const auto [first, last] = seen.equal_range(hash);
      if (std::any_of(first, last,
                      [&](const auto& e) { return kept[e.second].text == hit.text; })) {
        continue;
      }
      seen.emplace(hash, kept.size());
    }
    kept.push_back(std::move(hit));
  }
  *hits = std::move(kept);
}

}  // namespace

bool HasConstraints(const text::LexicalQuery& query) {
  return std::any_of(query.clauses.begin(), query.clauses.end(),
                     [](const text::QueryClause& c) { return c.occur != text::Occur::kShould; });
}

Status CheckQueryOptions(const QueryOptions& options) {
  if (options.k <= 0) {
    return Status::InvalidArgument("k must be > 0; found " + std::to_string(options.k));
  }
  if (!(options.dense_weight >= 0 && options.dense_weight <= 1)) {
    return Status::InvalidArgument("dense weight must be in [0, 1]; found " +
                                   std::to_string(options.dense_weight));
  }
  if (options.fusion_depth <= 0) {
    return Status::InvalidArgument("fusion depth must be > 0; found " +
                                   std::to_string(options.fusion_depth));
  }
  if (options.rrf_k <= 0) {
    return Status::InvalidArgument("rrf k must be > 0; found " + std::to_string(options.rrf_k));
  }
  if (!(options.bm25_k1 >= 0) || !(options.bm25_b >= 0 && options.bm25_b <= 1)) {
    return Status::InvalidArgument(
        "BM25 needs k1 >= 0 and b in [0, 1]; found k1 = " + std::to_string(options.bm25_k1) +
        ", b = " + std::to_string(options.bm25_b));
  }
  if (options.statistics != nullptr) {
    for (const auto& [key, df] : options.statistics->frequencies) {
      if (df > options.statistics->documents) {
        return Status::InvalidArgument("BM25 statistics need every document frequency <= their " +
                                       std::to_string(options.statistics->documents) +
                                       " documents; found " + std::to_string(df) + " for '" + key +
                                       "'");
      }
    }
  }
  return Status::OK();
}

Status CheckSearchOptions(const SearchOptions& options) {
  if (options.k <= 0) {
    return Status::InvalidArgument("k must be > 0; found " + std::to_string(options.k));
  }
  if (options.ef_search < 0 || options.nprobe < 0) {
    return Status::InvalidArgument("ef_search and nprobe must be >= 0 (0: the index's default)");
  }
  return Status::OK();
}

Result<std::shared_ptr<const QueryPlanner::MetadataSnapshot>> QueryPlanner::CurrentMetadata(
    const QueryContext& context) {
  // Parsed metadata costs a few hundred bytes a record; beyond this many records filters
  // scan the store instead of keeping it all in memory.
  constexpr uint64_t kMaxSnapshotRecords = 2'000'000;
  const uint64_t records = context.counters->record_count;
  if (records > kMaxSnapshotRecords) return std::shared_ptr<const MetadataSnapshot>();
  util::MutexLock lock(&metadata_mu_);
  if (metadata_ != nullptr && metadata_->version == context.data_version) return metadata_;
  auto snapshot = std::make_shared<MetadataSnapshot>();
  snapshot->version = context.data_version;
  snapshot->rows.reserve(records);
  QUIVER_RETURN_IF_ERROR(
      context.store->ScanDocMetadata([&](uint64_t id, std::string_view metadata) {
        auto parsed = nlohmann::json::parse(metadata.empty() ? std::string_view("{}") : metadata,
                                            nullptr, false);
        snapshot->fields.Add(parsed);
        snapshot->rows.emplace_back(id, std::move(parsed));
        return Status::OK();
      }));
  metadata_ = std::move(snapshot);
  return std::shared_ptr<const MetadataSnapshot>(metadata_);
}

Status QueryPlanner::CheckFilterFields(const QueryContext& context, const MetadataFilter& filter) {
  QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<const MetadataSnapshot> snapshot,
                          CurrentMetadata(context));
  return snapshot == nullptr ? Status::OK() : snapshot->fields.Check(filter.Fields());
}

Result<std::vector<uint64_t>> QueryPlanner::MatchingIds(const QueryContext& context,
                                                        const MetadataFilter& filter) {
  std::vector<uint64_t> matching;
  QUIVER_ASSIGN_OR_RETURN(std::shared_ptr<const MetadataSnapshot> snapshot,
                          CurrentMetadata(context));
  if (snapshot != nullptr) {
    QUIVER_RETURN_IF_ERROR(snapshot->fields.Check(filter.Fields()));
    for (const auto& [id, metadata] : snapshot->rows) {
      if (filter.Matches(metadata)) matching.push_back(id);
    }
    return matching;
  }
  QUIVER_RETURN_IF_ERROR(
      context.store->ScanDocMetadata([&](uint64_t id, std::string_view metadata) {
        if (filter.Matches(metadata)) matching.push_back(id);
        return Status::OK();
      }));
  return matching;
}

Result<std::vector<Hit>> QueryPlanner::Rank(const QueryContext& context, const TextQuery& query,
                                            const QueryOptions& options, uint64_t exclude) {
  std::shared_ptr<const index::IdSet> allowed;
  if (!options.where.empty()) {
    QUIVER_ASSIGN_OR_RETURN(allowed, AllowedIds(context, options.where));
  }
  const size_t k = static_cast<size_t>(options.k);
  // Repeated texts are dropped after the fetch, so a ranking of n documents may give fewer
  // than k hits: then twice as many are ranked, until k remain or the lists run out.
  for (size_t n = k;; n *= 2) {
    QUIVER_ASSIGN_OR_RETURN(const std::vector<ScoredDocument> ranked,
                            RankDocuments(context, query, options, allowed.get(), exclude, n));
    QUIVER_ASSIGN_OR_RETURN(
        std::vector<Hit> hits,
        FetchHits(*context.store, ranked, options.fields, context.config->dimension,
                  options.highlight || options.dedupe, context.names));
    if (options.dedupe) DropRepeatedTexts(&hits);
    if (hits.size() < k && ranked.size() == n && n < (size_t{1} << 30)) continue;
    if (hits.size() > k) hits.resize(k);
    for (Hit& hit : hits) {
      if (options.highlight)
        hit.highlights = HighlightSpans(*context.analyzer, query.lexical, hit.text);
      if (!options.fields.text) hit.text.clear();
    }
    return hits;
  }
}

Result<std::shared_ptr<const index::IdSet>> QueryPlanner::AllowedIds(const QueryContext& context,
                                                                     const std::string& where) {
  {
    util::MutexLock lock(&metadata_mu_);
    for (const CachedFilter& cached : filters_) {
      if (cached.where == where && cached.version == context.data_version) return cached.ids;
    }
  }
  QUIVER_ASSIGN_OR_RETURN(MetadataFilter filter, MetadataFilter::Parse(where));
  QUIVER_ASSIGN_OR_RETURN(std::vector<uint64_t> matching, MatchingIds(context, filter));
  auto ids = std::make_shared<const index::IdSet>(std::move(matching));
  util::MutexLock lock(&metadata_mu_);
  std::erase_if(filters_, [&](const CachedFilter& cached) {
    return cached.where == where || cached.version != context.data_version;
  });
  if (filters_.size() == kCachedFilters) filters_.erase(filters_.begin());
  filters_.push_back({where, context.data_version, ids});
  return std::shared_ptr<const index::IdSet>(ids);
}

Result<std::vector<Hit>> QueryPlanner::Search(const QueryContext& context,
                                              std::span<const float> query,
                                              const SearchOptions& options) {
  std::shared_ptr<const index::IdSet> allowed;
  if (!options.where.empty()) {
    QUIVER_ASSIGN_OR_RETURN(allowed, AllowedIds(context, options.where));
  }
  const size_t k = static_cast<size_t>(options.k);
  // A writer commits to the store before it updates the index, so a hit may name a record
  // deleted an instant ago. Such hits are skipped and more candidates fetched.
  for (size_t n = k;; n *= 2) {
    QUIVER_ASSIGN_OR_RETURN(
        const std::vector<ScoredDocument> ranked,
        DenseCandidates(context, query, n, options.ef_search, options.nprobe, allowed.get(), 0));
    QUIVER_ASSIGN_OR_RETURN(std::vector<Hit> hits,
                            FetchHits(*context.store, ranked, options.fields,
                                      context.config->dimension, false, context.names));
    if (hits.size() >= k || ranked.size() < n) {
      if (hits.size() > k) hits.resize(k);
      return hits;
    }
  }
}

}  // namespace quiver::engine
