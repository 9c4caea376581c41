#include "engine/layout.h"

#include <filesystem>

namespace quiver::engine {

namespace fs = std::filesystem;

Status CheckLayout(const Layout& layout, const Options& options, bool* create) {
  std::error_code ec;
  const fs::path root(layout.root);
  const bool exists = fs::exists(root, ec);
  if (exists && !fs::is_directory(root, ec)) {
    return Status::InvalidArgument(layout.root + " is not a quiver database: it is a file");
  }
  const bool has_store = exists && fs::exists(fs::path(layout.store_dir()) / "CURRENT", ec);
  if (!has_store && exists && fs::is_directory(layout.store_dir(), ec) &&
      !fs::is_empty(layout.store_dir(), ec)) {
    return Status::Corruption(layout.root +
                              ": the store is damaged: store/ has files but no CURRENT file "
                              "(restore the database from a backup)");
  }
  if (has_store) {
    if (options.error_if_exists) {
      return Status::InvalidArgument("database " + layout.root + " already exists");
    }
    *create = false;
    return Status::OK();
  }
  if (exists && !fs::is_empty(root, ec)) {
    return Status::InvalidArgument(layout.root +
                                   " is not a quiver database (it has files but no store/)");
  }
  if (!options.create_if_missing || options.read_only) {
    return Status::NotFound("no database at " + layout.root +
                            " (create one with `quiver create` or Options::create_if_missing)");
  }
  *create = true;
  return Status::OK();
}

Status EnsureIndexDirectory(const Layout& layout) {
  std::error_code ec;
  if (!fs::create_directories(layout.index_dir(), ec) && ec) {
    return Status::IOError("cannot create " + layout.index_dir() + ": " + ec.message());
  }
  return Status::OK();
}

uint64_t DiskBytes(const Layout& layout) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(layout.root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      uint64_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

}  // namespace quiver::engine
