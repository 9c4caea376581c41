#include "engine/query_planner.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "engine/lexical.h"
#include "ingest/source_ref.h"

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

bool Allowed(const std::vector<uint64_t>* allowed, uint64_t id) {
  return allowed == nullptr || std::binary_search(allowed->begin(), allowed->end(), id);
}

// The allowed records scored exactly against `query`, best n first. A record deleted since
// the allowed set was computed (the store moves on while a query runs) is skipped.
Result<std::vector<ScoredDocument>> ExactCandidates(const QueryContext& c,
                                                    std::span<const float> query, size_t n,
                                                    const std::vector<uint64_t>& allowed,
                                                    uint64_t exclude) {
  std::vector<ScoredDocument> out;
  std::vector<float> vector;
  for (uint64_t id : allowed) {
    if (id == exclude) continue;
    Status s = c.store->GetVector(id, c.config->dimension, &vector);
    if (s.IsNotFound()) continue;
    QUIVER_RETURN_IF_ERROR(s);
    out.push_back({id, Similarity(c.config->metric, query, vector)});
  }
  SortBestFirst(&out, n);
  for (auto& d : out) d.score = MetricScore(c.config->metric, d.score);
  return out;
}

Result<std::vector<ScoredDocument>> DenseCandidates(const QueryContext& c,
                                                    std::span<const float> query, size_t n,
                                                    const QueryOptions& options,
                                                    const std::vector<uint64_t>* allowed,
                                                    uint64_t exclude) {
  // A small allowed set is searched exactly; a large one through the index with more
  // candidates fetched until enough of them pass.
  const size_t small = std::max<size_t>(4096, c.counters->record_count / 10);
  if (allowed != nullptr && allowed->size() <= small) {
    return ExactCandidates(c, query, n, *allowed, exclude);
  }
  std::vector<ScoredDocument> out;
  for (size_t wanted = n + 1;; wanted *= 2) {
    const int fetch = static_cast<int>(std::min<size_t>(wanted, 1 << 30));
    QUIVER_ASSIGN_OR_RETURN(std::vector<index::Neighbor> neighbors,
                            c.index->Search(query, {fetch, options.ef_search, options.nprobe}));
    out.clear();
    for (const index::Neighbor& neighbor : neighbors) {
      if (neighbor.id == exclude || !Allowed(allowed, neighbor.id)) continue;
      out.push_back({neighbor.id, neighbor.score});
      if (out.size() == n) return out;
    }
    if (neighbors.size() < wanted) return out;  // the index has nothing more
  }
}

Result<std::vector<ScoredDocument>> LexicalCandidates(const QueryContext& c,
                                                      const text::LexicalQuery& query, size_t n,
                                                      const QueryOptions& options,
                                                      const std::vector<uint64_t>* allowed,
                                                      uint64_t exclude) {
  if (allowed == nullptr && exclude == 0) {
    return c.lexical->Search(query, n, {options.bm25_k1, options.bm25_b});
  }
  const std::function<bool(uint64_t)> accept = [&](uint64_t id) {
    return id != exclude && Allowed(allowed, id);
  };
  return c.lexical->Search(query, n, {options.bm25_k1, options.bm25_b}, &accept);
}

bool HasConstraints(const text::LexicalQuery& query) {
  return std::any_of(query.clauses.begin(), query.clauses.end(),
                     [](const text::QueryClause& c) { return c.occur != text::Occur::kShould; });
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

}  // namespace

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
  return Status::OK();
}

Result<std::optional<Hit>> FetchHit(storage::Store& store, uint64_t internal_id, float score) {
  auto doc = store.GetDoc(internal_id);
  if (doc.status().IsNotFound()) return std::optional<Hit>();
  if (!doc.ok()) return doc.status();
  return std::optional<Hit>(Hit{std::move(doc->external_id),
                                score,
                                std::move(doc->text),
                                std::move(doc->metadata),
                                ingest::DecodeSourceRef(doc->source),
                                {}});
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
  std::vector<uint64_t> allowed;
  const std::vector<uint64_t>* allowed_ptr = nullptr;
  if (!options.where.empty()) {
    QUIVER_ASSIGN_OR_RETURN(MetadataFilter filter, MetadataFilter::Parse(options.where));
    QUIVER_ASSIGN_OR_RETURN(allowed, MatchingIds(context, filter));
    allowed_ptr = &allowed;
  }
  const size_t k = static_cast<size_t>(options.k);
  // Fusion looks deeper than k into each list, so that a document ranked moderately by both
  // can beat one ranked first by one.
  const bool hybrid = options.mode == QueryMode::kHybrid;
  const size_t depth = hybrid ? std::max<size_t>(k, options.fusion_depth) : k;
  std::vector<ScoredDocument> lexical, dense;
  if (options.mode != QueryMode::kDense) {
    QUIVER_ASSIGN_OR_RETURN(
        lexical, LexicalCandidates(context, query.lexical, depth, options, allowed_ptr, exclude));
  }
  if (options.mode != QueryMode::kBm25 && query.vector != nullptr) {
    if (hybrid && HasConstraints(query.lexical)) {
      // Only documents that obey the +/- clauses may be fused: those of the lexical list.
      QUIVER_ASSIGN_OR_RETURN(
          dense, ExactCandidates(context, *query.vector, depth, SortedDocs(lexical), exclude));
    } else {
      QUIVER_ASSIGN_OR_RETURN(
          dense, DenseCandidates(context, *query.vector, depth, options, allowed_ptr, exclude));
    }
  }
  if (hybrid && context.config->metric == Metric::kL2) {
    for (ScoredDocument& d : dense) d.score = -d.score;  // fusion wants higher = better
  }
  std::vector<ScoredDocument> ranked = hybrid ? Fuse(std::move(lexical), std::move(dense), options)
                                       : options.mode == QueryMode::kDense ? std::move(dense)
                                                                           : std::move(lexical);
  if (ranked.size() > k) ranked.resize(k);
  std::vector<Hit> hits;
  for (const ScoredDocument& d : ranked) {
    QUIVER_ASSIGN_OR_RETURN(std::optional<Hit> hit, FetchHit(*context.store, d.doc, d.score));
    if (!hit) continue;
    if (options.highlight)
      hit->highlights = HighlightSpans(*context.analyzer, query.lexical, hit->text);
    hits.push_back(std::move(*hit));
  }
  return hits;
}

}  // namespace quiver::engine
