#include "util/crc32c.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace quiver::util {
namespace {

TEST(Crc32cTest, MatchesPublishedCheckValues) {
  // RFC 3720 appendix B.4 and the standard "123456789" check value.
  EXPECT_EQ(Crc32c(0, "123456789", 9), 0xE3069283u);
  std::vector<uint8_t> zeros(32, 0), ones(32, 0xff);
  EXPECT_EQ(Crc32c(0, zeros.data(), zeros.size()), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(0, ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(Crc32cTest, ExtendingEqualsOneShotAtEverySplit) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  const uint32_t whole = Crc32c(0, data.data(), data.size());
  for (size_t split = 0; split <= data.size(); split += 7) {
    uint32_t crc = Crc32c(0, data.data(), split);
    EXPECT_EQ(Crc32c(crc, data.data() + split, data.size() - split), whole) << split;
  }
}

TEST(Crc32cTest, DetectsSingleBitFlips) {
  std::vector<uint8_t> data(1000, 0x5a);
  const uint32_t original = Crc32c(0, data.data(), data.size());
  for (size_t byte = 0; byte < data.size(); byte += 97) {
    data[byte] ^= 0x10;
    EXPECT_NE(Crc32c(0, data.data(), data.size()), original);
    data[byte] ^= 0x10;
  }
}

}  // namespace
}  // namespace quiver::util
