#include "index/training_format.h"

#include <cstring>

#include "index/vector_index.h"
#include "util/crc32c.h"

namespace quiver::index {
namespace {

constexpr std::string_view kMagic = "QVTR";

template <typename T>
void Append(std::string* out, T value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(value));  // little-endian hosts
}

// Reads fixed-size fields off the front of a byte view; each read checks what is left.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  template <typename T>
  bool Read(T* value) {
    if (rest_.size() < sizeof(T)) return false;
    std::memcpy(value, rest_.data(), sizeof(T));
    rest_.remove_prefix(sizeof(T));
    return true;
  }
  bool Take(uint64_t size, std::string_view* out) {
    if (rest_.size() < size) return false;
    *out = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }
  size_t left() const { return rest_.size(); }

 private:
  std::string_view rest_;
};

std::string Describe(std::string_view spec, uint32_t dimension, uint32_t metric) {
  const std::string_view metric_name = metric <= static_cast<uint32_t>(Metric::kL2)
                                           ? MetricName(static_cast<Metric>(metric))
                                           : std::string_view("unknown");
  return "spec '" + std::string(spec) + "', dimension " + std::to_string(dimension) + ", metric " +
         std::string(metric_name);
}

}  // namespace

std::string EncodeTraining(const IndexConfig& config, std::string_view faiss_bytes) {
  std::string out(kMagic);
  Append<uint8_t>(&out, kTrainingFormatVersion);
  Append<uint32_t>(&out, static_cast<uint32_t>(config.metric));
  Append<uint32_t>(&out, static_cast<uint32_t>(config.dimension));
  Append<uint32_t>(&out, static_cast<uint32_t>(config.spec.size()));
  out += config.spec;
  Append<uint64_t>(&out, faiss_bytes.size());
  out += faiss_bytes;
  Append<uint32_t>(&out, util::Crc32c(0, out.data(), out.size()));
  return out;
}

Result<std::string_view> DecodeTraining(const IndexConfig& config, std::string_view training) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(
        "expected an index training (made by training a quiver "
        "index); found " +
        std::to_string(training.size()) + " bytes with " + why);
  };
  if (training.size() < kMagic.size() + 1 + 4 || training.substr(0, kMagic.size()) != kMagic) {
    return bad("no training header");
  }
  const std::string_view body = training.substr(0, training.size() - 4);
  uint32_t stored_crc = 0;
  std::memcpy(&stored_crc, training.data() + body.size(), 4);
  if (util::Crc32c(0, body.data(), body.size()) != stored_crc) return bad("a wrong checksum");
  Reader reader(body.substr(kMagic.size()));
  uint8_t version = 0;
  uint32_t metric = 0, dimension = 0, spec_size = 0;
  uint64_t faiss_size = 0;
  std::string_view spec, faiss_bytes;
  if (!reader.Read(&version) || version != kTrainingFormatVersion) {
    return bad("format version " + std::to_string(version) + " (this quiver reads " +
               std::to_string(kTrainingFormatVersion) + ")");
  }
  if (!reader.Read(&metric) || !reader.Read(&dimension) || !reader.Read(&spec_size) ||
      !reader.Take(spec_size, &spec) || !reader.Read(&faiss_size) ||
      !reader.Take(faiss_size, &faiss_bytes) || reader.left() != 0) {
    return bad("sizes that do not match its length");
  }
  if (spec != config.spec || dimension != static_cast<uint32_t>(config.dimension) ||
      metric != static_cast<uint32_t>(config.metric)) {
    return Status::InvalidArgument(
        "expected an index training for " +
        Describe(config.spec, config.dimension, static_cast<uint32_t>(config.metric)) +
        "; found one for " + Describe(spec, dimension, metric));
  }
  return faiss_bytes;
}

}  // namespace quiver::index
