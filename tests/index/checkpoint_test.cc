#include "index/checkpoint.h"

#include <gtest/gtest.h>

#include <cerrno>
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
    ASSERT_TRUE(Write(payload_).ok());
  }
  // Writes `payload` in uneven pieces, as FAISS serialization does.
  Status Write(const std::vector<uint8_t>& payload) {
    return WriteCheckpointFile(path_, header_, faults_, [&](PayloadSink& sink) {
      for (size_t at = 0, piece = 1; at < payload.size();
           at += piece, piece = piece * 3 % 1999 + 1) {
        sink.Append(payload.data() + at, std::min(piece, payload.size() - at));
      }
      return Status::OK();
    });
  }
  static Status Read(const std::string& path, CheckpointHeader* header,
                     std::vector<uint8_t>* payload) {
    QUIVER_ASSIGN_OR_RETURN(std::unique_ptr<MappedCheckpoint> mapped, MappedCheckpoint::Open(path));
    *header = mapped->header();
    payload->assign(mapped->payload(), mapped->payload() + mapped->payload_size());
    return Status::OK();
  }

  test::TempDir dir_;
  const std::string path_ = dir_.Sub("checkpoint.qvi");
  CheckpointHeader header_;
  std::vector<uint8_t> payload_;
  util::FaultInjector* faults_ = nullptr;
};

TEST_F(CheckpointTest, RoundTripsHeaderAndPayload) {
  CheckpointHeader header;
  std::vector<uint8_t> payload;
  ASSERT_TRUE(Read(path_, &header, &payload).ok());
  EXPECT_EQ(header.metric, 2u);
  EXPECT_EQ(header.sequence, 1234u);
  EXPECT_EQ(header.dimension, 16u);
  EXPECT_EQ(header.live_count, 99u);
  EXPECT_EQ(payload, payload_);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
}

TEST_F(CheckpointTest, LargePayloadAndFailedWriteKeepPreviousFile) {
  std::vector<uint8_t> large(3 << 20);
  for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<uint8_t>(i * 31 >> 3);
  ASSERT_TRUE(Write(large).ok());
  CheckpointHeader header;
  std::vector<uint8_t> payload;
  ASSERT_TRUE(Read(path_, &header, &payload).ok());
  EXPECT_EQ(payload, large);

  Status failed = WriteCheckpointFile(path_, header_, nullptr, [](PayloadSink& sink) {
    sink.Append("partial", 7);
    return Status::IOError("serialization failed");
  });
  EXPECT_TRUE(failed.IsIOError());
  EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp"));
  ASSERT_TRUE(Read(path_, &header, &payload).ok());
  EXPECT_EQ(payload, large);
}

// Issue 14, defect 3: a write that failed for want of space came back as whatever the payload's
// producer made of the short write (FAISS throws, which became InvalidArgument, "bad input").
TEST_F(CheckpointTest, FullDiskIsAnIOErrorWhateverThePayloadWriterSays) {
  util::FaultInjector faults;
  faults_ = &faults;
  faults.Arm({util::kFileWrite, util::FaultInjector::kNever, 3000, ENOSPC, ""});
  Status failed = WriteCheckpointFile(path_, header_, &faults, [&](PayloadSink& sink) {
    return sink.Append(payload_.data(), payload_.size())
               ? Status::OK()
               : Status::InvalidArgument("serializing the index: write error");
  });
  EXPECT_TRUE(failed.IsIOError()) << failed.ToString();
  EXPECT_NE(failed.message().find("No space left on device"), std::string::npos)
      << failed.ToString();
  EXPECT_NE(failed.message().find(path_ + ".tmp"), std::string::npos) << failed.ToString();
}

// Whichever step fails (create, any write, the fsync, the rename, the directory fsync), the
// previous checkpoint stays whole and no temporary file is left.
TEST_F(CheckpointTest, EveryFailedStepKeepsThePreviousFile) {
  util::FaultInjector faults;
  faults_ = &faults;
  std::vector<uint8_t> next(payload_.rbegin(), payload_.rend());
  faults.Arm({util::kAnyFileOp, util::FaultInjector::kNever, util::FaultInjector::kNever, EIO, ""});
  ASSERT_TRUE(Write(next).ok());
  const uint64_t steps = faults.calls();
  ASSERT_GE(steps, 5u);  // create, writes, sync, rename, directory sync
  for (uint64_t k = 0; k < steps; ++k) {
    faults.Arm({util::kAnyFileOp, k, util::FaultInjector::kNever, EIO, ""});
    Status s = Write(payload_);
    EXPECT_TRUE(s.IsIOError()) << "step " << k << ": " << s.ToString();
    EXPECT_NE(s.message().find("Input/output error"), std::string::npos) << s.ToString();
    EXPECT_FALSE(std::filesystem::exists(path_ + ".tmp")) << "step " << k;
    CheckpointHeader header;
    std::vector<uint8_t> payload;
    ASSERT_TRUE(Read(path_, &header, &payload).ok()) << "step " << k;
    // Only a failed directory sync comes after the rename: the new file is then in place.
    EXPECT_TRUE(k + 1 < steps ? payload == next : payload == payload_) << "step " << k;
  }
}

TEST_F(CheckpointTest, MissingFileIsNotFound) {
  CheckpointHeader header;
  std::vector<uint8_t> payload;
  EXPECT_TRUE(Read(dir_.Sub("absent"), &header, &payload).IsNotFound());
}

TEST_F(CheckpointTest, EveryFlippedByteIsDetected) {
  const std::string original = test::ReadFile(path_);
  for (size_t at = 0; at < original.size(); at += 131) {
    std::string damaged = original;
    damaged[at] ^= 0x01;
    test::WriteFile(path_, damaged);
    CheckpointHeader header;
    std::vector<uint8_t> payload;
    EXPECT_TRUE(Read(path_, &header, &payload).IsCorruption()) << "byte " << at;
  }
}

TEST_F(CheckpointTest, TruncationIsDetected) {
  const std::string original = test::ReadFile(path_);
  for (size_t size : {size_t{0}, size_t{10}, kCheckpointHeaderSize, original.size() - 1}) {
    test::WriteFile(path_, original.substr(0, size));
    CheckpointHeader header;
    std::vector<uint8_t> payload;
    EXPECT_TRUE(Read(path_, &header, &payload).IsCorruption()) << size;
  }
}

TEST_F(CheckpointTest, NewerFormatVersionIsRejected) {
  std::string bytes = test::ReadFile(path_);
  bytes[8] = 2;  // the version field; the header checksum no longer matches either
  test::WriteFile(path_, bytes);
  CheckpointHeader header;
  std::vector<uint8_t> payload;
  EXPECT_TRUE(Read(path_, &header, &payload).IsCorruption());
}

}  // namespace
}  // namespace quiver::index
