#include "cli/vector_files.h"

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "quiver/limits.h"

namespace quiver::cli {
namespace {

Status Bad(const std::string& path, const std::string& message) {
  return Status::InvalidArgument(path + ": " + message);
}

uint32_t ReadU32(std::string_view bytes, size_t at) {
  uint32_t v;
  std::memcpy(&v, bytes.data() + at, 4);
  return v;  // the machines quiver runs on are little-endian, as the formats are
}

Status AddVector(const std::string& where, const std::vector<float>& vector, VectorFile* file) {
  if (vector.empty()) return Status::InvalidArgument(where + ": expected a non-empty vector");
  if (file->count > 0 && vector.size() != file->dimension) {
    return Status::InvalidArgument(where + ": expected " + std::to_string(file->dimension) +
                                   " numbers like the first vector; found " +
                                   std::to_string(vector.size()));
  }
  file->dimension = vector.size();
  file->values.insert(file->values.end(), vector.begin(), vector.end());
  ++file->count;
  return Status::OK();
}

Result<VectorFile> ParseFvecs(const std::string& path, std::string_view bytes) {
  VectorFile file;
  const std::string expected =
      "expected fvecs records (an int32 dimension, then that many "
      "float32); ";
  for (size_t at = 0; at < bytes.size();) {
    if (bytes.size() - at < 4) {
      return Bad(path, expected + "found a truncated record at byte " + std::to_string(at));
    }
    const uint32_t d = ReadU32(bytes, at);
    if (d == 0 || d > (1u << 20)) {
      return Bad(path, expected + "found dimension " + std::to_string(int32_t(d)) + " at byte " +
                           std::to_string(at));
    }
    if ((bytes.size() - at - 4) / 4 < d) {
      return Bad(path, expected + "found a truncated record at byte " + std::to_string(at));
    }
    std::vector<float> vector(d);
    std::memcpy(vector.data(), bytes.data() + at + 4, size_t{d} * 4);
    QUIVER_RETURN_IF_ERROR(
        AddVector(path + ": vector " + std::to_string(file.count), vector, &file));
    at += 4 + size_t{d} * 4;
  }
  return file;
}

// The value of 'key' in a .npy header dict, as written ("'<f4'", "False", "(3, 4)").
std::string NpyField(const std::string& header, const std::string& key) {
  const size_t at = header.find("'" + key + "'");
  if (at == std::string::npos) return "";
  size_t begin = header.find(':', at);
  if (begin == std::string::npos) return "";
  begin = header.find_first_not_of(' ', begin + 1);
  if (begin == std::string::npos) return "";
  const size_t end =
      header[begin] == '(' ? header.find(')', begin) + 1 : header.find_first_of(",}", begin);
  return header.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

Result<VectorFile> ParseNpy(const std::string& path, std::string_view bytes) {
  const std::string expected = "expected a .npy file of float32 ('<f4'), 2-D, C order; ";
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY") {
    return Bad(path, expected + "found no NumPy magic");
  }
  const int major = static_cast<unsigned char>(bytes[6]);
  const size_t lead = major == 1 ? 10 : 12;
  if (bytes.size() < lead) return Bad(path, expected + "found a truncated header");
  const size_t header_len =
      major == 1
          ? (static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8)
          : ReadU32(bytes, 8);
  if (bytes.size() < lead + header_len) return Bad(path, expected + "found a truncated header");
  const std::string header(bytes.substr(lead, header_len));
  const std::string descr = NpyField(header, "descr");
  if (descr != "'<f4'" && descr != "'=f4'") return Bad(path, expected + "found dtype " + descr);
  const std::string order = NpyField(header, "fortran_order");
  if (order != "False") return Bad(path, expected + "found fortran_order " + order);
  const std::string shape = NpyField(header, "shape");
  size_t n = 0, d = 0;
  char comma = 0, close = 0;
  std::istringstream in(shape.size() > 1 ? shape.substr(1) : "");
  if (!(in >> n >> comma >> d >> close) || comma != ',' || close != ')') {
    return Bad(path, expected + "found shape " + shape);
  }
  if (d == 0) return Bad(path, expected + "found shape " + shape);
  const std::string_view data = bytes.substr(lead + header_len);
  if (data.size() != n * d * 4) {
    return Bad(path, expected + "found " + std::to_string(data.size()) + " data bytes for shape " +
                         shape + " (" + std::to_string(n * d * 4) + " expected)");
  }
  VectorFile file{n, d, std::vector<float>(n * d)};
  if (!data.empty()) std::memcpy(file.values.data(), data.data(), data.size());
  return file;
}

Result<VectorFile> ParseJsonl(const std::string& path, std::string_view bytes) {
  VectorFile file;
  size_t number = 0;
  for (size_t at = 0; at < bytes.size();) {
    size_t end = bytes.find('\n', at);
    if (end == std::string_view::npos) end = bytes.size();
    const std::string_view line = bytes.substr(at, end - at);
    at = end + 1;
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = path + ":" + std::to_string(number);
    if (line.size() > kMaxLineBytes) {
      return Status::InvalidArgument(where + ": " + LineTooLongMessage());
    }
    if (Status depth = CheckJsonDepth(line); !depth.ok()) {
      return Status::InvalidArgument(where + ": " + depth.message());
    }
    nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    if (json.is_object() && json.contains("vector")) json = json["vector"];
    std::vector<float> vector;
    bool ok = json.is_array();
    for (const auto& x : json) {
      if (!x.is_number()) ok = false;
      if (!ok) break;
      vector.push_back(x.get<float>());
    }
    if (!ok) {
      return Status::InvalidArgument(where + ": expected [numbers] or {\"vector\": [numbers]}");
    }
    QUIVER_RETURN_IF_ERROR(AddVector(where, vector, &file));
  }
  return file;
}

}  // namespace

Result<VectorFile> ParseVectorFile(const std::string& path, std::string_view bytes) {
  Result<VectorFile> file = path.ends_with(".fvecs") ? ParseFvecs(path, bytes)
                            : path.ends_with(".npy") ? ParseNpy(path, bytes)
                                                     : ParseJsonl(path, bytes);
  if (file.ok() && file->count == 0) return Bad(path, "expected query vectors; found none");
  return file;
}

Result<VectorFile> ReadVectorFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open vector file " + path + ": " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad())
    return Status::IOError("cannot read vector file " + path + ": " + std::strerror(errno));
  return ParseVectorFile(path, bytes.str());
}

}  // namespace quiver::cli
