// Scans for applications: every record (or those a filter matches) in id order with the fields
// asked for, and every ingested source. They read the store directly; the caller holds the
// database's state lock shared.
#ifndef QUIVER_ENGINE_SCAN_H_
#define QUIVER_ENGINE_SCAN_H_

#include "engine/metadata_filter.h"
#include "quiver/db.h"
#include "storage/store.h"

namespace quiver::engine {

// Visits the records `filter` matches (every record when null), in external id order.
Status ScanRecords(storage::Store& store, int dimension, const MetadataFilter* filter,
                   const ScanOptions& options, const DB::RecordVisitor& visit);

// Visits every `sources` entry, in path order.
Status ScanSources(storage::Store& store, const DB::SourceVisitor& visit);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_SCAN_H_
