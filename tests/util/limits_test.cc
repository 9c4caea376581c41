#include "quiver/limits.h"

#include <gtest/gtest.h>

#include <string>

namespace quiver {
namespace {

std::string Nested(size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(LimitsTest, JsonDepthLimitIsInclusive) {
  EXPECT_TRUE(CheckJsonDepth(Nested(64)).ok());
  Status deep = CheckJsonDepth(Nested(65));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(deep.message(), "JSON nested deeper than 64 levels (the limit)");
  EXPECT_FALSE(CheckJsonDepth(std::string(100000, '[')).ok()) << "unterminated input too";
  EXPECT_TRUE(CheckJsonDepth(R"({"a": {"b": [1, {"c": 2}]}})", 4).ok());
  EXPECT_FALSE(CheckJsonDepth(R"({"a": {"b": [1, {"c": 2}]}})", 3).ok());
}

TEST(LimitsTest, BracketsInStringsDoNotCount) {
  EXPECT_TRUE(CheckJsonDepth(R"({"text": "[[[[[[[[[[{{{{{{"})", 1).ok());
  EXPECT_TRUE(CheckJsonDepth(R"({"text": "a \" [[[[ \\"})", 1).ok());
  EXPECT_FALSE(CheckJsonDepth(R"({"text": "a \\", "x": [[1]]})", 2).ok())
      << "an escaped backslash does not escape the closing quote";
}

TEST(LimitsTest, LineTooLongMessageNamesTheLimit) {
  EXPECT_EQ(LineTooLongMessage(), "line is longer than 256 MiB (the limit)");
  EXPECT_EQ(LineTooLongMessage(10), "line is longer than 10 bytes (the limit)");
}

}  // namespace
}  // namespace quiver
