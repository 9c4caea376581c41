#include "index/checkpoint.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/fixtures/test_util.h"

namespace quiver::index {
namespace {

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    header_.metric = 2;
    header_.sequence = 1234;
    header_.dimension = 16;
    header_.live_count = 99;
    for (int i = 0; i < 5000; ++i) payload_.push_back(static_cast<uint8_t>(i * 7));
    ASSERT_TRUE(WriteCheckpointFile(path_, header_, payload_).ok());
  }
  test::TempDir dir_;
  const std::string path_ = dir_.Sub("checkpoint.qvi");
  CheckpointHeader header_;
  std::vector<uint8_t> payload_;
};

TEST_F(CheckpointTest, RoundTripsHeaderAndPayload) {
  CheckpointHeader header;
  std::vector<uint8_t> payload;
  ASSERT_TRUE(ReadCheckpointFile(path_, &header, &payload).ok());
  EXPECT_EQ(header.metric, 2u);
  EXPECT_EQ(header.sequence, 1234u);
  EXPECT_EQ(header.dimension, 16u);
  EXPECT_EQ(header.live_count, 99u);
  EXPECT_EQ(payload, payload_);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(CheckpointTest, MissingFileIsNotFound) {
  CheckpointHeader header;
  std::vector<uint8_t> payload;
  EXPECT_TRUE(ReadCheckpointFile(dir_.Sub("absent"), &header, &payload).IsNotFound());
}

TEST_F(CheckpointTest, EveryFlippedByteIsDetected) {
  const std::string original = test::ReadFile(path_);
  for (size_t at = 0; at < original.size(); at += 131) {
    std::string damaged = original;
    damaged[at] ^= 0x01;
    test::WriteFile(path_, damaged);
    CheckpointHeader header;
    std::vector<uint8_t> payload;
    EXPECT_TRUE(ReadCheckpointFile(path_, &header, &payload).IsCorruption()) << "byte " << at;
  }
}

TEST_F(CheckpointTest, TruncationIsDetected) {
  const std::string original = test::ReadFile(path_);
  for (size_t size : {size_t{0}, size_t{10}, kCheckpointHeaderSize, original.size() - 1}) {
    test::WriteFile(path_, original.substr(0, size));
    CheckpointHeader header;
    std::vector<uint8_t> payload;
    EXPECT_TRUE(ReadCheckpointFile(path_, &header, &payload).IsCorruption()) << size;
  }
}

TEST_F(CheckpointTest, NewerFormatVersionIsRejected) {
  std::string bytes = test::ReadFile(path_);
  bytes[8] = 2;  // the version field; the header checksum no longer matches either
  test::WriteFile(path_, bytes);
  CheckpointHeader header;
  std::vector<uint8_t> payload;
  EXPECT_TRUE(ReadCheckpointFile(path_, &header, &payload).IsCorruption());
}

}  // namespace
}  // namespace quiver::index
