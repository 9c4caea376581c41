// Idempotent tagged writes (WriteTag): a write applies only when its sequence is above the
// highest one stored for its writer, which the write's own batch raises; retries and stale
// writes report already_applied and change nothing. The sequences survive reopening,
// Compact, Backup and Reembed.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"
#include "tests/fixtures/text_corpus.h"

namespace quiver {
namespace {

constexpr int kDim = test::kTextCorpusDim;

Record MakeRecord(const std::string& id, const std::string& text, float x) {
  Record r;
  r.id = id;
  r.text = text;
  r.vector = {x, 1, 0.5f, 0.25f};
  return r;
}

class WriteTagsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() { db_ = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim)); }
  void Reopen() {
    ASSERT_TRUE(db_->Close().ok());
    db_.reset();
    Open();
  }
  uint64_t Sequence(const std::string& writer) {
    auto sequence = db_->LastWriteSequence(writer);
    EXPECT_TRUE(sequence.ok()) << sequence.status().ToString();
    return sequence.ok() ? *sequence : ~uint64_t{0};
  }
  // Upserts `r` tagged (writer, sequence); whether it was applied.
  bool TaggedUpsert(const Record& r, const std::string& writer, uint64_t sequence) {
    WriteTag tag{writer, sequence};
    WriteOutcome outcome;
    Status s = db_->Upsert({r}, &outcome, &tag);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_NE(outcome.stored, outcome.already_applied);
    return outcome.stored;
  }
  std::string TextOf(const std::string& id) {
    auto record = db_->Get(id);
    return record.ok() ? record->text : "<" + record.status().ToString() + ">";
  }

  test::TempDir dir_;
  std::unique_ptr<DB> db_;
};

TEST_F(WriteTagsTest, AWriteAppliesOnceAndStaleOnesChangeNothing) {
  EXPECT_EQ(Sequence("shard-a"), 0u);
  EXPECT_TRUE(TaggedUpsert(MakeRecord("x", "first", 1), "shard-a", 1));
  EXPECT_EQ(Sequence("shard-a"), 1u);
  // The retry of sequence 1, even with other content, is not applied.
  EXPECT_FALSE(TaggedUpsert(MakeRecord("x", "retried", 2), "shard-a", 1));
  EXPECT_EQ(TextOf("x"), "first");
  // Gaps are allowed; anything at or below the stored sequence is stale.
  EXPECT_TRUE(TaggedUpsert(MakeRecord("x", "fifth", 3), "shard-a", 5));
  EXPECT_FALSE(TaggedUpsert(MakeRecord("x", "third", 4), "shard-a", 3));
  EXPECT_EQ(TextOf("x"), "fifth");
  EXPECT_EQ(Sequence("shard-a"), 5u);
  // Writers are independent; untagged writes neither check nor move a sequence.
  EXPECT_TRUE(TaggedUpsert(MakeRecord("y", "other writer", 5), "shard-b", 1));
  ASSERT_TRUE(db_->Upsert({MakeRecord("z", "untagged", 6)}).ok());
  EXPECT_EQ(Sequence("shard-a"), 5u);
  EXPECT_EQ(Sequence("shard-b"), 1u);
  auto stats = db_->GetStats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->count, 3u);
}

TEST_F(WriteTagsTest, TaggedDeletesReportNothingRemovedWhenAlreadyApplied) {
  ASSERT_TRUE(db_->Upsert({MakeRecord("x", "one", 1), MakeRecord("y", "two", 2)}).ok());
  WriteTag tag{"cleaner", 4};
  size_t removed = 99;
  WriteOutcome outcome;
  ASSERT_TRUE(db_->Delete({"x"}, &removed, &outcome, &tag).ok());
  EXPECT_EQ(removed, 1u);
  EXPECT_FALSE(outcome.already_applied);
  // Re-adding x and replaying the delete leaves x in place.
  ASSERT_TRUE(db_->Upsert({MakeRecord("x", "back", 3)}).ok());
  WriteOutcome again;
  ASSERT_TRUE(db_->Delete({"x"}, &removed, &again, &tag).ok());
  EXPECT_EQ(removed, 0u);
  EXPECT_TRUE(again.already_applied);
  EXPECT_FALSE(again.stored);
  EXPECT_EQ(TextOf("x"), "back");
  // A tagged delete of ids that do not exist still records its sequence.
  WriteTag later{"cleaner", 6};
  ASSERT_TRUE(db_->Delete({"nobody"}, &removed, nullptr, &later).ok());
  EXPECT_EQ(Sequence("cleaner"), 6u);
}

TEST_F(WriteTagsTest, BadTagsAreRejectedBeforeAnythingIsWritten) {
  WriteTag no_writer{"", 1};
  Status s = db_->Upsert({MakeRecord("x", "one", 1)}, nullptr, &no_writer);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("non-empty writer"), std::string::npos) << s.ToString();
  WriteTag zero{"w", 0};
  EXPECT_TRUE(db_->Delete({"x"}, nullptr, nullptr, &zero).IsInvalidArgument());
  EXPECT_FALSE(db_->Get("x").ok());
}

TEST_F(WriteTagsTest, SequencesSurviveReopenCompactBackupAndReembed) {
  EXPECT_TRUE(TaggedUpsert(MakeRecord("x", "alpha proxy", 1), "w", 7));
  Reopen();
  EXPECT_EQ(Sequence("w"), 7u);
  EXPECT_FALSE(TaggedUpsert(MakeRecord("x", "replayed", 2), "w", 7));
  ASSERT_TRUE(db_->Compact().ok());
  EXPECT_EQ(Sequence("w"), 7u);
  test::WriteFile(dir_.Sub("vectors.txt"), test::kTextCorpusWordVectors);
  ASSERT_TRUE(db_->ImportWordVectors(dir_.Sub("vectors.txt")).ok());
  ASSERT_TRUE(db_->Reembed().ok());
  EXPECT_EQ(Sequence("w"), 7u);
  auto backup = db_->Backup(dir_.Sub("backup"));
  ASSERT_TRUE(backup.ok()) << backup.status().ToString();
  auto copy = test::OpenOrDie(dir_.Sub("backup"), Options{});
  auto copied = copy->LastWriteSequence("w");
  ASSERT_TRUE(copied.ok());
  EXPECT_EQ(*copied, 7u);
  EXPECT_FALSE(TaggedUpsert(MakeRecord("x", "replayed", 3), "w", 6));
  EXPECT_EQ(TextOf("x"), "alpha proxy");
}

}  // namespace
}  // namespace quiver
