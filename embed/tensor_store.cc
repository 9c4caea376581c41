#include "embed/tensor_store.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace quiver::embed {
namespace {

constexpr std::string_view kMetaKey = "tensors.meta";
constexpr size_t kChunkBytes = 4 << 20;

std::string ChunkKey(const std::string& name, uint32_t chunk) {
  std::string key = "tensor/" + name + "/";
  for (int i = 3; i >= 0; --i) key.push_back(static_cast<char>((chunk >> (8 * i)) & 0xff));
  return key;
}

size_t ChunkCount(size_t bytes) { return (bytes + kChunkBytes - 1) / kChunkBytes; }

struct TensorHeader {
  std::string name;
  RawTensor shape_and_dtype;  // bytes left empty
  size_t bytes = 0;
  size_t chunks = 0;
};

Result<std::vector<TensorHeader>> ParseHeaders(const std::string& meta) {
  const auto json = nlohmann::json::parse(meta, nullptr, false);
  if (!json.is_array()) return Status::Corruption("the stored tensor list is malformed");
  std::vector<TensorHeader> headers;
  try {
    for (const auto& entry : json) {
      TensorHeader& h = headers.emplace_back();
      h.name = entry.at("name").get<std::string>();
      h.shape_and_dtype.dtype = entry.at("dtype").get<std::string>();
      h.shape_and_dtype.shape = entry.at("shape").get<std::vector<int64_t>>();
      h.bytes = entry.at("bytes").get<size_t>();
      h.chunks = entry.at("chunks").get<size_t>();
      if (h.chunks != ChunkCount(h.bytes)) {
        return Status::Corruption("the stored tensor " + h.name + " has a wrong chunk count");
      }
    }
  } catch (const nlohmann::json::exception&) {
    return Status::Corruption("the stored tensor list is malformed");
  }
  return headers;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> EncodeTensors(const TensorMap& tensors) {
  std::vector<std::pair<std::string, std::string>> entries;
  nlohmann::json meta = nlohmann::json::array();
  for (const auto& [name, tensor] : tensors) {
    const size_t chunks = ChunkCount(tensor.bytes.size());
    meta.push_back({{"name", name},
                    {"dtype", tensor.dtype},
                    {"shape", tensor.shape},
                    {"bytes", tensor.bytes.size()},
                    {"chunks", chunks}});
    for (size_t c = 0; c < chunks; ++c) {
      const size_t begin = c * kChunkBytes;
      entries.emplace_back(ChunkKey(name, static_cast<uint32_t>(c)),
                           tensor.bytes.substr(begin, kChunkBytes));
    }
  }
  entries.emplace_back(std::string(kMetaKey), meta.dump());
  return entries;
}

Result<TensorMap> DecodeTensors(const ModelLookup& get) {
  QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> meta, get(kMetaKey));
  if (!meta.has_value()) return Status::NotFound("the model has no transformer weights");
  QUIVER_ASSIGN_OR_RETURN(std::vector<TensorHeader> headers, ParseHeaders(*meta));
  TensorMap tensors;
  for (TensorHeader& header : headers) {
    RawTensor tensor = std::move(header.shape_and_dtype);
    tensor.bytes.reserve(header.bytes);
    for (size_t c = 0; c < header.chunks; ++c) {
      QUIVER_ASSIGN_OR_RETURN(const std::optional<std::string> chunk,
                              get(ChunkKey(header.name, static_cast<uint32_t>(c))));
      const size_t expected = std::min(kChunkBytes, header.bytes - c * kChunkBytes);
      if (!chunk.has_value() || chunk->size() != expected) {
        return Status::Corruption("chunk " + std::to_string(c) + " of the stored tensor " +
                                  header.name + " is missing or has the wrong size");
      }
      tensor.bytes += *chunk;
    }
    tensors.emplace(header.name, std::move(tensor));
  }
  return tensors;
}

}  // namespace quiver::embed
