// quiver backup DB DEST: a copy that verifies and answers like the source; an existing
// DEST is bad input and is left alone.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::RunCli;

TEST(BackupCliTest, CopyVerifiesAndAnswersLikeTheSource) {
  test::TempDir dir;
  const std::string db = dir.Sub("db"), copy = dir.Sub("copy");
  ASSERT_EQ(RunCli({"create", db, "--dim", "3"}).exit_code, 0);
  std::string lines;
  for (int i = 0; i < 20; ++i) {
    lines += test::JsonLine("r" + std::to_string(i), {1.0f * i, 1, -0.5f * i}, "text") + "\n";
  }
  ASSERT_EQ(RunCli({"add", db, "-"}, lines).exit_code, 0);

  auto backup = RunCli({"backup", db, copy});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  EXPECT_NE(backup.out.find("backed up 20 records"), std::string::npos) << backup.out;
  auto verify = RunCli({"verify", copy});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("ok: 20 records"), std::string::npos) << verify.out;
  auto from_source = RunCli({"get", db, "r7"});
  auto from_copy = RunCli({"get", copy, "r7"});
  EXPECT_EQ(from_copy.exit_code, 0) << from_copy.err;
  EXPECT_EQ(from_copy.out, from_source.out);

  auto again = RunCli({"backup", db, copy});
  EXPECT_EQ(again.exit_code, 2) << again.err;
  EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
  EXPECT_EQ(RunCli({"verify", copy}).exit_code, 0);
}

}  // namespace
}  // namespace quiver
