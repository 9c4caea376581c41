// `quiver ingest` as a user meets it: which files of a directory are read (by content, not
// name) and how every file is accounted for, a first ingest that fails leaving nothing behind,
// the progress display (on a terminal only), and Ctrl-C.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

namespace fs = std::filesystem;
using test::RunCli;

// The quiver CLI running in the background, its stdout and stderr read as one stream from a
// pipe or, with `terminal`, from a pseudo-terminal.
class BackgroundCli {
 public:
  BackgroundCli(const std::vector<std::string>& args, bool terminal) {
    std::vector<std::string> argv_storage = {QUIVER_CLI_PATH};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (terminal) {
      struct winsize size {};
      size.ws_col = 200;
      size.ws_row = 24;
      pid_ = ::forkpty(&fd_, nullptr, nullptr, &size);
      if (pid_ == 0) {
        ::execv(argv[0], argv.data());
        ::_exit(127);
      }
      return;
    }
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(pipe_fds[1], STDOUT_FILENO);
      ::dup2(pipe_fds[1], STDERR_FILENO);
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(pipe_fds[1]);
    fd_ = pipe_fds[0];
  }
  ~BackgroundCli() {
    if (pid_ > 0) Wait();
  }

  // Reads output until it holds `text` (true) or ends (false).
  bool WaitFor(const std::string& text) {
    while (output_.find(text) == std::string::npos) {
      if (!ReadSome()) return false;
    }
    return true;
  }
  void Interrupt() { ::kill(pid_, SIGINT); }
  // Reads the rest of the output and returns the exit code (128 + signal when killed).
  int Wait() {
    while (ReadSome()) {
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    ::close(fd_);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  const std::string& output() const { return output_; }

 private:
  bool ReadSome() {
    char buffer[4096];
    const ssize_t n = ::read(fd_, buffer, sizeof(buffer));
    if (n <= 0) return false;  // end of a pipe, or EIO once a terminal's child is gone
    output_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
};

// Lines of words about two topics, `lines` of them, different for each `seed`.
std::string Prose(int seed, int lines) {
  const std::vector<std::vector<std::string>> topics = {
      {"licence", "copyright", "warranty", "software", "permission", "notice", "source", "code"},
      {"red", "blue", "green", "yellow", "purple", "orange", "pink", "brown"}};
  std::string text;
  uint64_t state = 17 + seed;
  for (int line = 0; line < lines; ++line) {
    const auto& words = topics[(line + seed) % 2];
    for (int w = 0; w < 8; ++w) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      text += words[(state >> 33) % words.size()] + (w < 7 ? " " : ".\n");
    }
  }
  return text;
}

// The options that let a tiny collection train a model quickly.
std::vector<std::string> SmallModel(std::vector<std::string> args) {
  for (const char* a : {"--dim", "8", "--vocab", "300"}) args.push_back(a);
  return args;
}

void Gzip(const std::string& path) {
  ASSERT_EQ(std::system(("gzip -n -f '" + path + "'").c_str()), 0);
}

class IngestExperienceCliTest : public ::testing::Test {
 protected:
  test::TempDir dir_;
  std::string db_ = dir_.Sub("db");
  std::string docs_ = dir_.Sub("docs");
};

TEST_F(IngestExperienceCliTest, DirectoryIsReadByContentAndEveryFileAccountedFor) {
  test::WriteFile(docs_ + "/README", Prose(1, 200));
  test::WriteFile(docs_ + "/NEWS", Prose(2, 100));
  test::WriteFile(docs_ + "/guide.rst", "Guide\n=====\n\n" + Prose(3, 100));
  test::WriteFile(docs_ + "/changelog", Prose(4, 100));
  Gzip(docs_ + "/changelog");
  test::WriteFile(docs_ + "/tool.c", "/* " + Prose(5, 20) + " */\nint main(void) { return 0; }\n");
  test::WriteFile(docs_ + "/data.bin", std::string("\x01\x02\0\x03 binary", 11));
  test::WriteFile(docs_ + "/logo.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  test::WriteFile(docs_ + "/.hidden", Prose(6, 10));
  auto run = RunCli(SmallModel({"ingest", db_, docs_, "--verbose"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("ingested 8 file(s): 5 new, 0 replaced, 0 unchanged, 3 skipped"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("skipped " + docs_ + "/logo.png: looks binary (a PNG image)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("skipped " + docs_ + "/data.bin: looks binary (a NUL byte at offset 2)"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("skipped " + docs_ + "/.hidden: hidden file"), std::string::npos)
      << run.out;
  // The text files are searchable, the compressed changelog and the source file included.
  auto sources = RunCli({"ls", db_, "--sources"});
  ASSERT_EQ(sources.exit_code, 0) << sources.err;
  for (const char* name : {"README", "NEWS", "guide.rst", "changelog.gz", "tool.c"}) {
    EXPECT_NE(sources.out.find(name), std::string::npos) << name << "\n" << sources.out;
  }
  // Without --verbose the skipped files are counted and the flag named.
  auto again = RunCli({"ingest", db_, docs_});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("ingested 8 file(s): 0 new, 0 replaced, 5 unchanged, 3 skipped"),
            std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find("--verbose lists the skipped files"), std::string::npos);
  EXPECT_EQ(again.out.find("logo.png"), std::string::npos);
}

TEST_F(IngestExperienceCliTest, LicenceDirectoryWithoutExtensionsIngests) {
  // Like /usr/share/common-licenses: plain text files without extensions, and a link.
  test::WriteFile(docs_ + "/Apache-2.0", Prose(7, 150));
  test::WriteFile(docs_ + "/GPL-3", Prose(8, 150));
  test::WriteFile(docs_ + "/BSD", Prose(9, 40));
  fs::create_symlink(docs_ + "/GPL-3", docs_ + "/GPL");
  auto run = RunCli(SmallModel({"ingest", db_, docs_}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("ingested 4 file(s): 4 new"), std::string::npos) << run.out;
  auto query = RunCli({"query", db_, "warranty", "--mode", "bm25"});
  ASSERT_EQ(query.exit_code, 0) << query.err;
  EXPECT_NE(query.out.find("Apache-2.0"), std::string::npos) << query.out;
}

TEST_F(IngestExperienceCliTest, FailedFirstIngestLeavesNoDatabase) {
  test::WriteFile(docs_ + "/logo.png", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  auto nothing = RunCli(SmallModel({"ingest", db_, docs_}));
  EXPECT_EQ(nothing.exit_code, 2) << nothing.err;
  EXPECT_NE(nothing.err.find("found no text file: 1 file(s) skipped"), std::string::npos)
      << nothing.err;
  EXPECT_FALSE(fs::exists(db_));

  test::WriteFile(docs_ + "/notes.txt", Prose(10, 200));
  test::WriteFile(docs_ + "/records.jsonl", "{\"text\": \"fine\"}\nnot json\n");
  auto bad = RunCli(SmallModel({"ingest", db_, docs_}));
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("records.jsonl:2"), std::string::npos) << bad.err;
  EXPECT_FALSE(fs::exists(db_)) << "a failed first ingest removes the database it created";

  // An existing database is kept whatever happens.
  fs::remove(docs_ + "/records.jsonl");
  ASSERT_EQ(RunCli(SmallModel({"ingest", db_, docs_})).exit_code, 0);
  test::WriteFile(docs_ + "/records.jsonl", "not json\n");
  EXPECT_EQ(RunCli({"ingest", db_, docs_}).exit_code, 2);
  EXPECT_TRUE(fs::exists(db_));
  EXPECT_EQ(RunCli({"verify", db_}).exit_code, 0);
}

TEST_F(IngestExperienceCliTest, ProgressIsDrawnOnATerminalOnly) {
  for (int f = 0; f < 20; ++f)
    test::WriteFile(docs_ + "/doc" + std::to_string(f) + ".txt", Prose(f, 60));
  BackgroundCli terminal(SmallModel({"ingest", db_, docs_}), /*terminal=*/true);
  ASSERT_EQ(terminal.Wait(), 0) << terminal.output();
  const std::string& shown = terminal.output();
  for (const char* label :
       {"training the tokenizer [", "training the embedding model [", "reading ["}) {
    EXPECT_NE(shown.find(label), std::string::npos) << label << " in\n" << shown;
  }
  EXPECT_NE(shown.find("\r\033[K"), std::string::npos) << "the display is erased at the end";
  EXPECT_EQ(shown.find("(0/s)"), std::string::npos);
  // The display's total is the summary's size.
  const size_t mb = shown.find(" MB in ");
  ASSERT_NE(mb, std::string::npos) << shown;
  const std::string size =
      shown.substr(shown.rfind(' ', mb - 1) + 1, mb - shown.rfind(' ', mb - 1) - 1);
  EXPECT_NE(shown.find("/" + size + " MB"), std::string::npos) << size << " in\n" << shown;

  fs::remove_all(db_);
  auto piped = RunCli(SmallModel({"ingest", db_, docs_}));
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(piped.err.find('\r'), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find('\033'), std::string::npos) << piped.err;
  EXPECT_EQ(piped.err.find("training the tokenizer ["), std::string::npos) << piped.err;
}

TEST_F(IngestExperienceCliTest, InterruptSaysHowFarItGotAndRerunFinishes) {
  constexpr int kFiles = 600;
  for (int f = 0; f < kFiles; ++f) {
    test::WriteFile(docs_ + "/doc" + std::to_string(f) + ".txt", Prose(f, 6));
  }
  {
    BackgroundCli ingest(SmallModel({"ingest", db_, docs_}), /*terminal=*/false);
    ASSERT_TRUE(ingest.WaitFor("trained the embedding model")) << ingest.output();
    ingest.Interrupt();
    EXPECT_EQ(ingest.Wait(), 130) << ingest.output();
    EXPECT_NE(ingest.output().find("files committed, rerun to finish"), std::string::npos)
        << ingest.output();
  }
  ASSERT_TRUE(fs::exists(db_)) << "the trained model is kept";
  EXPECT_EQ(RunCli({"verify", db_}).exit_code, 0);
  auto rerun = RunCli({"ingest", db_, docs_});
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.out.find("ingested " + std::to_string(kFiles) + " file(s)"), std::string::npos)
      << rerun.out;
  EXPECT_EQ(rerun.err.find("training"), std::string::npos) << "the model was kept: " << rerun.err;
  auto ls = RunCli({"ls", db_, "--sources"});
  ASSERT_EQ(ls.exit_code, 0);
  EXPECT_NE(ls.out.find("doc599.txt"), std::string::npos);
}

TEST_F(IngestExperienceCliTest, InterruptWhileTrainingLeavesNoNewDatabase) {
  for (int f = 0; f < 40; ++f)
    test::WriteFile(docs_ + "/doc" + std::to_string(f) + ".txt", Prose(f, 300));
  BackgroundCli ingest(SmallModel({"ingest", db_, docs_}), /*terminal=*/false);
  ASSERT_TRUE(ingest.WaitFor("training one on the collection")) << ingest.output();
  ingest.Interrupt();
  EXPECT_EQ(ingest.Wait(), 130) << ingest.output();
  EXPECT_NE(ingest.output().find("interrupted: 0 files committed, rerun to finish"),
            std::string::npos)
      << ingest.output();
  EXPECT_FALSE(fs::exists(db_));
  EXPECT_EQ(RunCli(SmallModel({"ingest", db_, docs_})).exit_code, 0);
}

}  // namespace
}  // namespace quiver
