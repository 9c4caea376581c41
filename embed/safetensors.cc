#include "embed/safetensors.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include <utility>

#include "util/file_reader.h"
#include "util/strings.h"

namespace quiver::embed {
namespace {

using nlohmann::json;
using util::Quote;
namespace fs = std::filesystem;

constexpr uint64_t kMaxHeaderBytes = uint64_t{100} << 20;  // the format's own limit
constexpr uint64_t kMaxIndexBytes = uint64_t{64} << 20;
constexpr size_t kNamesShown = 8;
constexpr std::string_view kIndexSuffix = ".safetensors.index.json";
constexpr std::string_view kIndexName = "model.safetensors.index.json";

// Bytes per element of the dtypes safetensors defines; 0 for an unknown dtype.
uint64_t DtypeSize(std::string_view dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" ||
      dtype == "F8_E5M2") {
    return 1;
  }
  return 0;
}

// A parsed safetensors header.
struct Header {
  json entries;          // the JSON object, "__metadata__" included
  uint64_t data_start;   // absolute offset of the data area
  uint64_t data_length;  // bytes in the data area
};

Result<Header> ReadHeader(const util::File& file, const std::string& path) {
  if (file.size() < 8) {
    return Status::Corruption(path + ": truncated: " + std::to_string(file.size()) +
                              " bytes, shorter than the 8-byte header size");
  }
  std::string size_bytes(8, '\0');
  QUIVER_RETURN_IF_ERROR(file.ReadAt(0, &size_bytes));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(size_bytes[i]);
  if (n > file.size() - 8) {
    return Status::Corruption(
        path + ": header size " + std::to_string(n) + " reaches beyond the end of the file (" +
        std::to_string(file.size()) + " bytes): truncated or not safetensors");
  }
  if (n > kMaxHeaderBytes) {
    return Status::Corruption(path + ": header size " + std::to_string(n) + " exceeds " +
                              std::to_string(kMaxHeaderBytes) + " bytes");
  }
  std::string text(n, '\0');
  QUIVER_RETURN_IF_ERROR(file.ReadAt(8, &text));
  Header h{json::parse(text, nullptr, /*allow_exceptions=*/false), 8 + n, file.size() - 8 - n};
  if (h.entries.is_discarded()) return Status::Corruption(path + ": malformed JSON header");
  if (!h.entries.is_object()) return Status::Corruption(path + ": header is not a JSON object");
  return h;
}

// "a, b, c, ... (N in all)" for the tensor names of a header (or weight map).
std::string NameList(const json& entries) {
  std::string out;
  size_t n = 0;
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    if (n < kNamesShown) out += (n == 0 ? "" : ", ") + it.key();
    ++n;
  }
  if (n == 0) return "no tensors";
  if (n > kNamesShown) out += ", ...";
  return out + " (" + std::to_string(n) + " in all)";
}

Result<std::vector<int64_t>> ParseShape(const json& shape, const std::string& where) {
  if (!shape.is_array()) return Status::Corruption(where + "\"shape\" is not an array");
  std::vector<int64_t> dims;
  for (const json& d : shape) {
    if (!d.is_number_unsigned()) {
      return Status::Corruption(where + "\"shape\" holds " + d.dump() +
                                ", not a non-negative integer");
    }
    if (d.get<uint64_t>() > uint64_t{1} << 62) {
      return Status::Corruption(where + "\"shape\" holds " + d.dump() +
                                ", more than the limit of 2^62 (4611686018427387904)");
    }
    dims.push_back(static_cast<int64_t>(d.get<uint64_t>()));
  }
  return dims;
}

// Validates the entry of `name` in `h` and turns it into a SafetensorsTensorInfo.
Result<SafetensorsTensorInfo> ParseEntry(const Header& h, const std::string& path,
                                         const std::string& name, const json& e) {
  const std::string where = path + ": tensor " + Quote(name) + ": ";
  if (!e.is_object()) return Status::Corruption(where + "entry is not a JSON object");
  auto dtype = e.find("dtype");
  auto shape = e.find("shape");
  auto offsets = e.find("data_offsets");
  if (dtype == e.end() || !dtype->is_string() || shape == e.end() || offsets == e.end()) {
    return Status::Corruption(where +
                              "entry needs \"dtype\" (string), \"shape\", \"data_offsets\"");
  }
  SafetensorsTensorInfo info{path, name, dtype->get<std::string>(), {}, 0, 0};
  QUIVER_ASSIGN_OR_RETURN(info.shape, ParseShape(*shape, where));
  if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned()) {
    return Status::Corruption(where + "\"data_offsets\" must be [begin, end], found " +
                              offsets->dump());
  }
  const uint64_t begin = (*offsets)[0].get<uint64_t>();
  const uint64_t end = (*offsets)[1].get<uint64_t>();
  if (begin > end || end > h.data_length) {
    return Status::Corruption(where + "data_offsets [" + std::to_string(begin) + ", " +
                              std::to_string(end) + "] lie outside the data area of " +
                              std::to_string(h.data_length) + " bytes (truncated file?)");
  }
  info.offset = h.data_start + begin;
  info.bytes = end - begin;
  const uint64_t elem = DtypeSize(info.dtype);
  if (elem == 0) return info;  // unknown dtype: only the bounds can be checked
  uint64_t expected = elem;
  for (int64_t d : info.shape) {
    if (__builtin_mul_overflow(expected, static_cast<uint64_t>(d), &expected)) {
      return Status::Corruption(where + "shape " + ShapeString(info.shape) + " is too large");
    }
  }
  if (expected != info.bytes) {
    return Status::Corruption(where + "shape " + ShapeString(info.shape) + " of " + info.dtype +
                              " needs " + std::to_string(expected) + " bytes, data_offsets span " +
                              std::to_string(info.bytes));
  }
  return info;
}

// The data area must hold every tensor the header lists: a shorter file was truncated.
Status CheckExtent(const Header& h, const std::string& path) {
  uint64_t need = 0;
  for (auto it = h.entries.begin(); it != h.entries.end(); ++it) {
    if (it.key() == "__metadata__" || !it->is_object()) continue;
    auto offsets = it->find("data_offsets");
    if (offsets == it->end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[1].is_number_unsigned()) {
      continue;
    }
    need = std::max(need, (*offsets)[1].get<uint64_t>());
  }
  if (need > h.data_length) {
    return Status::Corruption(path + ": truncated: its tensors need " + std::to_string(need) +
                              " data bytes, the file has " + std::to_string(h.data_length));
  }
  return Status::OK();
}

// Finds `tensor` in the single file `path`; NotFound (listing the names) when absent.
Result<SafetensorsTensorInfo> FindInFile(const std::string& path, const std::string& tensor) {
  util::File file;
  QUIVER_RETURN_IF_ERROR(file.OpenRegular(path));
  QUIVER_ASSIGN_OR_RETURN(const Header h, ReadHeader(file, path));
  auto it = h.entries.find(tensor);
  if (tensor == "__metadata__" || it == h.entries.end()) {
    return Status::NotFound(path + ": no tensor " + Quote(tensor) + "; it has " +
                            NameList(h.entries));
  }
  QUIVER_ASSIGN_OR_RETURN(SafetensorsTensorInfo info, ParseEntry(h, path, tensor, *it));
  QUIVER_RETURN_IF_ERROR(CheckExtent(h, path));
  return info;
}

Result<std::string> ReadSmallFile(const std::string& path, uint64_t max_bytes) {
  util::File file;
  QUIVER_RETURN_IF_ERROR(file.OpenRegular(path));
  if (file.size() > max_bytes) {
    return Status::Corruption(path + ": " + std::to_string(file.size()) + " bytes, more than " +
                              std::to_string(max_bytes) + " expected");
  }
  std::string text(file.size(), '\0');
  QUIVER_RETURN_IF_ERROR(file.ReadAt(0, &text));
  return text;
}

// Finds `tensor` through a `*.safetensors.index.json` weight map.
Result<SafetensorsTensorInfo> FindThroughIndex(const std::string& index_path,
                                               const std::string& tensor) {
  QUIVER_ASSIGN_OR_RETURN(const std::string text, ReadSmallFile(index_path, kMaxIndexBytes));
  json index = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (index.is_discarded()) return Status::Corruption(index_path + ": malformed JSON");
  auto map = index.is_object() ? index.find("weight_map") : index.end();
  if (map == index.end() || !map->is_object()) {
    return Status::Corruption(index_path + ": no \"weight_map\" object");
  }
  auto shard = map->find(tensor);
  if (shard == map->end()) {
    return Status::NotFound(index_path + ": no tensor " + Quote(tensor) +
                            " in weight_map; it has " + NameList(*map));
  }
  if (!shard->is_string() || shard->get<std::string>().empty()) {
    return Status::Corruption(index_path + ": weight_map entry of " + Quote(tensor) +
                              " is not a file name");
  }
  const fs::path dir = fs::path(index_path).parent_path();
  Result<SafetensorsTensorInfo> info =
      FindInFile((dir / shard->get<std::string>()).string(), tensor);
  if (!info.ok() && info.status().IsNotFound()) {
    return Status::Corruption(index_path + ": weight_map puts " + Quote(tensor) + " in " +
                              shard->get<std::string>() + ", which lacks it (" +
                              info.status().message() + ")");
  }
  return info;
}

// Finds `tensor` in a directory: through its index, else in its *.safetensors files.
Result<SafetensorsTensorInfo> FindInDirectory(const std::string& dir, const std::string& tensor) {
  std::error_code ec;
  const fs::path index = fs::path(dir) / kIndexName;
  if (fs::exists(index, ec)) return FindThroughIndex(index.string(), tensor);
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".safetensors") files.push_back(it->path().string());
  }
  if (ec) return Status::IOError(dir + ": cannot list directory: " + ec.message());
  if (files.empty()) {
    return Status::NotFound(dir + ": no " + std::string(kIndexName) + " and no .safetensors files");
  }
  std::sort(files.begin(), files.end());
  Status first_miss;
  for (const std::string& f : files) {
    Result<SafetensorsTensorInfo> info = FindInFile(f, tensor);
    if (info.ok() || !info.status().IsNotFound()) return info;
    if (first_miss.ok()) first_miss = info.status();
  }
  return Status::NotFound(dir + ": no tensor " + Quote(tensor) + " in " +
                          std::to_string(files.size()) + " .safetensors file(s); " +
                          first_miss.message());
}

// Converts `n` little-endian elements of `dtype` at `src` to float.
void Convert(const std::string& dtype, const unsigned char* src, uint64_t n, float* out) {
  if (dtype == "F32") {
    std::memcpy(out, src, n * 4);
    if constexpr (std::endian::native == std::endian::big) {
      for (uint64_t i = 0; i < n; ++i) {
        out[i] = std::bit_cast<float>(__builtin_bswap32(std::bit_cast<uint32_t>(out[i])));
      }
    }
    return;
  }
  const bool half = dtype == "F16";
  for (uint64_t i = 0; i < n; ++i) {
    const uint16_t v = static_cast<uint16_t>(src[2 * i] | (src[2 * i + 1] << 8));
    out[i] = half ? HalfToFloat(v) : BFloat16ToFloat(v);
  }
}

// Adds every tensor of the single file `path` to `out`.
Status ReadAllInFile(const std::string& path, TensorMap* out) {
  util::File file;
  QUIVER_RETURN_IF_ERROR(file.OpenRegular(path));
  QUIVER_ASSIGN_OR_RETURN(const Header h, ReadHeader(file, path));
  QUIVER_RETURN_IF_ERROR(CheckExtent(h, path));
  for (auto it = h.entries.begin(); it != h.entries.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    QUIVER_ASSIGN_OR_RETURN(const SafetensorsTensorInfo info, ParseEntry(h, path, it.key(), *it));
    std::string name = info.name;
    for (std::string_view prefix : {"bert.", "roberta."}) {
      if (name.compare(0, prefix.size(), prefix) == 0) name.erase(0, prefix.size());
    }
    RawTensor t{info.dtype, info.shape, std::string(info.bytes, '\0')};
    QUIVER_RETURN_IF_ERROR(file.ReadAt(info.offset, &t.bytes));
    if (!out->emplace(name, std::move(t)).second) {
      return Status::Corruption(path + ": tensor " + Quote(name) + " appears twice (" +
                                Quote(info.name) + ")");
    }
  }
  return Status::OK();
}

// The shard files a `*.safetensors.index.json` names, in name order, without repeats.
Result<std::vector<std::string>> ShardsOfIndex(const std::string& index_path) {
  QUIVER_ASSIGN_OR_RETURN(const std::string text, ReadSmallFile(index_path, kMaxIndexBytes));
  json index = json::parse(text, nullptr, /*allow_exceptions=*/false);
  auto map = index.is_object() ? index.find("weight_map") : index.end();
  if (index.is_discarded() || map == index.end() || !map->is_object()) {
    return Status::Corruption(index_path + ": malformed JSON or no \"weight_map\" object");
  }
  std::vector<std::string> files;
  const fs::path dir = fs::path(index_path).parent_path();
  for (auto it = map->begin(); it != map->end(); ++it) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      return Status::Corruption(index_path + ": weight_map entry of " + Quote(it.key()) +
                                " is not a file name");
    }
    files.push_back((dir / it->get<std::string>()).string());
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

// The files ReadSafetensorsTensors reads for `path`.
Result<std::vector<std::string>> TensorFiles(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    if (util::EndsWith(path, kIndexSuffix)) return ShardsOfIndex(path);
    return std::vector<std::string>{path};
  }
  const fs::path index = fs::path(path) / kIndexName;
  if (fs::exists(index, ec)) return ShardsOfIndex(index.string());
  std::vector<std::string> files;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".safetensors") files.push_back(it->path().string());
  }
  if (ec) return Status::IOError(path + ": cannot list directory: " + ec.message());
  if (files.empty()) {
    return Status::NotFound(path + ": no " + std::string(kIndexName) +
                            " and no .safetensors files");
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Corruption naming the row and column of the first NaN or infinity in `m`: such a value
// would poison every vector embedded with its token.
Status CheckFinite(const EmbeddingMatrix& m, const std::string& where) {
  const auto bad =
      std::find_if(m.data.begin(), m.data.end(), [](float x) { return !std::isfinite(x); });
  if (bad == m.data.end()) return Status::OK();
  const auto at = static_cast<uint64_t>(bad - m.data.begin());
  const auto cols = static_cast<uint64_t>(m.cols);
  return Status::Corruption(where + "value at row " + std::to_string(at / cols) + ", column " +
                            std::to_string(at % cols) + " is not finite (" +
                            (std::isnan(*bad) ? "NaN"
                             : *bad > 0       ? "inf"
                                              : "-inf") +
                            ")");
}

}  // namespace

float HalfToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  const uint32_t mantissa = h & 0x3FFu;
  if (exponent == 0) {  // ±0 and subnormals: mantissa · 2^-24, exact in float
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13);  // ±inf, NaN with its payload
  } else {
    bits = sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
  }
  return std::bit_cast<float>(bits);
}

float BFloat16ToFloat(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

std::string EmbeddingShapeString(int64_t rows, int64_t cols) {
  return "Embedding(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return out + "]";
}

Result<SafetensorsTensorInfo> FindSafetensorsTensor(const std::string& path,
                                                    std::string_view tensor) {
  try {
    const std::string name(tensor);
    std::error_code ec;
    if (fs::is_directory(path, ec)) return FindInDirectory(path, name);
    if (util::EndsWith(path, kIndexSuffix)) return FindThroughIndex(path, name);
    return FindInFile(path, name);
  } catch (const std::exception& e) {  // nlohmann or filesystem; not expected
    return Status::Corruption(path + ": " + e.what());
  }
}

Result<TensorMap> ReadSafetensorsTensors(const std::string& path) {
  try {
    QUIVER_ASSIGN_OR_RETURN(const std::vector<std::string> files, TensorFiles(path));
    TensorMap out;
    for (const std::string& f : files) QUIVER_RETURN_IF_ERROR(ReadAllInFile(f, &out));
    return out;
  } catch (const std::exception& e) {  // nlohmann, filesystem or allocation; not expected
    return Status::Corruption(path + ": " + e.what());
  }
}

Result<EmbeddingMatrix> ReadSafetensorsEmbedding(const std::string& path, std::string_view tensor) {
  QUIVER_ASSIGN_OR_RETURN(const SafetensorsTensorInfo info, FindSafetensorsTensor(path, tensor));
  const std::string where = info.file + ": tensor " + Quote(info.name) + ": ";
  if (info.dtype != "F32" && info.dtype != "F16" && info.dtype != "BF16") {
    return Status::NotSupported(where + "dtype " + info.dtype + " (shape " +
                                ShapeString(info.shape) + "); expected F32, F16 or BF16");
  }
  if (info.shape.size() != 2) {
    return Status::NotSupported(where + "shape " + ShapeString(info.shape) + " (" + info.dtype +
                                ") has rank " + std::to_string(info.shape.size()) +
                                "; an embedding table is 2-D");
  }
  if (info.bytes == 0) return Status::InvalidArgument(where + "tensor has no elements");
  util::File file;
  QUIVER_RETURN_IF_ERROR(file.OpenRegular(info.file));
  if (info.offset + info.bytes > file.size()) {  // the file changed since its header was read
    return Status::Corruption(where + "data extends beyond the end of the file");
  }
  util::FileMapping map;
  QUIVER_RETURN_IF_ERROR(map.Map(file, info.offset, info.bytes));
  EmbeddingMatrix m;
  m.rows = info.shape[0];
  m.cols = info.shape[1];
  const uint64_t n = static_cast<uint64_t>(m.rows) * static_cast<uint64_t>(m.cols);
  try {
    m.data.resize(n);
  } catch (const std::bad_alloc&) {
    return Status::InvalidArgument(where + "not enough memory for " + std::to_string(n) +
                                   " floats");
  }
  Convert(info.dtype, map.data(), n, m.data.data());
  QUIVER_RETURN_IF_ERROR(CheckFinite(m, where));
  return m;
}

}  // namespace quiver::embed
