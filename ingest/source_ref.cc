#include "ingest/source_ref.h"

#include <nlohmann/json.hpp>

namespace quiver::ingest {

std::string EncodeSourceRef(const SourceRef& source) {
  if (source.path.empty()) return "";
  return nlohmann::json{{"path", source.path},
                        {"begin", source.begin},
                        {"end", source.end},
                        {"chunk", source.chunk},
                        {"hash", source.content_hash}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

SourceRef DecodeSourceRef(std::string_view encoded) {
  SourceRef source;
  if (encoded.empty()) return source;
  auto json = nlohmann::json::parse(encoded, nullptr, false);
  if (!json.is_object()) return source;
  try {
    source.path = json.value("path", "");
    source.begin = json.value("begin", uint64_t{0});
    source.end = json.value("end", uint64_t{0});
    source.chunk = json.value("chunk", int32_t{0});
    source.content_hash = json.value("hash", "");
  } catch (const nlohmann::json::exception&) {
    return SourceRef{};
  }
  return source;
}

}  // namespace quiver::ingest
