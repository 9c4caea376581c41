#include "util/hash.h"

#include <gtest/gtest.h>

#include <string>

namespace quiver::util {
namespace {

TEST(Xxh64Test, MatchesReferenceValues) {
  // The values of the reference implementation (xxhsum -H1) with seed 0.
  EXPECT_EQ(Xxh64(""), 0xef46db3751d8e999ull);
  EXPECT_EQ(Xxh64("abc"), 0x44bc2cf5ad770999ull);
  EXPECT_EQ(Xxh64("Nobody inspects the spammish repetition"), 0xfbcea83c8a378bf1ull);
}

TEST(Xxh64Test, HashesEveryByte) {
  const std::string with_nul("a\0b", 3);
  EXPECT_NE(Xxh64(with_nul), Xxh64("a"));
  EXPECT_NE(Xxh64(with_nul), Xxh64(std::string("a\0c", 3)));
  // Long inputs take the 32-byte stripe path; a change in the last byte still counts.
  std::string long_text(1000, 'x');
  const uint64_t before = Xxh64(long_text);
  long_text.back() = 'y';
  EXPECT_NE(Xxh64(long_text), before);
}

TEST(Hex64Test, WritesSixteenLowercaseDigitsMostSignificantFirst) {
  EXPECT_EQ(Hex64(0), "0000000000000000");
  EXPECT_EQ(Hex64(1), "0000000000000001");
  EXPECT_EQ(Hex64(0xef46db3751d8e999ull), "ef46db3751d8e999");
  EXPECT_EQ(Hex64(0xABCDEF0123456789ull), "abcdef0123456789");
  EXPECT_EQ(Hex64(~uint64_t{0}), "ffffffffffffffff");
  EXPECT_EQ(Hex64(Xxh64("abc")), "44bc2cf5ad770999");
}

}  // namespace
}  // namespace quiver::util
