// MetadataFilter: the filter language (`where`), its matching rules and its error messages.
#include "engine/metadata_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>

namespace quiver::engine {
namespace {

// Compiles `filter`, recording a failure (and matching nothing) when it does not compile.
bool Matches(std::string_view filter, std::string_view metadata) {
  Result<MetadataFilter> compiled = MetadataFilter::Parse(filter);
  if (!compiled.ok()) {
    ADD_FAILURE() << "filter " << filter << " rejected: " << compiled.status().ToString();
    return false;
  }
  return compiled->Matches(metadata);
}

// The message of the error `filter` must produce, checked for the shared contract: an
// InvalidArgument, prefixed "filter: ", on one line.
std::string ErrorOf(std::string_view filter) {
  Result<MetadataFilter> compiled = MetadataFilter::Parse(filter);
  if (compiled.ok()) {
    ADD_FAILURE() << "filter " << filter << " was accepted; expected an error";
    return "";
  }
  const Status status = compiled.status();
  EXPECT_TRUE(status.IsInvalidArgument()) << status.ToString();
  const std::string& message = status.message();
  EXPECT_EQ(message.rfind("filter: ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.find('\r'), std::string::npos) << message;
  return message;
}

std::string Nest(std::string_view op, int levels, std::string_view inner) {
  std::string text;
  for (int i = 0; i < levels; ++i) text += "{\"" + std::string(op) + "\": [";
  text += inner;
  for (int i = 0; i < levels; ++i) text += "]}";
  return text;
}

using ::testing::HasSubstr;

// ---- Matching ------------------------------------------------------------------------------

TEST(MetadataFilterTest, EmptyFilterMatchesEveryObject) {
  EXPECT_TRUE(Matches("{}", R"({"a": 1})"));
  EXPECT_TRUE(Matches("{}", "{}"));
  EXPECT_TRUE(Matches(" { } ", ""));
  MetadataFilter all;
  EXPECT_TRUE(all.Matches(std::string_view(R"({"x": [1, 2]})")));
  EXPECT_TRUE(all.Fields().empty());
}

TEST(MetadataFilterTest, ScalarValueMeansEq) {
  EXPECT_TRUE(Matches(R"({"lang": "en"})", R"({"lang": "en", "year": 2001})"));
  EXPECT_FALSE(Matches(R"({"lang": "en"})", R"({"lang": "fr"})"));
  EXPECT_FALSE(Matches(R"({"lang": "en"})", R"({"lang": "EN"})"));
  EXPECT_FALSE(Matches(R"({"lang": "en"})", R"({"year": 2001})"));
  EXPECT_TRUE(Matches(R"({"draft": false})", R"({"draft": false})"));
  EXPECT_FALSE(Matches(R"({"draft": false})", R"({"draft": true})"));
}

TEST(MetadataFilterTest, EqComparesTypesStrictly) {
  EXPECT_TRUE(Matches(R"({"n": {"$eq": 1}})", R"({"n": 1})"));
  EXPECT_FALSE(Matches(R"({"n": {"$eq": 1}})", R"({"n": "1"})"));
  EXPECT_FALSE(Matches(R"({"n": {"$eq": 1}})", R"({"n": true})"));
  EXPECT_FALSE(Matches(R"({"n": {"$eq": true}})", R"({"n": 1})"));
  EXPECT_FALSE(Matches(R"({"n": {"$eq": "x"}})", R"({"n": {"x": 1}})"));
  EXPECT_FALSE(Matches(R"({"n": {"$eq": 0}})", R"({"n": null})"));
}

TEST(MetadataFilterTest, NullMatchesOnlyExplicitNull) {
  EXPECT_TRUE(Matches(R"({"n": null})", R"({"n": null})"));
  EXPECT_TRUE(Matches(R"({"n": {"$eq": null}})", R"({"n": null})"));
  EXPECT_FALSE(Matches(R"({"n": null})", R"({})"));
  EXPECT_FALSE(Matches(R"({"n": null})", R"({"n": 0})"));
  EXPECT_TRUE(Matches(R"({"n": {"$ne": null}})", R"({"n": 0})"));
  EXPECT_FALSE(Matches(R"({"n": {"$ne": null}})", R"({"n": null})"));
}

TEST(MetadataFilterTest, NumbersEqualAcrossIntegerAndFloat) {
  EXPECT_TRUE(Matches(R"({"year": 2000})", R"({"year": 2000.0})"));
  EXPECT_TRUE(Matches(R"({"year": 2000.0})", R"({"year": 2000})"));
  EXPECT_TRUE(Matches(R"({"t": -1})", R"({"t": -1.0})"));
  EXPECT_TRUE(Matches(R"({"t": 1e3})", R"({"t": 1000})"));
  EXPECT_FALSE(Matches(R"({"year": 2000})", R"({"year": 2000.5})"));
  EXPECT_TRUE(Matches(R"({"year": {"$in": [1999, 2000.0]}})", R"({"year": 2000})"));
  EXPECT_FALSE(Matches(R"({"year": {"$ne": 2000}})", R"({"year": 2000.0})"));
}

TEST(MetadataFilterTest, IntegersCompareExactly) {
  // Distinct as integers, equal once rounded to double.
  EXPECT_FALSE(Matches(R"({"id": 9007199254740993})", R"({"id": 9007199254740992})"));
  EXPECT_TRUE(Matches(R"({"id": 9007199254740993})", R"({"id": 9007199254740993})"));
  EXPECT_TRUE(Matches(R"({"id": {"$gt": 9007199254740992}})", R"({"id": 9007199254740993})"));
  // Unsigned beyond int64 against negative numbers.
  EXPECT_TRUE(Matches(R"({"u": {"$gt": -1}})", R"({"u": 18446744073709551615})"));
  EXPECT_FALSE(Matches(R"({"u": {"$lt": 0}})", R"({"u": 18446744073709551615})"));
  EXPECT_TRUE(Matches(R"({"u": {"$lt": 18446744073709551615}})", R"({"u": -5})"));
  EXPECT_FALSE(Matches(R"({"u": -1})", R"({"u": 18446744073709551615})"));
}

TEST(MetadataFilterTest, NeMatchesDifferentMissingAndOtherTypes) {
  const char* filter = R"({"lang": {"$ne": "en"}})";
  EXPECT_FALSE(Matches(filter, R"({"lang": "en"})"));
  EXPECT_TRUE(Matches(filter, R"({"lang": "fr"})"));
  EXPECT_TRUE(Matches(filter, R"({"year": 1})"));
  EXPECT_TRUE(Matches(filter, R"({"lang": 7})"));
  EXPECT_TRUE(Matches(filter, ""));
}

TEST(MetadataFilterTest, OrderingOperatorsOnNumbers) {
  const char* doc = R"({"year": 2000})";
  EXPECT_TRUE(Matches(R"({"year": {"$gt": 1999}})", doc));
  EXPECT_FALSE(Matches(R"({"year": {"$gt": 2000}})", doc));
  EXPECT_TRUE(Matches(R"({"year": {"$gte": 2000}})", doc));
  EXPECT_FALSE(Matches(R"({"year": {"$gte": 2001}})", doc));
  EXPECT_TRUE(Matches(R"({"year": {"$lt": 2001}})", doc));
  EXPECT_FALSE(Matches(R"({"year": {"$lt": 2000}})", doc));
  EXPECT_TRUE(Matches(R"({"year": {"$lte": 2000}})", doc));
  EXPECT_FALSE(Matches(R"({"year": {"$lte": 1999}})", doc));
  // Mixed integer and float.
  EXPECT_TRUE(Matches(R"({"year": {"$gt": 1999.5}})", doc));
  EXPECT_FALSE(Matches(R"({"year": {"$gt": 2000.0}})", doc));
  EXPECT_TRUE(Matches(R"({"year": {"$gte": 2000.0}})", doc));
  EXPECT_TRUE(Matches(R"({"score": {"$lt": 1}})", R"({"score": 0.25})"));
  EXPECT_TRUE(Matches(R"({"t": {"$lt": -2}})", R"({"t": -2.5})"));
}

TEST(MetadataFilterTest, OrderingOperatorsOnStringsAreBytewise) {
  EXPECT_TRUE(Matches(R"({"name": {"$gt": "apple"}})", R"({"name": "banana"})"));
  EXPECT_FALSE(Matches(R"({"name": {"$gt": "banana"}})", R"({"name": "banana"})"));
  EXPECT_TRUE(Matches(R"({"name": {"$gte": "banana"}})", R"({"name": "banana"})"));
  EXPECT_TRUE(Matches(R"({"name": {"$lt": "b"}})", R"({"name": "abc"})"));
  EXPECT_TRUE(Matches(R"({"name": {"$lt": "a"}})", R"({"name": "Zebra"})"));  // 'Z' < 'a'
  EXPECT_TRUE(Matches(R"({"name": {"$gt": "z"}})", R"({"name": "é"})"));      // UTF-8 order
  EXPECT_TRUE(
      Matches(R"({"d": {"$gte": "2020-01-01", "$lt": "2021-01-01"}})", R"({"d": "2020-06-30"})"));
  EXPECT_FALSE(
      Matches(R"({"d": {"$gte": "2020-01-01", "$lt": "2021-01-01"}})", R"({"d": "2021-01-01"})"));
}

TEST(MetadataFilterTest, OrderingAcrossTypesNeverMatches) {
  for (const char* op : {"$gt", "$gte", "$lt", "$lte"}) {
    const std::string numeric = std::string(R"({"v": {")") + op + R"(": 5}})";
    const std::string textual = std::string(R"({"v": {")") + op + R"(": "5"}})";
    for (const char* doc : {R"({"v": "5"})", R"({"v": true})", R"({"v": null})",
                            R"({"v": {"x": 5}})", R"({"v": [5]})", R"({"w": 5})"}) {
      EXPECT_FALSE(Matches(numeric, doc)) << numeric << " on " << doc;
    }
    for (const char* doc : {R"({"v": 5})", R"({"v": false})", R"({"v": ["5"]})", R"({})"}) {
      EXPECT_FALSE(Matches(textual, doc)) << textual << " on " << doc;
    }
  }
}

TEST(MetadataFilterTest, InAndNin) {
  const char* in = R"({"lang": {"$in": ["en", "de", 3, null]}})";
  EXPECT_TRUE(Matches(in, R"({"lang": "de"})"));
  EXPECT_TRUE(Matches(in, R"({"lang": 3.0})"));
  EXPECT_TRUE(Matches(in, R"({"lang": null})"));
  EXPECT_FALSE(Matches(in, R"({"lang": "fr"})"));
  EXPECT_FALSE(Matches(in, R"({"lang": "3"})"));
  EXPECT_FALSE(Matches(in, R"({})"));

  const char* nin = R"({"lang": {"$nin": ["en", "de"]}})";
  EXPECT_TRUE(Matches(nin, R"({"lang": "fr"})"));
  EXPECT_FALSE(Matches(nin, R"({"lang": "en"})"));
  EXPECT_TRUE(Matches(nin, R"({})"));
  EXPECT_TRUE(Matches(nin, R"({"lang": 1})"));
}

TEST(MetadataFilterTest, ArrayValuedFieldsMatchAnyElement) {
  const char* doc = R"({"tags": ["news", "sport", 7]})";
  EXPECT_TRUE(Matches(R"({"tags": "sport"})", doc));
  EXPECT_TRUE(Matches(R"({"tags": {"$eq": 7.0}})", doc));
  EXPECT_FALSE(Matches(R"({"tags": "tech"})", doc));
  EXPECT_TRUE(Matches(R"({"tags": {"$in": ["tech", "news"]}})", doc));
  EXPECT_FALSE(Matches(R"({"tags": {"$in": ["tech", "art"]}})", doc));
  EXPECT_FALSE(Matches(R"({"tags": {"$ne": "news"}})", doc));
  EXPECT_TRUE(Matches(R"({"tags": {"$ne": "tech"}})", doc));
  EXPECT_FALSE(Matches(R"({"tags": {"$nin": ["tech", "sport"]}})", doc));
  EXPECT_TRUE(Matches(R"({"tags": {"$nin": ["tech", "art"]}})", doc));
  // Ordering operators do not look inside arrays.
  EXPECT_FALSE(Matches(R"({"tags": {"$gt": 1}})", doc));
  // Only one level: a nested array is not searched.
  EXPECT_FALSE(Matches(R"({"tags": "news"})", R"({"tags": [["news"]]})"));
  EXPECT_FALSE(Matches(R"({"tags": "news"})", R"({"tags": []})"));
  EXPECT_TRUE(Matches(R"({"tags": {"$ne": "news"}})", R"({"tags": []})"));
}

TEST(MetadataFilterTest, SeveralOperatorsOnAFieldAreAnded) {
  const char* filter = R"({"year": {"$gte": 2000, "$lt": 2010, "$ne": 2005}})";
  EXPECT_TRUE(Matches(filter, R"({"year": 2000})"));
  EXPECT_TRUE(Matches(filter, R"({"year": 2009.9})"));
  EXPECT_FALSE(Matches(filter, R"({"year": 2005})"));
  EXPECT_FALSE(Matches(filter, R"({"year": 2010})"));
  EXPECT_FALSE(Matches(filter, R"({"year": 1999})"));
}

TEST(MetadataFilterTest, TopLevelEntriesAreAnded) {
  const char* filter = R"({"lang": "en", "year": {"$gte": 2000}})";
  EXPECT_TRUE(Matches(filter, R"({"lang": "en", "year": 2001})"));
  EXPECT_FALSE(Matches(filter, R"({"lang": "en", "year": 1999})"));
  EXPECT_FALSE(Matches(filter, R"({"lang": "fr", "year": 2001})"));
  EXPECT_FALSE(Matches(filter, R"({"lang": "en"})"));
}

TEST(MetadataFilterTest, OrAndAnd) {
  const char* either = R"({"$or": [{"lang": "en"}, {"year": {"$lt": 1900}}]})";
  EXPECT_TRUE(Matches(either, R"({"lang": "en", "year": 2000})"));
  EXPECT_TRUE(Matches(either, R"({"lang": "fr", "year": 1850})"));
  EXPECT_FALSE(Matches(either, R"({"lang": "fr", "year": 2000})"));
  EXPECT_FALSE(Matches(either, R"({})"));

  const char* both = R"({"$and": [{"lang": "en"}, {"year": {"$lt": 1900}}]})";
  EXPECT_TRUE(Matches(both, R"({"lang": "en", "year": 1850})"));
  EXPECT_FALSE(Matches(both, R"({"lang": "en", "year": 2000})"));

  // Empty filter objects inside $or match everything.
  EXPECT_TRUE(Matches(R"({"$or": [{"a": 1}, {}]})", R"({"a": 2})"));
}

TEST(MetadataFilterTest, NestedLogicalOperatorsAndFields) {
  const char* filter = R"({
    "lang": "en",
    "$or": [
      {"$and": [{"genre": "poetry"}, {"pages": {"$lt": 50}}]},
      {"$or": [{"award": true}, {"year": {"$in": [1066, 1492]}}]}
    ]
  })";
  EXPECT_TRUE(Matches(filter, R"({"lang": "en", "genre": "poetry", "pages": 20})"));
  EXPECT_FALSE(Matches(filter, R"({"lang": "en", "genre": "poetry", "pages": 80})"));
  EXPECT_TRUE(Matches(filter, R"({"lang": "en", "award": true})"));
  EXPECT_TRUE(Matches(filter, R"({"lang": "en", "year": 1492})"));
  EXPECT_FALSE(Matches(filter, R"({"lang": "de", "year": 1492})"));
  EXPECT_FALSE(Matches(filter, R"({"lang": "en", "year": 1493})"));
  EXPECT_TRUE(
      Matches(R"({"$and": [{"a": 1}], "$or": [{"b": 2}, {"c": 3}]})", R"({"a": 1, "c": 3})"));
}

TEST(MetadataFilterTest, DottedFieldsReachIntoNestedObjects) {
  const char* doc = R"({"meta": {"lang": "en", "stats": {"views": 120}}, "a.b": 1, "x": 5})";
  EXPECT_TRUE(Matches(R"({"meta.lang": "en"})", doc));
  EXPECT_TRUE(Matches(R"({"meta.stats.views": {"$gt": 100}})", doc));
  EXPECT_FALSE(Matches(R"({"meta.lang": "fr"})", doc));
  EXPECT_FALSE(Matches(R"({"meta.missing": "en"})", doc));
  EXPECT_TRUE(Matches(R"({"meta.missing": {"$ne": "en"}})", doc));
  EXPECT_FALSE(Matches(R"({"x.y": 5})", doc));      // x is not an object
  EXPECT_TRUE(Matches(R"({"a.b": 1})", doc));       // an exact key wins
  EXPECT_FALSE(Matches(R"({"meta": "en"})", doc));  // an object is not a scalar
}

TEST(MetadataFilterTest, MetadataTextEdgeCases) {
  Result<MetadataFilter> ne = MetadataFilter::Parse(R"({"lang": {"$ne": "en"}})");
  ASSERT_TRUE(ne.ok()) << ne.status().ToString();
  EXPECT_TRUE(ne->Matches(std::string_view("")));  // "" is the empty object
  EXPECT_FALSE(ne->Matches(std::string_view("{")));
  EXPECT_FALSE(ne->Matches(std::string_view("not json")));
  EXPECT_FALSE(ne->Matches(std::string_view("[1, 2]")));
  EXPECT_FALSE(ne->Matches(std::string_view("\"text\"")));
  EXPECT_FALSE(ne->Matches(std::string_view("{\"lang\": \"fr\"} trailing")));

  MetadataFilter all;
  EXPECT_FALSE(all.Matches(std::string_view("{")));
  EXPECT_FALSE(all.Matches(nlohmann::json::array()));
  EXPECT_FALSE(all.Matches(nlohmann::json(nullptr)));
  EXPECT_TRUE(all.Matches(nlohmann::json::object()));
}

TEST(MetadataFilterTest, MatchesParsedJson) {
  Result<MetadataFilter> filter = MetadataFilter::Parse(R"({"year": {"$gte": 2000}})");
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  EXPECT_TRUE(filter->Matches(nlohmann::json{{"year", 2000}}));
  EXPECT_TRUE(filter->Matches(nlohmann::json{{"year", 2000.5}}));
  EXPECT_FALSE(filter->Matches(nlohmann::json{{"year", 1999}}));
  EXPECT_FALSE(filter->Matches(nlohmann::json{{"year", std::nan("")}}));
}

TEST(MetadataFilterTest, TextOverloadsTakeStringsAndLiterals) {
  Result<MetadataFilter> filter = MetadataFilter::Parse(R"({"a": 1})");
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  const std::string stored = R"({"a": 1.0})";
  EXPECT_TRUE(filter->Matches(stored));
  EXPECT_TRUE(filter->Matches(R"({"a": 1})"));
  EXPECT_FALSE(filter->Matches(R"({"a": 2})"));
  EXPECT_FALSE(filter->Matches(""));
  // A JSON string value is not metadata text.
  EXPECT_FALSE(filter->Matches(nlohmann::json(stored)));
}

TEST(MetadataFilterTest, CopiesShareTheCompiledFilter) {
  Result<MetadataFilter> parsed = MetadataFilter::Parse(R"({"a": 1})");
  ASSERT_TRUE(parsed.ok());
  MetadataFilter copy = *parsed;
  MetadataFilter moved = std::move(parsed).value();
  EXPECT_TRUE(copy.Matches(std::string_view(R"({"a": 1})")));
  EXPECT_TRUE(moved.Matches(std::string_view(R"({"a": 1})")));
  EXPECT_FALSE(copy.Matches(std::string_view(R"({"a": 2})")));
}

TEST(MetadataFilterTest, FieldsListsEachFieldOnceInOrder) {
  Result<MetadataFilter> filter = MetadataFilter::Parse(
      R"({"lang": "en", "$or": [{"year": {"$gt": 1, "$lt": 9}}, {"meta.x": 1}, {"lang": "de"}]})");
  ASSERT_TRUE(filter.ok()) << filter.status().ToString();
  EXPECT_EQ(filter->Fields(), (std::vector<std::string>{"lang", "year", "meta.x"}));
}

// ---- Errors --------------------------------------------------------------------------------

TEST(MetadataFilterErrorTest, InvalidJsonNamesTheByte) {
  const std::string message = ErrorOf(R"({"a": [1, 2)");
  EXPECT_THAT(message, HasSubstr("filter: invalid JSON at byte 12: "));
  EXPECT_THAT(message, HasSubstr("unexpected end of input"));
  EXPECT_EQ(message.find("json.exception"), std::string::npos) << message;
  EXPECT_THAT(ErrorOf("{\"a\": \"x\ny\"}"), HasSubstr("invalid JSON at byte 9"));
  EXPECT_THAT(ErrorOf("{\"a\": \"\xff\"}"), HasSubstr("invalid JSON at byte"));
  EXPECT_THAT(ErrorOf(R"({"a": 1} {"b": 2})"), HasSubstr("invalid JSON at byte"));
}

TEST(MetadataFilterErrorTest, EmptyTextIsNotAnObject) {
  EXPECT_EQ(ErrorOf(""), "filter: expected a JSON object, found empty text");
  EXPECT_EQ(ErrorOf(" \n\t"), "filter: expected a JSON object, found empty text");
}

TEST(MetadataFilterErrorTest, TopLevelMustBeAnObject) {
  EXPECT_EQ(ErrorOf("[1, 2]"), "filter: expected a JSON object, found an array");
  EXPECT_EQ(ErrorOf("5"), "filter: expected a JSON object, found a number");
  EXPECT_EQ(ErrorOf("\"lang\""), "filter: expected a JSON object, found a string");
  EXPECT_EQ(ErrorOf("null"), "filter: expected a JSON object, found null");
  EXPECT_EQ(ErrorOf("true"), "filter: expected a JSON object, found a boolean");
}

TEST(MetadataFilterErrorTest, UnknownFieldOperator) {
  EXPECT_EQ(ErrorOf(R"({"lang": {"$like": "e%"}})"),
            "filter: unknown operator \"$like\" for field \"lang\"; expected one of $eq $ne "
            "$gt $gte $lt $lte $in $nin $exists $contains $startswith $regex");
  EXPECT_THAT(ErrorOf(R"({"year": {"$gte": 1, "$between": [1, 2]}})"),
              HasSubstr("unknown operator \"$between\" for field \"year\""));
  EXPECT_THAT(ErrorOf(R"({"a": {"$or": [{"b": 1}]}})"),
              HasSubstr("unknown operator \"$or\" for field \"a\""));
  EXPECT_THAT(ErrorOf(R"({"a": {"$EQ": 1}})"), HasSubstr("unknown operator \"$EQ\""));
}

TEST(MetadataFilterErrorTest, UnknownTopLevelOperator) {
  EXPECT_EQ(ErrorOf(R"({"$not": {"a": 1}})"),
            "filter: unknown operator \"$not\"; expected a field name or one of $and $or");
  EXPECT_THAT(ErrorOf(R"({"$or": [{"$nor": [{"a": 1}]}]})"),
              HasSubstr("unknown operator \"$nor\""));
  EXPECT_THAT(ErrorOf(R"({"$": 1})"), HasSubstr("unknown operator \"$\""));
  EXPECT_THAT(ErrorOf(R"({"$eq": 1})"), HasSubstr("unknown operator \"$eq\""));
}

TEST(MetadataFilterErrorTest, OrderingOperandMustBeNumberOrString) {
  EXPECT_EQ(ErrorOf(R"({"year": {"$gte": {"y": 2000}}})"),
            "filter: \"$gte\" on field \"year\" expects a number or a string, found an object");
  EXPECT_THAT(ErrorOf(R"({"year": {"$gt": true}})"),
              HasSubstr("\"$gt\" on field \"year\" expects a number or a string, found a boolean"));
  EXPECT_THAT(ErrorOf(R"({"year": {"$lt": null}})"), HasSubstr("\"$lt\" on field \"year\""));
  EXPECT_THAT(ErrorOf(R"({"year": {"$lte": [1]}})"), HasSubstr("found an array"));
}

TEST(MetadataFilterErrorTest, EqualityOperandMustBeScalar) {
  EXPECT_EQ(ErrorOf(R"({"tags": {"$eq": ["a"]}})"),
            "filter: \"$eq\" on field \"tags\" expects a string, number, boolean or null, "
            "found an array");
  EXPECT_THAT(ErrorOf(R"({"tags": {"$ne": {}}})"),
              HasSubstr("\"$ne\" on field \"tags\" expects a string, number, boolean or null, "
                        "found an object"));
}

TEST(MetadataFilterErrorTest, InOperandMustBeNonEmptyArrayOfScalars) {
  EXPECT_EQ(ErrorOf(R"({"lang": {"$in": "en"}})"),
            "filter: \"$in\" on field \"lang\" expects a non-empty array of scalars, found a "
            "string");
  EXPECT_THAT(ErrorOf(R"({"lang": {"$nin": []}})"),
              HasSubstr("\"$nin\" on field \"lang\" expects a non-empty array of scalars, found "
                        "an empty array"));
  EXPECT_THAT(ErrorOf(R"({"lang": {"$in": ["en", ["de"]]}})"),
              HasSubstr("\"$in\" on field \"lang\" expects an array of strings, numbers, "
                        "booleans or nulls, found an array at index 1"));
  EXPECT_THAT(ErrorOf(R"({"lang": {"$nin": [{}]}})"), HasSubstr("found an object at index 0"));
}

TEST(MetadataFilterErrorTest, LogicalOperandMustBeNonEmptyArrayOfObjects) {
  EXPECT_EQ(ErrorOf(R"({"$or": {"a": 1}})"),
            "filter: \"$or\" expects a non-empty array of objects, found an object");
  EXPECT_EQ(ErrorOf(R"({"$and": []})"),
            "filter: \"$and\" expects a non-empty array of objects, found an empty array");
  EXPECT_EQ(ErrorOf(R"({"$or": [{"a": 1}, "b"]})"),
            "filter: \"$or\" expects a non-empty array of objects, found a string at index 1");
  EXPECT_THAT(ErrorOf(R"({"$and": [{"$or": [[]]}]})"),
              HasSubstr("\"$or\" expects a non-empty array of objects, found an empty array at "
                        "index 0"));
  // An error deep inside is reported as such.
  EXPECT_THAT(ErrorOf(R"({"$or": [{"a": 1}, {"$and": [{"b": {"$gt": {}}}]}]})"),
              HasSubstr("\"$gt\" on field \"b\""));
}

TEST(MetadataFilterErrorTest, FieldValueShapes) {
  EXPECT_EQ(ErrorOf(R"({"tags": ["a", "b"]})"),
            "filter: field \"tags\" expects a value or an object of operators, found an array; "
            "to match any of several values use {\"$in\": [...]}");
  EXPECT_EQ(ErrorOf(R"({"meta": {"lang": "en"}})"),
            "filter: field \"meta\" expects a value or an object of operators, found key "
            "\"lang\"; for a nested field write \"meta.lang\"");
  EXPECT_THAT(ErrorOf(R"({"meta": {"$eq": 1, "lang": "en"}})"), HasSubstr("found key \"lang\""));
  EXPECT_EQ(ErrorOf(R"({"year": {}})"),
            "filter: field \"year\" has an empty operator object; expected at least one of $eq "
            "$ne $gt $gte $lt $lte $in $nin $exists $contains $startswith $regex");
  EXPECT_EQ(ErrorOf(R"({"": 1})"),
            "filter: empty field name; expected a metadata field such as \"lang\"");
}

TEST(MetadataFilterErrorTest, MessagesStayOnOneLine) {
  // Control characters in names are escaped; a raw newline in the text is reported on one line.
  EXPECT_THAT(ErrorOf(R"({"a\nb": {"$foo": 1}})"), HasSubstr("field \"a\\nb\""));
  EXPECT_THAT(ErrorOf(R"({"$x\ty": 1})"), HasSubstr("\"$x\\ty\""));
  EXPECT_THAT(ErrorOf("{\"a\":\n\n [1,\n"), HasSubstr("invalid JSON at byte"));
  // A huge bad token is not echoed in full.
  const std::string long_token = "{\"a\": tru" + std::string(100000, 'e') + "}";
  EXPECT_LT(ErrorOf(long_token).size(), 400u);
}

TEST(MetadataFilterErrorTest, NestingUpToTheLimitIsAccepted) {
  const std::string deepest = Nest("$and", MetadataFilter::kMaxDepth, R"({"a": 1})");
  EXPECT_TRUE(Matches(deepest, R"({"a": 1})"));
  EXPECT_FALSE(Matches(deepest, R"({"a": 2})"));
  const std::string ors = Nest("$or", MetadataFilter::kMaxDepth, R"({"a": 1}, {"b": 2})");
  EXPECT_TRUE(Matches(ors, R"({"b": 2})"));
}

TEST(MetadataFilterErrorTest, NestingBeyondTheLimitIsRejected) {
  EXPECT_EQ(ErrorOf(Nest("$and", MetadataFilter::kMaxDepth + 1, R"({"a": 1})")),
            "filter: filter nests deeper than 64 levels of $and/$or");
  // Hostile input: far deeper than any stack would allow if followed recursively.
  EXPECT_THAT(ErrorOf(Nest("$or", 100000, R"({"a": 1})")), HasSubstr("deeper than 64"));
  EXPECT_EQ(ErrorOf(std::string(100000, '[') + std::string(100000, ']')),
            "filter: expected a JSON object, found an array");
  EXPECT_THAT(
      ErrorOf(R"({"a": {"$in": [)" + std::string(100000, '[') + std::string(100000, ']') + "]}}"),
      HasSubstr("found an array at index 0"));
}

TEST(MetadataFilterTest, DeeplyNestedMetadataIsHarmless) {
  std::string doc;
  for (int i = 0; i < 100000; ++i) doc += "{\"m\": ";
  doc += "1";
  doc += std::string(100000, '}');
  EXPECT_FALSE(Matches(R"({"m.m.m": 1})", doc));
  EXPECT_TRUE(Matches(R"({"m.m.m": {"$ne": 1}})", doc));
  EXPECT_TRUE(Matches(R"({"m": {"$ne": 1}})", doc));
}

// Parse never throws, and every rejection keeps the message contract, on garbled filters.
TEST(MetadataFilterErrorTest, GarbledInputNeverThrows) {
  const std::string seed =
      R"({"lang": "en", "year": {"$gte": 2000, "$in": [1, 2.5, null]}, "$or": [{"a.b": true}]})";
  std::mt19937 rng(42);
  const std::string alphabet = "{}[]\":,$ 0123456789.-eE\\nulltruefalse\x01\xff";
  for (int round = 0; round < 3000; ++round) {
    std::string text = seed;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % (text.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          text.insert(at, 1, c);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          if (at < text.size()) text[at] = c;
      }
    }
    Result<MetadataFilter> filter = MetadataFilter::Parse(text);
    if (filter.ok()) {
      filter->Matches(std::string_view(R"({"lang": "en", "year": 2001, "a": {"b": true}})"));
      continue;
    }
    const std::string message = filter.status().message();
    ASSERT_TRUE(filter.status().IsInvalidArgument()) << text;
    ASSERT_EQ(message.rfind("filter: ", 0), 0u) << message;
    ASSERT_EQ(message.find('\n'), std::string::npos) << text << " -> " << message;
  }
}

}  // namespace
}  // namespace quiver::engine
