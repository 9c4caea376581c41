// Where things live inside a database directory:
//   DB/store/               RocksDB (source of truth)
//   DB/index/checkpoint.qvi FAISS checkpoint (a cache of the store)
//   DB/index/lexical.qvl    full-text index checkpoint (a cache of the store)
#ifndef QUIVER_ENGINE_LAYOUT_H_
#define QUIVER_ENGINE_LAYOUT_H_

#include <cstdint>
#include <string>

#include "quiver/options.h"
#include "quiver/status.h"

namespace quiver::engine {

struct Layout {
  std::string root;
  std::string store_dir() const { return root + "/store"; }
  std::string index_dir() const { return root + "/index"; }
  std::string checkpoint_path() const { return index_dir() + "/checkpoint.qvi"; }
  std::string lexical_checkpoint_path() const { return index_dir() + "/lexical.qvl"; }
};

// Decides whether `options` asks to open an existing database or to create one at `root`.
// Sets *create accordingly. InvalidArgument when the directory is not a quiver database (a
// file, or files but no store/) or exists when it must not; NotFound when it does not exist
// and may not be created; Corruption when store/ has files but no CURRENT. Creates no files.
Status CheckLayout(const Layout& layout, const Options& options, bool* create);

// Creates index/ when it is missing (a new database, or one whose index/ was removed: its
// checkpoints are caches, rebuilt from the store). IOError when it cannot be created.
Status EnsureIndexDirectory(const Layout& layout);

// Bytes used by every file under the database directory.
uint64_t DiskBytes(const Layout& layout);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_LAYOUT_H_
