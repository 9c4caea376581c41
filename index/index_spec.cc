#include "index/index_spec.h"

#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>

#include <charconv>
#include <vector>

namespace quiver::index {
namespace {

std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) return parts;
    start = comma + 1;
  }
}

Status ParseEf(std::string_view spec, std::string_view key, std::string_view value, int* out) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid index spec '" + std::string(spec) +
                                   "': " + std::string(key) + "= " + why);
  };
  if (*out != 0) return bad("is given twice");
  int parsed = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (value.empty() || error != std::errc() || end != value.data() + value.size()) {
    return bad("needs a whole number; found '" + std::string(value) + "'");
  }
  if (parsed < 1 || parsed > kMaxEf) {
    return bad("must be in [1, " + std::to_string(kMaxEf) + "]; found " + std::string(value));
  }
  *out = parsed;
  return Status::OK();
}

faiss::IndexHNSW* FindHnsw(faiss::Index* index) {
  if (auto* map = dynamic_cast<faiss::IndexIDMap2*>(index)) index = map->index;
  return dynamic_cast<faiss::IndexHNSW*>(index);
}

}  // namespace

void ApplySpecParams(faiss::Index* index, const ParsedSpec& spec) {
  if (faiss::IndexHNSW* hnsw = FindHnsw(index)) {
    hnsw->hnsw.efConstruction =
        spec.ef_construction > 0 ? spec.ef_construction : kDefaultEfConstruction;
    hnsw->hnsw.efSearch = spec.ef_search > 0 ? spec.ef_search : kDefaultEfSearch;
    if (auto* pq = dynamic_cast<faiss::IndexPQ*>(hnsw->storage)) pq->do_polysemous_training = false;
  }
  if (auto* pq = dynamic_cast<faiss::IndexPQ*>(index)) pq->do_polysemous_training = false;
  if (auto* ivfpq = dynamic_cast<faiss::IndexIVFPQ*>(index)) ivfpq->do_polysemous_training = false;
}

Result<ParsedSpec> ParseIndexSpec(std::string_view spec) {
  ParsedSpec parsed;
  std::string factory;
  for (std::string_view part : SplitCommas(spec)) {
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      if (!factory.empty()) factory += ',';
      factory += part;
      continue;
    }
    const std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "efC") {
      QUIVER_RETURN_IF_ERROR(ParseEf(spec, key, value, &parsed.ef_construction));
    } else if (key == "ef") {
      QUIVER_RETURN_IF_ERROR(ParseEf(spec, key, value, &parsed.ef_search));
    } else {
      return Status::InvalidArgument("invalid index spec '" + std::string(spec) +
                                     "': unknown parameter '" + std::string(key) +
                                     "' (known: efC=, ef=)");
    }
  }
  const bool has_params = parsed.ef_construction != 0 || parsed.ef_search != 0;
  if (has_params && factory.find("HNSW") == std::string::npos) {
    return Status::InvalidArgument("invalid index spec '" + std::string(spec) +
                                   "': efC= and ef= apply to HNSW indexes only, and '" + factory +
                                   "' has no HNSW graph");
  }
  parsed.factory = std::move(factory);
  return parsed;
}

}  // namespace quiver::index
