// How a record's SourceRef is kept in the `docs` family's source field: compact JSON
// {"path","begin","end","chunk","hash"}; "" for a record with no source.
#ifndef QUIVER_INGEST_SOURCE_REF_H_
#define QUIVER_INGEST_SOURCE_REF_H_

#include <string>
#include <string_view>

#include "quiver/types.h"

namespace quiver::ingest {

std::string EncodeSourceRef(const SourceRef& source);
// An empty or unreadable field gives an empty SourceRef.
SourceRef DecodeSourceRef(std::string_view encoded);

}  // namespace quiver::ingest

#endif  // QUIVER_INGEST_SOURCE_REF_H_
