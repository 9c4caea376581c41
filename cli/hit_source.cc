#include "cli/hit_source.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

namespace quiver::cli {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// 1-based line of byte `offset`, given the sorted newline offsets.
uint64_t LineOf(const std::vector<uint64_t>& newlines, uint64_t offset) {
  return 1 + (std::lower_bound(newlines.begin(), newlines.end(), offset) - newlines.begin());
}

}  // namespace

const std::optional<std::vector<uint64_t>>& HitSourceLabeler::Newlines(const std::string& path,
                                                                       int64_t mtime,
                                                                       uint64_t end) {
  auto found = newlines_.find(path);
  if (found != newlines_.end()) return found->second;
  std::optional<std::vector<uint64_t>>& out = newlines_[path];
  struct stat st {};
  if (!(EndsWith(path, ".txt") || EndsWith(path, ".md")) || ::stat(path.c_str(), &st) != 0 ||
      static_cast<int64_t>(st.st_mtim.tv_sec) != mtime || static_cast<uint64_t>(st.st_size) < end) {
    return out;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return out;
  std::vector<uint64_t> offsets;
  char buffer[1 << 16];
  uint64_t at = 0;
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    const std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      if (buffer[i] == '\n') offsets.push_back(at + i);
    }
    at += n;
  }
  out = std::move(offsets);
  return out;
}

std::string HitSourceLabeler::Label(const Hit& hit) {
  const SourceRef& source = hit.source;
  const std::string chunk_suffix = "#" + std::to_string(source.chunk);
  if (source.path.empty() || hit.id != source.path + chunk_suffix) return hit.id;
  const auto meta = nlohmann::json::parse(hit.metadata, nullptr, false);
  std::string name = source.path;
  int64_t mtime = -1;
  if (meta.is_object()) {
    if (meta.contains("relpath") && meta["relpath"].is_string())
      name = meta["relpath"].get<std::string>();
    if (meta.contains("mtime") && meta["mtime"].is_number_integer())
      mtime = meta["mtime"].get<int64_t>();
  }
  const auto& newlines = Newlines(source.path, mtime, source.end);
  if (!newlines.has_value() || source.end <= source.begin) return name + chunk_suffix;
  // The lines of the chunk's words: white space at its ends (when the text is at hand) left out.
  uint64_t begin = source.begin, end = source.end;
  if (hit.text.size() == end - begin) {
    const size_t lead = hit.text.find_first_not_of(" \t\r\n\f\v");
    const size_t trail = hit.text.find_last_not_of(" \t\r\n\f\v");
    if (lead != std::string::npos) {
      begin += lead;
      end = source.begin + trail + 1;
    }
  }
  const uint64_t first = LineOf(*newlines, begin);
  const uint64_t last = LineOf(*newlines, end - 1);
  return name + ":" + std::to_string(first) + (last > first ? "-" + std::to_string(last) : "");
}

}  // namespace quiver::cli
