// Query planning: metadata filters, the dense and BM25 candidate lists, their fusion, and
// fetching the hits. Exact under filters: a small matching set is scored by brute force, a
// large one through the vector index with growing over-fetch; the full-text index applies a
// filter inside its top-k search.
#ifndef QUIVER_ENGINE_QUERY_PLANNER_H_
#define QUIVER_ENGINE_QUERY_PLANNER_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/commit.h"
#include "engine/field_names.h"
#include "engine/external_ids.h"
#include "engine/fusion.h"
#include "engine/metadata_filter.h"
#include "index/vector_index.h"
#include "quiver/options.h"
#include "quiver/types.h"
#include "storage/store.h"
#include "text/analyzer.h"
#include "text/lexical_index.h"
#include "text/lexical_query.h"
#include "util/mutex.h"

namespace quiver::engine {

// What a query runs against. The caller keeps all of it unchanged while the query runs (the
// database holds its state lock shared).
struct QueryContext {
  storage::Store* store = nullptr;
  const index::VectorIndex* index = nullptr;
  const text::LexicalIndex* lexical = nullptr;
  const text::Analyzer* analyzer = nullptr;
  const index::IndexConfig* config = nullptr;
  const Counters* counters = nullptr;
  uint64_t data_version = 0;  // of the committed writes, read before the store
  ExternalIds* names = nullptr;  // ids-only hits are named from it
};

// InvalidArgument naming the first option out of range.
Status CheckQueryOptions(const QueryOptions& options);

// InvalidArgument naming the first search option out of range.
Status CheckSearchOptions(const SearchOptions& options);

// Whether `query` has +required or -excluded clauses (then hybrid fuses only the documents
// of the bm25 list, which obey them).
bool HasConstraints(const text::LexicalQuery& query);

// What a text query asks: its parsed full-text query and, when the model knows one of its
// tokens, its dense vector.
struct TextQuery {
  text::LexicalQuery lexical;
  const std::vector<float>* vector = nullptr;
};

// Thread-safe; keeps a parsed snapshot of every record's metadata for filters, rebuilt when
// the data version changes.
class QueryPlanner {
 public:
  // The hits for `query` per options.mode and options.where, never holding record `exclude`
  // (0: none).
  Result<std::vector<Hit>> Rank(const QueryContext& context, const TextQuery& query,
                                const QueryOptions& options, uint64_t exclude)
      EXCLUDES(metadata_mu_);

  // InvalidArgument when `filter` names a field no stored record has (see FieldNames); OK
  // when the database is too large to keep a metadata snapshot.
  Status CheckFilterFields(const QueryContext& context, const MetadataFilter& filter)
      EXCLUDES(metadata_mu_);
  // The hits nearest to `query` among the records options.where matches (all without it).
  Result<std::vector<Hit>> Search(const QueryContext& context, std::span<const float> query,
                                  const SearchOptions& options) EXCLUDES(metadata_mu_);

 private:
  // Every record's parsed metadata, in internal id order, as of data version `version`.
  struct MetadataSnapshot {
    uint64_t version = 0;
    std::vector<std::pair<uint64_t, nlohmann::json>> rows;
    FieldNames fields;  // the metadata keys the rows use
  };
  // The snapshot for the context's data version; nullptr when the database is too large to
  // keep one (filters then scan the store).
  Result<std::shared_ptr<const MetadataSnapshot>> CurrentMetadata(const QueryContext& context)
      EXCLUDES(metadata_mu_);
  // Internal ids of the records `filter` matches, ascending. InvalidArgument when the filter
  // names a field no stored record has (checked only while a snapshot is kept).
  Result<std::vector<uint64_t>> MatchingIds(const QueryContext& context,
                                            const MetadataFilter& filter) EXCLUDES(metadata_mu_);
  // The records `where` matches as of the context's data version. The last few filters'
  // sets are kept, so an application repeating a filter pays for it once per write.
  Result<std::shared_ptr<const index::IdSet>> AllowedIds(const QueryContext& context,
                                                         const std::string& where)
      EXCLUDES(metadata_mu_);

  struct CachedFilter {
    std::string where;
    uint64_t version = 0;
    std::shared_ptr<const index::IdSet> ids;
  };
  static constexpr size_t kCachedFilters = 8;

  util::Mutex metadata_mu_;
  std::shared_ptr<const MetadataSnapshot> metadata_ GUARDED_BY(metadata_mu_);
  std::vector<CachedFilter> filters_ GUARDED_BY(metadata_mu_);  // most recent last
};

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_QUERY_PLANNER_H_
