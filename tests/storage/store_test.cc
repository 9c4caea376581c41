#include "storage/store.h"

#include <gtest/gtest.h>

#include "storage/keys.h"
#include "tests/fixtures/test_util.h"

namespace quiver::storage {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenStore(Store::Mode mode = Store::Mode::kReadWrite) {
    auto store = Store::Open(dir_.Sub("store"), mode, /*create_if_missing=*/true);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store.value()) : nullptr;
  }
  test::TempDir dir_;
};

TEST_F(StoreTest, BatchWritesRecordsOplogAndMetaTogether) {
  auto store = OpenStore();
  WriteBatch batch;
  std::vector<float> v = {1, 2, 3};
  batch.PutRecord(5, {"doc", "hello", "{}"}, v);
  batch.AppendOplog({1, OpType::kAdd, 5});
  batch.PutMetaU64(meta_key::kRecordCount, 1);
  ASSERT_TRUE(store->Write(batch).ok());

  auto id = store->FindInternalId("doc");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->value(), 5u);
  auto doc = store->GetDoc(5);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->text, "hello");
  std::vector<float> out;
  ASSERT_TRUE(store->GetVector(5, 3, &out).ok());
  EXPECT_EQ(out, v);
  EXPECT_EQ(*store->GetMetaU64(meta_key::kRecordCount, 0), 1u);
  std::vector<OplogEntry> entries;
  ASSERT_TRUE(store
                  ->ScanOplog(0,
                              [&](const OplogEntry& e) {
                                entries.push_back(e);
                                return Status::OK();
                              })
                  .ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].internal_id, 5u);
}

TEST_F(StoreTest, DeleteRecordRemovesDocVectorAndMapping) {
  auto store = OpenStore();
  std::vector<float> v = {1, 2};
  WriteBatch put;
  put.PutRecord(1, {"a", "", ""}, v);
  ASSERT_TRUE(store->Write(put).ok());
  WriteBatch del;
  del.DeleteRecord(1, "a");
  ASSERT_TRUE(store->Write(del).ok());
  EXPECT_FALSE(store->FindInternalId("a")->has_value());
  EXPECT_TRUE(store->GetDoc(1).status().IsNotFound());
  std::vector<float> out;
  EXPECT_TRUE(store->GetVector(1, 2, &out).IsNotFound());
}

TEST_F(StoreTest, ScansRunInNumericIdOrder) {
  auto store = OpenStore();
  WriteBatch batch;
  std::vector<float> v = {0};
  for (uint64_t id : {300u, 2u, 70000u, 1u})
    batch.PutRecord(id, {"x" + std::to_string(id), "", ""}, v);
  ASSERT_TRUE(store->Write(batch).ok());
  std::vector<uint64_t> seen;
  ASSERT_TRUE(store
                  ->ScanVectors([&](uint64_t id, std::string_view) {
                    seen.push_back(id);
                    return Status::OK();
                  })
                  .ok());
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 300, 70000}));
}

TEST_F(StoreTest, ScanOplogStartsAfterSequenceAndTrimRemoves) {
  auto store = OpenStore();
  WriteBatch batch;
  for (uint64_t s = 1; s <= 10; ++s) batch.AppendOplog({s, OpType::kAdd, s});
  ASSERT_TRUE(store->Write(batch).ok());
  auto count_after = [&](uint64_t after) {
    int n = 0;
    EXPECT_TRUE(store
                    ->ScanOplog(after,
                                [&](const OplogEntry&) {
                                  ++n;
                                  return Status::OK();
                                })
                    .ok());
    return n;
  };
  EXPECT_EQ(count_after(0), 10);
  EXPECT_EQ(count_after(7), 3);
  ASSERT_TRUE(store->TrimOplog(6).ok());
  EXPECT_EQ(count_after(0), 4);
  EXPECT_EQ(*store->GetMetaU64(meta_key::kOplogTrimmedThrough, 0), 6u);
}

TEST_F(StoreTest, VisitorErrorStopsScan) {
  auto store = OpenStore();
  WriteBatch batch;
  for (uint64_t s = 1; s <= 5; ++s) batch.AppendOplog({s, OpType::kAdd, s});
  ASSERT_TRUE(store->Write(batch).ok());
  int visited = 0;
  Status s = store->ScanOplog(0, [&](const OplogEntry&) {
    return ++visited == 2 ? Status::Corruption("stop") : Status::OK();
  });
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_EQ(visited, 2);
}

TEST_F(StoreTest, SecondWriterIsBusyButReaderWorks) {
  auto writer = OpenStore();
  WriteBatch batch;
  batch.PutMeta("k", "v");
  ASSERT_TRUE(writer->Write(batch).ok());
  auto second = Store::Open(dir_.Sub("store"), Store::Mode::kReadWrite, false);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsBusy()) << second.status().ToString();
  EXPECT_NE(second.status().message().find("locked by another process"), std::string::npos);

  auto reader = Store::Open(dir_.Sub("store"), Store::Mode::kReadOnly, false);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(reader.value()->GetMeta("k")->value(), "v");
  WriteBatch refused;
  refused.PutMeta("k", "w");
  EXPECT_TRUE(reader.value()->Write(refused).IsNotSupported());
}

TEST_F(StoreTest, ModelPartsRoundTrip) {
  auto store = OpenStore();
  EXPECT_FALSE(store->GetModel(model_key::kTokenizer)->has_value());
  WriteBatch batch;
  const std::string blob("\0binary\xff", 9);
  batch.PutModel(model_key::kTokenizer, blob);
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_EQ(store->GetModel(model_key::kTokenizer)->value(), blob);
}

TEST_F(StoreTest, NonNumericMetaIsCorruption) {
  auto store = OpenStore();
  WriteBatch batch;
  batch.PutMeta(meta_key::kRecordCount, "12abc");
  ASSERT_TRUE(store->Write(batch).ok());
  EXPECT_TRUE(store->GetMetaU64(meta_key::kRecordCount, 0).status().IsCorruption());
  EXPECT_EQ(*store->GetMetaU64("absent", 9), 9u);
}

TEST_F(StoreTest, VerifyChecksumsPassesOnHealthyStore) {
  auto store = OpenStore();
  WriteBatch batch;
  std::vector<float> v(64, 0.5f);
  for (uint64_t i = 1; i <= 100; ++i) batch.PutRecord(i, {"id" + std::to_string(i), "t", ""}, v);
  ASSERT_TRUE(store->Write(batch).ok());
  ASSERT_TRUE(store->CompactAll().ok());
  EXPECT_TRUE(store->VerifyChecksums().ok());
}

TEST_F(StoreTest, ClearModelRemovesOldPartsBeforeNewOnesAreWritten) {
  auto store = OpenStore();
  WriteBatch first;
  first.PutModel("matrix/0", "old");
  first.PutModel("token_counts", "old");
  ASSERT_TRUE(store->Write(first).ok());
  WriteBatch second;
  second.ClearModel();
  second.PutModel("matrix/0", "new");
  ASSERT_TRUE(store->Write(second).ok());
  EXPECT_EQ(store->GetModel("matrix/0")->value_or(""), "new");
  EXPECT_FALSE(store->GetModel("token_counts")->has_value());
}

TEST_F(StoreTest, PostingPrefixScanStopsAtTheNextTerm) {
  auto store = OpenStore();
  WriteBatch batch;
  batch.PutPosting(PostingKey(1, 9), EncodePostingValue({1, 5}));
  batch.PutPosting(PostingKey(2, 3), EncodePostingValue({2, 6}));
  batch.PutPosting(PostingKey(2, 4), EncodePostingValue({3, 7}));
  batch.PutPosting(PostingKey(3, 1), EncodePostingValue({4, 8}));
  ASSERT_TRUE(store->Write(batch).ok());
  std::vector<uint64_t> docs;
  ASSERT_TRUE(store
                  ->ScanPostings(PostingPrefix(2),
                                 [&](std::string_view key, std::string_view) {
                                   docs.push_back(*PostingKeyDocument(key));
                                   return Status::OK();
                                 })
                  .ok());
  EXPECT_EQ(docs, (std::vector<uint64_t>{3, 4}));
  WriteBatch clear;
  clear.ClearPostings();
  ASSERT_TRUE(store->Write(clear).ok());
  EXPECT_FALSE(store->GetPosting(PostingKey(3, 1))->has_value());
}

TEST_F(StoreTest, SourcesRoundTripAndDelete) {
  auto store = OpenStore();
  WriteBatch batch;
  batch.PutSource("b.txt", "2");
  batch.PutSource("a.txt", "1");
  ASSERT_TRUE(store->Write(batch).ok());
  std::vector<std::string> paths;
  ASSERT_TRUE(store
                  ->ScanSources([&](std::string_view path, std::string_view) {
                    paths.emplace_back(path);
                    return Status::OK();
                  })
                  .ok());
  EXPECT_EQ(paths, (std::vector<std::string>{"a.txt", "b.txt"}));
  WriteBatch remove;
  remove.DeleteSource("a.txt");
  ASSERT_TRUE(store->Write(remove).ok());
  EXPECT_FALSE(store->GetSource("a.txt")->has_value());
  EXPECT_EQ(store->GetSource("b.txt")->value_or(""), "2");
}

TEST_F(StoreTest, PutVectorReplacesOnlyTheVector) {
  auto store = OpenStore();
  WriteBatch batch;
  std::vector<float> old_vector = {1, 2}, new_vector = {3, 4};
  batch.PutRecord(1, {"doc", "text", "{}", "src"}, old_vector);
  ASSERT_TRUE(store->Write(batch).ok());
  WriteBatch update;
  update.PutVector(1, new_vector);
  ASSERT_TRUE(store->Write(update).ok());
  std::vector<float> out;
  ASSERT_TRUE(store->GetVector(1, 2, &out).ok());
  EXPECT_EQ(out, new_vector);
  EXPECT_EQ(store->GetDoc(1)->source, "src");
}

}  // namespace
}  // namespace quiver::storage
