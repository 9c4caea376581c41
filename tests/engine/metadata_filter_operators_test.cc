// MetadataFilter: $exists, $contains, $startswith and $regex, alone and under $and/$or, on
// values of other types, and their operand errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "engine/metadata_filter.h"

namespace quiver::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

bool Matches(std::string_view filter, std::string_view metadata) {
  Result<MetadataFilter> compiled = MetadataFilter::Parse(filter);
  if (!compiled.ok()) {
    ADD_FAILURE() << "filter " << filter << " rejected: " << compiled.status().ToString();
    return false;
  }
  return compiled->Matches(metadata);
}

std::string ErrorOf(std::string_view filter) {
  Result<MetadataFilter> compiled = MetadataFilter::Parse(filter);
  if (compiled.ok()) {
    ADD_FAILURE() << "filter " << filter << " was accepted; expected an error";
    return "";
  }
  EXPECT_TRUE(compiled.status().IsInvalidArgument()) << compiled.status().ToString();
  EXPECT_EQ(compiled.status().message().find('\n'), std::string::npos);
  return compiled.status().message();
}

TEST(FilterExistsTest, PresentMissingAndNull) {
  EXPECT_TRUE(Matches(R"({"a": {"$exists": true}})", R"({"a": 1})"));
  EXPECT_TRUE(Matches(R"({"a": {"$exists": true}})", R"({"a": null})"));
  EXPECT_FALSE(Matches(R"({"a": {"$exists": true}})", R"({"b": 1})"));
  EXPECT_TRUE(Matches(R"({"a": {"$exists": false}})", R"({"b": 1})"));
  EXPECT_FALSE(Matches(R"({"a": {"$exists": false}})", R"({"a": []})"));
  EXPECT_TRUE(Matches(R"({"m.x": {"$exists": true}})", R"({"m": {"x": 0}})"));
  EXPECT_FALSE(Matches(R"({"m.y": {"$exists": true}})", R"({"m": {"x": 0}})"));
}

TEST(FilterContainsTest, ArrayMembership) {
  EXPECT_TRUE(Matches(R"({"tags": {"$contains": "red"}})", R"({"tags": ["blue", "red"]})"));
  EXPECT_FALSE(Matches(R"({"tags": {"$contains": "re"}})", R"({"tags": ["blue", "red"]})"));
  EXPECT_TRUE(Matches(R"({"n": {"$contains": 2}})", R"({"n": [1, 2.0, 3]})"));
  EXPECT_FALSE(Matches(R"({"n": {"$contains": "2"}})", R"({"n": [1, 2, 3]})"));
  EXPECT_TRUE(Matches(R"({"f": {"$contains": true}})", R"({"f": [false, true]})"));
  EXPECT_FALSE(Matches(R"({"f": {"$contains": true}})", R"({"f": [1]})"));
}

TEST(FilterContainsTest, SubstringOfStringsOnly) {
  EXPECT_TRUE(Matches(R"({"t": {"$contains": "ack"}})", R"({"t": "backup"})"));
  EXPECT_TRUE(Matches(R"({"t": {"$contains": ""}})", R"({"t": "x"})"));
  EXPECT_TRUE(Matches(R"({"t": {"$contains": "é"}})", R"({"t": "café"})"));
  EXPECT_FALSE(Matches(R"({"t": {"$contains": "Ack"}})", R"({"t": "backup"})"));
  EXPECT_FALSE(Matches(R"({"t": {"$contains": "1"}})", R"({"t": 123})"));
  EXPECT_FALSE(Matches(R"({"t": {"$contains": 1}})", R"({"t": "123"})"));
  EXPECT_FALSE(Matches(R"({"t": {"$contains": "a"}})", R"({"t": {"a": 1}})"));
  EXPECT_FALSE(Matches(R"({"t": {"$contains": "a"}})", R"({"u": "a"})"));
}

TEST(FilterStartsWithTest, PrefixOfStringsAndStringElements) {
  EXPECT_TRUE(Matches(R"({"path": {"$startswith": "docs/"}})", R"({"path": "docs/a.md"})"));
  EXPECT_FALSE(Matches(R"({"path": {"$startswith": "docs/"}})", R"({"path": "src/docs/a"})"));
  EXPECT_TRUE(Matches(R"({"path": {"$startswith": ""}})", R"({"path": ""})"));
  EXPECT_TRUE(Matches(R"({"p": {"$startswith": "b"}})", R"({"p": [1, "a", "bc"]})"));
  EXPECT_FALSE(Matches(R"({"p": {"$startswith": "1"}})", R"({"p": 12})"));
  EXPECT_FALSE(Matches(R"({"p": {"$startswith": "t"}})", R"({"p": true})"));
  EXPECT_FALSE(Matches(R"({"p": {"$startswith": "a"}})", R"({})"));
}

TEST(FilterRegexTest, UnanchoredUnicodeSearch) {
  EXPECT_TRUE(Matches(R"({"t": {"$regex": "b.ck"}})", R"({"t": "a backup"})"));
  EXPECT_FALSE(Matches(R"({"t": {"$regex": "^b.ck"}})", R"({"t": "a backup"})"));
  EXPECT_TRUE(Matches(R"({"t": {"$regex": "^\\p{Lu}"}})", R"({"t": "Élan"})"));
  EXPECT_FALSE(Matches(R"({"t": {"$regex": "^\\p{Lu}"}})", R"({"t": "élan"})"));
  EXPECT_TRUE(Matches(R"({"t": {"$regex": "(?i)BACK"}})", R"({"t": "backup"})"));
  EXPECT_TRUE(Matches(R"({"t": {"$regex": "\\.md$"}})", R"({"t": ["x.txt", "y.md"]})"));
  EXPECT_FALSE(Matches(R"({"t": {"$regex": "1"}})", R"({"t": 1})"));
  EXPECT_FALSE(Matches(R"({"t": {"$regex": "."}})", R"({"t": null})"));
}

TEST(FilterRegexTest, CatastrophicPatternFailsFastAsNoMatch) {
  // (a+)+$ on "aaaa…b" backtracks exponentially without a match limit.
  const std::string subject = std::string(40, 'a') + "b";
  EXPECT_FALSE(Matches(R"({"t": {"$regex": "^(a+)+$"}})", R"({"t": ")" + subject + R"("})"));
  EXPECT_TRUE(Matches(R"({"t": {"$regex": "^(a+)+$"}})", R"({"t": "aaaa"})"));
}

TEST(FilterOperatorsTest, CombineUnderAndOr) {
  const std::string filter =
      R"({"$or": [{"path": {"$startswith": "docs/"}, "tags": {"$contains": "x"}},)"
      R"( {"$and": [{"draft": {"$exists": false}}, {"title": {"$regex": "^Q"}}]}]})";
  EXPECT_TRUE(Matches(filter, R"({"path": "docs/a", "tags": ["x"]})"));
  EXPECT_FALSE(Matches(filter, R"({"path": "docs/a", "tags": ["y"]})"));
  EXPECT_TRUE(Matches(filter, R"({"title": "Quiver"})"));
  EXPECT_FALSE(Matches(filter, R"({"title": "Quiver", "draft": true})"));
  EXPECT_TRUE(Matches(R"({"a": {"$exists": true, "$contains": "b", "$startswith": "a"}})",
                      R"({"a": "abc"})"));
  EXPECT_FALSE(Matches(R"({"a": {"$exists": true, "$contains": "d", "$startswith": "a"}})",
                       R"({"a": "abc"})"));
  MetadataFilter filter_fields = *MetadataFilter::Parse(filter);
  EXPECT_EQ(filter_fields.Fields(), (std::vector<std::string>{"path", "tags", "draft", "title"}));
}

TEST(FilterOperatorsErrorTest, OperandsNameTheOperatorAndWhatWasExpected) {
  EXPECT_EQ(ErrorOf(R"({"a": {"$exists": 1}})"),
            "filter: \"$exists\" on field \"a\" expects true or false, found a number");
  EXPECT_EQ(ErrorOf(R"({"a": {"$contains": [1]}})"),
            "filter: \"$contains\" on field \"a\" expects a string, number or boolean, found an "
            "array");
  EXPECT_EQ(ErrorOf(R"({"a": {"$contains": null}})"),
            "filter: \"$contains\" on field \"a\" expects a string, number or boolean, found null");
  EXPECT_EQ(ErrorOf(R"({"a": {"$startswith": 3}})"),
            "filter: \"$startswith\" on field \"a\" expects a string prefix, found a number");
  EXPECT_EQ(ErrorOf(R"({"a": {"$regex": {"p": 1}}})"),
            "filter: \"$regex\" on field \"a\" expects a string pattern, found an object");
}

TEST(FilterRegexErrorTest, CompileErrorNamesPatternAndOffset) {
  const std::string message = ErrorOf(R"({"a": {"$regex": "ab(c"}})");
  EXPECT_THAT(message, StartsWith("filter: \"$regex\" on field \"a\": regex /ab(c/ does not "
                                  "compile at 4: "));
  EXPECT_THAT(message, HasSubstr("parenthesis"));
}

TEST(FilterRegexErrorTest, PatternSizeIsLimited) {
  const std::string big(MetadataFilter::kMaxRegexBytes + 1, 'a');
  EXPECT_EQ(ErrorOf(R"({"a": {"$regex": ")" + big + R"("}})"),
            "filter: \"$regex\" on field \"a\" expects a pattern of at most 1024 bytes, found "
            "1025");
  const std::string fits(MetadataFilter::kMaxRegexBytes, 'a');
  EXPECT_TRUE(Matches(R"({"a": {"$regex": ")" + fits + R"("}})", R"({"a": ")" + fits + R"("})"));
}

}  // namespace
}  // namespace quiver::engine
