#include "storage/record_codec.h"

#include <gtest/gtest.h>

namespace quiver::storage {
namespace {

TEST(RecordCodecTest, DocRoundTripsBinaryAndEmptyFields) {
  const StoredDoc doc{std::string("id\0x", 4), "", "{\"a\":1}"};
  auto decoded = DecodeDoc(EncodeDoc(doc));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->external_id, doc.external_id);
  EXPECT_EQ(decoded->text, "");
  EXPECT_EQ(decoded->metadata, doc.metadata);
}

TEST(RecordCodecTest, TruncatedDocIsCorruption) {
  std::string encoded = EncodeDoc({"abc", "some text", "{}", "src"});
  const size_t legacy_size = encoded.size() - 4 - 3;  // without the source field
  for (size_t cut = 0; cut < encoded.size(); ++cut) {
    if (cut == legacy_size) continue;
    EXPECT_TRUE(DecodeDoc(encoded.substr(0, cut)).status().IsCorruption()) << cut;
  }
  EXPECT_TRUE(DecodeDoc(encoded + "x").status().IsCorruption());
}

TEST(RecordCodecTest, DocWithoutSourceFieldDecodesWithEmptySource) {
  std::string encoded = EncodeDoc({"abc", "some text", "{}", "src"});
  auto legacy = DecodeDoc(encoded.substr(0, encoded.size() - 4 - 3));
  ASSERT_TRUE(legacy.ok()) << legacy.status().ToString();
  EXPECT_EQ(legacy->text, "some text");
  EXPECT_EQ(legacy->source, "");
  auto full = DecodeDoc(encoded);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(full->source, "src");
}

TEST(RecordCodecTest, MetadataViewSkipsToTheThirdField) {
  std::string encoded = EncodeDoc({"abc", "some text", "{\"a\":1}", "src"});
  auto view = DocMetadataView(encoded);
  ASSERT_TRUE(view.ok());
  EXPECT_EQ(*view, "{\"a\":1}");
  EXPECT_TRUE(DocMetadataView(encoded.substr(0, 10)).status().IsCorruption());
}

TEST(RecordCodecTest, VectorRoundTripsAndChecksSize) {
  std::vector<float> v = {1.5f, -2.25f, 3.0f};
  std::vector<float> out;
  ASSERT_TRUE(DecodeVector(EncodeVector(v), 3, &out).ok());
  EXPECT_EQ(out, v);
  EXPECT_TRUE(DecodeVector(EncodeVector(v), 4, &out).IsCorruption());
}

TEST(RecordCodecTest, OplogEntryRoundTripsAndRejectsUnknownOps) {
  OplogEntry entry{42, OpType::kDelete, 7};
  const std::string key("\0\0\0\0\0\0\0\x2a", 8);
  auto decoded = DecodeOplogEntry(key, EncodeOplogValue(entry));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->sequence, 42u);
  EXPECT_EQ(decoded->op, OpType::kDelete);
  EXPECT_EQ(decoded->internal_id, 7u);
  std::string bad = EncodeOplogValue(entry);
  bad[0] = 9;
  EXPECT_TRUE(DecodeOplogEntry(key, bad).status().IsCorruption());
  EXPECT_TRUE(DecodeOplogEntry(key, "x").status().IsCorruption());
}

}  // namespace
}  // namespace quiver::storage
