#include "engine/scan.h"

#include <optional>

#include "engine/ingest_pipeline.h"
#include "ingest/source_ref.h"

namespace quiver::engine {

Status ScanRecords(storage::Store& store, int dimension, const MetadataFilter* filter,
                   const ScanOptions& options, const DB::RecordVisitor& visit) {
  // `ids` is keyed by external id: its order is the scan's.
  return store.ScanIds([&](std::string_view external_id, uint64_t internal_id) -> Status {
    Result<storage::StoredDoc> doc = store.GetDoc(internal_id);
    if (doc.status().IsNotFound()) return Status::OK();  // deleted an instant ago
    QUIVER_RETURN_IF_ERROR(doc.status());
    if (filter != nullptr && !filter->Matches(doc->metadata)) return Status::OK();
    Record record;
    record.id = std::string(external_id);
    if (options.with_text) record.text = std::move(doc->text);
    if (options.with_metadata) record.metadata = std::move(doc->metadata);
    if (options.with_source) record.source = ingest::DecodeSourceRef(doc->source);
    if (options.with_vector) {
      Status read = store.GetVector(internal_id, dimension, &record.vector);
      if (read.IsNotFound()) return Status::OK();
      QUIVER_RETURN_IF_ERROR(read);
    }
    return visit(record);
  });
}

Status ScanSources(storage::Store& store, const DB::SourceVisitor& visit) {
  return store.ScanSources([&](std::string_view path, std::string_view value) -> Status {
    QUIVER_ASSIGN_OR_RETURN(SourceEntry entry, DecodeSourceEntry(path, value));
    SourceInfo info;
    info.path = std::string(path);
    info.content_hash = std::move(entry.content_hash);
    info.mtime = entry.mtime;
    info.size = entry.size;
    info.chunks = entry.chunk_ids.size();
    return visit(info);
  });
}

}  // namespace quiver::engine
