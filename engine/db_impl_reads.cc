// DBImpl's read calls for applications, beside db_impl.cc (which is at its size limit): record
// and source scans, batches of searches and queries.
#include <functional>

#include "engine/db_impl.h"
#include "engine/scan.h"
#include "util/parallel.h"

namespace quiver::engine {

Status DBImpl::ScanRecords(const ScanOptions& options, const RecordVisitor& visit) {
  if (!visit) return Status::InvalidArgument("the record scan needs a visitor");
  std::optional<MetadataFilter> filter;
  if (!options.where.empty()) {
    QUIVER_ASSIGN_OR_RETURN(filter, MetadataFilter::Parse(options.where));
  }
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  if (filter.has_value()) QUIVER_RETURN_IF_ERROR(planner_.CheckFilterFields(Context(), *filter));
  return engine::ScanRecords(*store_, config_.dimension, filter ? &*filter : nullptr, options,
                             visit);
}

Status DBImpl::ScanSources(const SourceVisitor& visit) {
  if (!visit) return Status::InvalidArgument("the source scan needs a visitor");
  util::ReaderLock read(&state_mu_);
  QUIVER_RETURN_IF_ERROR(CheckOpen());
  return engine::ScanSources(*store_, visit);
}

namespace {

// Runs `one(i)` for i in [0, n) on every core, each result in its place; the first failing
// query's error (by number) fails the whole batch.
template <typename T>
Result<std::vector<T>> RunBatch(size_t n, const std::function<Result<T>(size_t)>& one) {
  std::vector<T> results(n);
  std::vector<Status> errors(n, Status::OK());
  util::ParallelFor(n, util::WorkerCount(0), [&](size_t i) {
    Result<T> hits = one(i);
    if (hits.ok()) {
      results[i] = std::move(hits).value();
    } else {
      errors[i] = hits.status();
    }
  });
  for (size_t i = 0; i < n; ++i) {
    if (!errors[i].ok()) return errors[i].WithContext("query " + std::to_string(i));
  }
  return results;
}

}  // namespace

Result<std::vector<std::vector<Hit>>> DBImpl::SearchBatch(std::span<const float> queries,
                                                          const SearchOptions& options) {
  const size_t dimension = static_cast<size_t>(config_.dimension);
  if (dimension == 0 || queries.size() % dimension != 0) {
    return Status::InvalidArgument("a batch of query vectors needs a multiple of the dimension " +
                                   std::to_string(dimension) + " floats; found " +
                                   std::to_string(queries.size()));
  }
  return RunBatch<std::vector<Hit>>(queries.size() / dimension, [&](size_t i) {
    return Search(queries.subspan(i * dimension, dimension), options);
  });
}

Result<std::vector<std::vector<Hit>>> DBImpl::QueryBatch(const std::vector<std::string>& texts,
                                                         const QueryOptions& options) {
  return RunBatch<std::vector<Hit>>(texts.size(),
                                    [&](size_t i) { return Query(texts[i], options); });
}

Result<std::vector<QueryResult>> DBImpl::QueryBatchWithReport(const std::vector<std::string>& texts,
                                                              const QueryOptions& options) {
  return RunBatch<QueryResult>(texts.size(),
                               [&](size_t i) { return QueryWithReport(texts[i], options); });
}

}  // namespace quiver::engine
