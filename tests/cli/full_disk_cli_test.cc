// Regression tests of issue 14's defects 2 and 3, on a real full disk: a small tmpfs
// mounted for the test (skipped where mounting is not allowed, e.g. without root).
//
// Defect 2, "full disk aborts the process": `add` of a file larger than the disk died with
// SIGABRT (RocksDB's `sync_without_flush_called_` assertion, reached through its info LOG
// writer after a failed write), and every later read-write open aborted the same way until
// space was freed.
// Defect 3, "a report that lies": on ENOSPC while serializing the index checkpoint, `add`
// exited 2 ("bad input") and said 49000 records were written while 50000 were stored.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <regex>
#include <string>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;

// A tmpfs mounted on a directory for the life of the object.
class Tmpfs {
 public:
  // Mounts a tmpfs of `size` (mount's syntax: "8m") on `dir`; false when not permitted.
  bool Mount(const std::string& dir, const std::string& size) {
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) return false;
    dir_ = dir;
    return true;
  }
  // Gives the mounted tmpfs a new size: "space is back".
  bool Resize(const std::string& size) {
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
  }
  ~Tmpfs() {
    if (!dir_.empty()) ::umount2(dir_.c_str(), MNT_DETACH);
  }

 private:
  std::string dir_;
};

// The count in add's "quiver add: N records from FILE are stored" line; -1 when absent.
long long StoredCount(const std::string& err) {
  std::smatch match;
  if (!std::regex_search(err, match, std::regex("quiver add: (\\d+) records from .* are stored"))) {
    return -1;
  }
  return std::stoll(match[1]);
}

// The count in verify's "ok: N records" line; -1 when absent.
long long VerifiedCount(const std::string& out) {
  std::smatch match;
  if (!std::regex_search(out, match, std::regex("ok: (\\d+) records"))) return -1;
  return std::stoll(match[1]);
}

// `n` records of dimension `dim` with texts of about `text_bytes` bytes.
void WriteRecords(const std::string& path, int n, int dim, size_t text_bytes) {
  const std::vector<float> vectors = test::RandomVectors(n, dim, 14);
  std::string lines;
  for (int i = 0; i < n; ++i) {
    std::string text;
    while (text.size() < text_bytes)
      text += "word" + std::to_string((i * 7 + text.size()) % 997) + " ";
    lines += test::JsonLine("doc-" + std::to_string(i),
                            {vectors.begin() + i * dim, vectors.begin() + (i + 1) * dim}, text);
    lines += "\n";
  }
  test::WriteFile(path, lines);
}

TEST(FullDiskCliTest, Issue14Defect2FullDiskAbortsTheProcess) {
  test::TempDir dir;
  const std::string disk = dir.Sub("disk");
  fs::create_directories(disk);
  Tmpfs tmpfs;
  if (!tmpfs.Mount(disk, "8m")) GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
  const std::string db = disk + "/db";
  const std::string input = dir.Sub("big.jsonl");
  WriteRecords(input, 12000, 16, 600);  // ~8 MB of text alone: more than the disk holds
  ASSERT_EQ(test::RunCli({"create", db, "--dim", "16"}).exit_code, 0);

  auto add = test::RunCli({"add", db, input, "--batch-size", "500"});
  EXPECT_EQ(add.exit_code, 1) << add.err;  // an I/O error, not SIGABRT (134) nor bad input
  EXPECT_NE(add.err.find("No space left on device"), std::string::npos) << add.err;
  EXPECT_EQ(add.err.find("Assertion"), std::string::npos) << add.err;
  const long long stored = StoredCount(add.err);
  EXPECT_GE(stored, 0) << add.err;

  // A read-write open of the full disk reports, never aborts.
  auto stats = test::RunCli({"stats", db});
  EXPECT_TRUE(stats.exit_code == 0 || stats.exit_code == 1) << stats.exit_code << stats.err;
  EXPECT_EQ(stats.err.find("Assertion"), std::string::npos) << stats.err;

  // Space back: a normal open, a consistent database holding exactly what add reported.
  ASSERT_TRUE(tmpfs.Resize("96m"));
  auto verify = test::RunCli({"verify", db});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(VerifiedCount(verify.out), stored) << verify.out;
  auto again = test::RunCli({"add", db, input, "--batch-size", "2000"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  verify = test::RunCli({"verify", db});
  EXPECT_EQ(VerifiedCount(verify.out), 12000) << verify.out << verify.err;
}

TEST(FullDiskCliTest, Issue14Defect3AReportThatLies) {
  test::TempDir dir;
  const std::string db = dir.Sub("db");
  ASSERT_EQ(test::RunCli({"create", db, "--dim", "8"}).exit_code, 0);
  // The index checkpoints get a disk of their own, too small for 50000 vectors: the
  // checkpoint add makes after its 50th batch (checkpoint_interval 50000) fails mid-way.
  Tmpfs tmpfs;
  if (!tmpfs.Mount(db + "/index", "256k")) {
    GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
  }
  const std::string input = dir.Sub("records.jsonl");
  WriteRecords(input, 50500, 8, 0);

  auto add = test::RunCli({"add", db, input, "--batch-size", "1000"});
  EXPECT_EQ(add.exit_code, 1) << add.err;  // I/O, not 2 ("bad input")
  EXPECT_NE(add.err.find("No space left on device"), std::string::npos) << add.err;
  EXPECT_NE(add.err.find("checkpoint"), std::string::npos) << add.err;
  EXPECT_EQ(StoredCount(add.err), 50000) << add.err;  // the 50th batch is stored

  ASSERT_TRUE(tmpfs.Resize("16m"));
  auto verify = test::RunCli({"verify", db});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_EQ(VerifiedCount(verify.out), 50000) << verify.out;
}

}  // namespace
}  // namespace quiver
