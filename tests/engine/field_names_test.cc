// FieldNames: the metadata keys records use, and the suggestions for a misspelled one.
#include "engine/field_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace quiver::engine {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

FieldNames Of(std::initializer_list<const char*> records) {
  FieldNames names;
  for (const char* record : records) names.Add(json::parse(record));
  return names;
}

TEST(FieldNamesTest, EmptySetAcceptsEveryName) {
  FieldNames names;
  EXPECT_TRUE(names.empty());
  EXPECT_TRUE(names.Known("anything"));
  EXPECT_TRUE(names.Check({"a", "b"}).ok());
  names.Add(json::parse("[1, 2]"));  // not an object: nothing
  EXPECT_TRUE(names.empty());
}

TEST(FieldNamesTest, TopLevelAndNestedPaths) {
  const FieldNames names =
      Of({R"({"year": 1, "meta": {"lang": "en", "x": {"y": 1}}})", R"({"title": "t", "a.b": 2})"});
  EXPECT_TRUE(names.Known("year"));
  EXPECT_TRUE(names.Known("meta"));
  EXPECT_TRUE(names.Known("meta.lang"));
  EXPECT_TRUE(names.Known("meta.x.y"));
  EXPECT_TRUE(names.Known("a.b"));
  EXPECT_TRUE(names.Known("title"));
  EXPECT_FALSE(names.Known("lang"));
  EXPECT_FALSE(names.Known("meta.y"));
}

TEST(FieldNamesTest, SimilarByCaseEditDistanceAndPrefix) {
  const FieldNames names = Of({R"({"year": 1, "Year": 2, "years_active": 3, "path": "p",
                                   "relpath": "r", "pages": 4})"});
  EXPECT_THAT(names.Similar("yaer"), ElementsAre("Year", "year"));
  EXPECT_THAT(names.Similar("YEAR"), ElementsAre("Year", "year", "years_active"));
  EXPECT_THAT(names.Similar("pathh"), ElementsAre("path"));
  EXPECT_THAT(names.Similar("zzzzzz"), ElementsAre());
}

TEST(FieldNamesTest, CheckNamesTheFieldAndTheSuggestions) {
  const FieldNames names = Of({R"({"year": 1, "lang": "en"})"});
  EXPECT_TRUE(names.Check({"year", "lang"}).ok());
  const Status status = names.Check({"year", "yeer"});
  ASSERT_TRUE(status.IsInvalidArgument());
  EXPECT_EQ(status.message(), "filter: no record has field \"yeer\" (similar fields: \"year\")");
  EXPECT_EQ(names.Check({"zzzzzzzz"}).message(),
            "filter: no record has field \"zzzzzzzz\" (none of the 2 field names is similar)");
}

TEST(FieldNamesTest, GivesUpPastTheCap) {
  FieldNames names;
  json many = json::object();
  for (size_t i = 0; i <= FieldNames::kMaxNames; ++i) many["k" + std::to_string(i)] = i;
  names.Add(many);
  EXPECT_TRUE(names.Known("never-seen"));
  EXPECT_TRUE(names.Check({"never-seen"}).ok());
}

}  // namespace
}  // namespace quiver::engine
