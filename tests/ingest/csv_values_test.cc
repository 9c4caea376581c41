// TypedCsvValue: which CSV cells become numbers or booleans, and which stay strings.
#include "ingest/csv_values.h"

#include <gtest/gtest.h>

namespace quiver::ingest {
namespace {

using nlohmann::json;

TEST(CsvValuesTest, Integers) {
  EXPECT_EQ(TypedCsvValue("2000"), json(2000));
  EXPECT_TRUE(TypedCsvValue("2000").is_number_integer());
  EXPECT_EQ(TypedCsvValue("0"), json(0));
  EXPECT_EQ(TypedCsvValue("-17"), json(-17));
  EXPECT_EQ(TypedCsvValue("9223372036854775807"), json(INT64_C(9223372036854775807)));
  EXPECT_EQ(TypedCsvValue("-9223372036854775808"), json(INT64_MIN));
}

TEST(CsvValuesTest, Decimals) {
  EXPECT_EQ(TypedCsvValue("0.5"), json(0.5));
  EXPECT_TRUE(TypedCsvValue("2.0").is_number_float());
  EXPECT_EQ(TypedCsvValue("-1.25"), json(-1.25));
  EXPECT_EQ(TypedCsvValue("1e3"), json(1000.0));
  EXPECT_EQ(TypedCsvValue("6.02E+23"), json(6.02e23));
  EXPECT_EQ(TypedCsvValue("1.5e-2"), json(0.015));
}

TEST(CsvValuesTest, Booleans) {
  for (const char* t : {"true", "True", "TRUE"}) EXPECT_EQ(TypedCsvValue(t), json(true)) << t;
  for (const char* f : {"false", "False", "FALSE"}) EXPECT_EQ(TypedCsvValue(f), json(false)) << f;
  EXPECT_EQ(TypedCsvValue("tRUE"), json("tRUE"));
  EXPECT_EQ(TypedCsvValue("yes"), json("yes"));
}

TEST(CsvValuesTest, EverythingElseStaysAString) {
  for (const char* cell :
       {"",      " 1",   "1 ",        "+1",   "01234", "00",   "-0123",
        "1.",    ".5",   "1,5",       "1e",   "1e+",   "-",    "NaN",
        "nan",   "inf",  "-Infinity", "0x1F", "1_000", "12ab", "99999999999999999999",
        "1e999", "null", "2024-01-02"}) {
    const json value = TypedCsvValue(cell);
    EXPECT_TRUE(value.is_string()) << "'" << cell << "' became " << value.dump();
    EXPECT_EQ(value.get<std::string>(), cell);
  }
}

}  // namespace
}  // namespace quiver::ingest
