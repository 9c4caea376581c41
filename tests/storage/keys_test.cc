#include "storage/keys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace quiver::storage {
namespace {

TEST(KeysTest, RoundTripsBoundaryValues) {
  for (uint64_t value : {uint64_t{0}, uint64_t{1}, uint64_t{255}, uint64_t{256},
                         uint64_t{0x0102030405060708}, ~uint64_t{0}}) {
    std::string key = EncodeU64Key(value);
    ASSERT_EQ(key.size(), 8u);
    EXPECT_EQ(DecodeU64Key(key), value);
  }
}

TEST(KeysTest, IsBigEndian) {
  EXPECT_EQ(EncodeU64Key(0x0102030405060708), std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
}

TEST(KeysTest, BytewiseOrderEqualsNumericOrder) {
  std::mt19937_64 rng(7);
  std::vector<uint64_t> values(1000);
  for (auto& v : values) v = rng() >> (rng() % 64);
  std::vector<std::string> keys;
  for (uint64_t v : values) keys.push_back(EncodeU64Key(v));
  std::sort(values.begin(), values.end());
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(*DecodeU64Key(keys[i]), values[i]);
}

TEST(KeysTest, RejectsWrongLength) {
  EXPECT_FALSE(DecodeU64Key("").has_value());
  EXPECT_FALSE(DecodeU64Key("1234567").has_value());
  EXPECT_FALSE(DecodeU64Key("123456789").has_value());
}

TEST(KeysTest, PostingKeysOfATermShareItsPrefixAndSortByDocument) {
  const std::string low = PostingKey(7, 2), high = PostingKey(7, 300);
  EXPECT_TRUE(low.starts_with(PostingPrefix(7)));
  EXPECT_TRUE(high.starts_with(PostingPrefix(7)));
  EXPECT_FALSE(PostingKey(8, 2).starts_with(PostingPrefix(7)));
  EXPECT_LT(low, high);
  EXPECT_EQ(PostingKeyDocument(high), 300u);
  EXPECT_EQ(PostingKeyDocument(TermDocsKey(7)), std::nullopt);
  EXPECT_EQ(PostingKeyDocument(DocTermsKey(7)), std::nullopt);
}

TEST(KeysTest, PostingValueRoundTripsAndRejectsOtherSizes) {
  auto decoded = DecodePostingValue(EncodePostingValue({3, 4000000000u}));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->term_frequency, 3u);
  EXPECT_EQ(decoded->document_length, 4000000000u);
  EXPECT_FALSE(DecodePostingValue("1234567").has_value());
}

}  // namespace
}  // namespace quiver::storage
