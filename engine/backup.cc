// DBImpl::Backup: a copy of the store and of the index checkpoints that go with it.
//
// Consistency: commits and checkpoints run only under write_mu_, so while Backup holds it
// the store and the on-disk checkpoints are a matching pair: the checkpoints cover some
// sequence S, and the store's operation log holds every write after S. The copy therefore
// opens like the source would have at this moment: checkpoints loaded, the log after S
// replayed. write_mu_ is held only for RocksDB's checkpoint (a memtable flush and hard
// links) and the links of the two checkpoint files; readers never wait.
#include <chrono>
#include <filesystem>
#include <vector>

#include "engine/db_impl.h"
#include "util/clock.h"
#include "util/file_reader.h"
#include "util/file_writer.h"

namespace quiver::engine {
namespace {

namespace fs = std::filesystem;

// Hard-links `from` as `to`; copies it (and fsyncs the copy) where a link is impossible,
// e.g. across file systems. Checkpoint files are replaced by rename, never rewritten in
// place, so a link keeps the bytes it was made with.
Status LinkOrCopy(const std::string& from, const std::string& to, util::FaultInjector* faults) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec) return Status::OK();
  util::File in;
  QUIVER_RETURN_IF_ERROR(in.Open(from));
  util::FileWriter out(faults);
  QUIVER_RETURN_IF_ERROR(out.Create(to));
  std::vector<char> buffer(size_t{1} << 20);
  for (;;) {
    QUIVER_ASSIGN_OR_RETURN(const size_t got, in.Read(buffer.data(), buffer.size()));
    if (got == 0) break;
    QUIVER_RETURN_IF_ERROR(out.Append(buffer.data(), got));
  }
  QUIVER_RETURN_IF_ERROR(out.Sync());
  return out.Close();
}

}  // namespace

Result<BackupSummary> DBImpl::Backup(const std::string& dest) {
  const auto start = std::chrono::steady_clock::now();
  QUIVER_RETURN_IF_ERROR(CheckWritable());
  if (dest.empty()) return Status::InvalidArgument("no backup directory given");
  std::error_code ec;
  if (fs::exists(dest, ec)) {
    return Status::InvalidArgument("cannot back up into " + dest + ": it exists");
  }
  const Layout copy{dest + ".partial"};
  fs::remove_all(copy.root, ec);  // what an interrupted backup left
  if (!fs::create_directories(copy.index_dir(), ec)) {
    return Status::IOError("cannot create " + copy.index_dir() + ": " + ec.message());
  }
  util::FaultInjector* faults = nullptr;
  BackupSummary summary;
  Status s;
  {
    util::MutexLock write(&write_mu_);
    s = CheckWritable();  // Close may have run meanwhile
    if (s.ok()) faults = store_->faults();
    if (s.ok()) s = store_->Backup(copy.store_dir());
    for (const auto& [from, to] :
         {std::pair(layout_.checkpoint_path(), copy.checkpoint_path()),
          std::pair(layout_.lexical_checkpoint_path(), copy.lexical_checkpoint_path())}) {
      if (s.ok() && fs::exists(from, ec)) s = LinkOrCopy(from, to, faults);
    }
    util::ReaderLock read(&state_mu_);
    summary.sequence = counters_.last_sequence;
    summary.records = counters_.record_count;
  }
  if (s.ok()) s = util::SyncDirectory(copy.index_dir(), faults);
  if (s.ok()) s = util::SyncDirectory(copy.root, faults);
  if (s.ok()) s = util::RenameFile(copy.root, dest, faults);
  if (!s.ok()) {
    fs::remove_all(copy.root, ec);
    return s.WithContext("backing up " + layout_.root + " to " + dest);
  }
  const std::string parent = fs::absolute(dest, ec).parent_path().string();
  QUIVER_RETURN_IF_ERROR(util::SyncDirectory(parent.empty() ? "." : parent, faults));
  summary.seconds = util::SecondsSince(start);
  return summary;
}

}  // namespace quiver::engine
