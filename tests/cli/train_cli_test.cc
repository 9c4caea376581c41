// `quiver train DB PATH...`: the corpus given as positional paths (or --corpus), listed and
// read as ingest does (files whose content is text, whatever their name), and the one-line
// errors of a corpus with no text and of a missing corpus.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;

// Lines of words from two topics, alternating, in a pseudo-random order fixed by `seed`.
std::string TopicText(int lines, uint64_t seed) {
  const char* topics[2][8] = {
      {"cat", "dog", "horse", "cow", "sheep", "goat", "pig", "duck"},
      {"red", "blue", "green", "yellow", "purple", "orange", "pink", "brown"}};
  std::string text;
  for (int line = 0; line < lines; ++line) {
    for (int w = 0; w < 8; ++w) {
      seed = seed * 6364136223846793005ull + 1442695040888963407ull;
      text += std::string(topics[line % 2][(seed >> 33) % 8]) + (w < 7 ? " " : "\n");
    }
  }
  return text;
}

class TrainCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(RunCli({"create", db_, "--dim", "16"}).exit_code, 0); }

  test::TempDir dir_;
  const std::string db_ = dir_.Sub("db");
};

TEST_F(TrainCliTest, TrainsOnTextFilesWhateverTheirNames) {
  test::WriteFile(dir_.Sub("corpus/README"), TopicText(750, 1));
  test::WriteFile(dir_.Sub("corpus/notes.rst"), TopicText(750, 2));
  test::WriteFile(dir_.Sub("corpus/logo.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  auto r = RunCli({"train", db_, dir_.Sub("corpus"), "--vocab", "300"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("trained on 2 corpus file(s)"), std::string::npos) << r.out;
  auto neighbors = RunCli({"neighbors", db_, "cat", "-k", "3"});
  EXPECT_EQ(neighbors.exit_code, 0) << neighbors.err;
}

TEST_F(TrainCliTest, CorpusFlagStillWorks) {
  test::WriteFile(dir_.Sub("corpus.txt"), TopicText(800, 3));
  auto r = RunCli({"train", db_, "--corpus", dir_.Sub("corpus.txt"), "--vocab", "300"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(TrainCliTest, NoTextOrNoCorpusIsAOneLineError) {
  test::WriteFile(dir_.Sub("pictures/a.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  auto binary = RunCli({"train", db_, dir_.Sub("pictures")});
  EXPECT_EQ(binary.exit_code, 2);
  EXPECT_NE(binary.err.find("expected text files to train on; the corpus has 1 file(s) that are "
                            "not text, e.g. "),
            std::string::npos)
      << binary.err;
  auto none = RunCli({"train", db_});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("missing the PATH... argument"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace quiver
