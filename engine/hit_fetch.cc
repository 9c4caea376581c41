#include "engine/hit_fetch.h"

#include "ingest/source_ref.h"
#include "storage/record_codec.h"

namespace quiver::engine {

Result<std::vector<Hit>> FetchHits(storage::Store& store, std::span<const ScoredDocument> ranked,
                                   const HitFields& fields, int dimension, bool with_text) {
  std::vector<uint64_t> ids;
  ids.reserve(ranked.size());
  for (const ScoredDocument& d : ranked) ids.push_back(d.doc);
  QUIVER_ASSIGN_OR_RETURN(const storage::Store::MaybeValues docs, store.MultiGetDocs(ids));
  storage::Store::MaybeValues vectors;
  if (fields.vector) {
    QUIVER_ASSIGN_OR_RETURN(vectors, store.MultiGetVectors(ids));
  }
  const bool whole = fields.text || fields.metadata || fields.source || with_text;
  std::vector<Hit> hits;
  hits.reserve(ranked.size());
  for (size_t i = 0; i < ranked.size(); ++i) {
    if (!docs[i].has_value()) continue;  // deleted since the index answered
    Hit hit;
    hit.score = ranked[i].score;
    if (whole) {
      QUIVER_ASSIGN_OR_RETURN(storage::StoredDoc doc, storage::DecodeDoc(*docs[i]));
      hit.id = std::move(doc.external_id);
      if (fields.text || with_text) hit.text = std::move(doc.text);
      if (fields.metadata) hit.metadata = std::move(doc.metadata);
      if (fields.source) hit.source = ingest::DecodeSourceRef(doc.source);
    } else {
      QUIVER_ASSIGN_OR_RETURN(const std::string_view id, storage::DocExternalIdView(*docs[i]));
      hit.id.assign(id);
    }
    if (fields.vector) {
      if (!vectors[i].has_value()) continue;  // deleted between the two reads
      QUIVER_RETURN_IF_ERROR(storage::DecodeVector(*vectors[i], dimension, &hit.vector));
    }
    hits.push_back(std::move(hit));
  }
  return hits;
}

}  // namespace quiver::engine
