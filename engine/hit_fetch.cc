#include "engine/hit_fetch.h"

#include "ingest/source_ref.h"
#include "storage/record_codec.h"

namespace quiver::engine {

Result<std::vector<Hit>> FetchHits(storage::Store& store, std::span<const ScoredDocument> ranked,
                                   const HitFields& fields, int dimension, bool with_text,
                                   ExternalIds* names) {
  std::vector<uint64_t> ids;
  ids.reserve(ranked.size());
  for (const ScoredDocument& d : ranked) ids.push_back(d.doc);
  const bool whole = fields.text || fields.metadata || fields.source || with_text;
  // Without any document field only the names are needed: values below are then the bare
  // external ids, not encoded documents.
  storage::Store::MaybeValues docs;
  bool bare_names = false;
  if (!whole && names != nullptr) {
    QUIVER_ASSIGN_OR_RETURN(bare_names, names->Names(store, ids, &docs));
  }
  if (!bare_names) {
    QUIVER_ASSIGN_OR_RETURN(docs, store.MultiGetDocs(ids));
  }
  storage::Store::MaybeValues vectors;
  if (fields.vector) {
    QUIVER_ASSIGN_OR_RETURN(vectors, store.MultiGetVectors(ids));
  }
  std::vector<Hit> hits;
  hits.reserve(ranked.size());
  for (size_t i = 0; i < ranked.size(); ++i) {
    const std::optional<std::string>& value = docs[i];
    if (!value.has_value()) continue;  // deleted since the index answered
    Hit hit;
    hit.score = ranked[i].score;
    if (bare_names) {
      hit.id = *value;
    } else if (whole) {
      QUIVER_ASSIGN_OR_RETURN(storage::StoredDoc doc, storage::DecodeDoc(*value));
      hit.id = std::move(doc.external_id);
      if (fields.text || with_text) hit.text = std::move(doc.text);
      if (fields.metadata) hit.metadata = std::move(doc.metadata);
      if (fields.source) hit.source = ingest::DecodeSourceRef(doc.source);
    } else {
      QUIVER_ASSIGN_OR_RETURN(const std::string_view id, storage::DocExternalIdView(*value));
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
