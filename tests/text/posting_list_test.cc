#include "text/posting_list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace quiver::text {
namespace {

struct Ref {
  uint64_t doc;
  uint32_t len;
  std::vector<uint32_t> positions;
};

std::vector<Ref> RandomPostings(size_t n, std::mt19937_64* rng) {
  std::vector<Ref> out;
  uint64_t doc = (*rng)() % 5;
  for (size_t i = 0; i < n; ++i) {
    doc += 1 + (*rng)() % ((*rng)() % 4 == 0 ? 100000 : 3);
    uint32_t freq = 1 + (*rng)() % ((*rng)() % 10 == 0 ? 40 : 3);
    std::vector<uint32_t> pos;
    uint32_t p = (*rng)() % 3;
    for (uint32_t j = 0; j < freq; ++j) pos.push_back(p += (*rng)() % 20);
    out.push_back({doc, freq + static_cast<uint32_t>((*rng)() % 50), pos});
  }
  return out;
}

PostingList Build(const std::vector<Ref>& refs) {
  PostingList list;
  for (const Ref& r : refs) {
    list.Append(r.doc, static_cast<uint32_t>(r.positions.size()), r.positions.data(), r.len);
  }
  return list;
}

void ExpectSame(const PostingList& list, const std::vector<Ref>& refs) {
  ASSERT_EQ(list.size(), refs.size());
  PostingCursor c(list);
  for (const Ref& r : refs) {
    ASSERT_EQ(c.Doc(), r.doc);
    ASSERT_EQ(c.Freq(), r.positions.size());
    std::span<const uint32_t> pos = c.Positions();
    ASSERT_EQ(std::vector<uint32_t>(pos.begin(), pos.end()), r.positions);
    c.Next();
  }
  EXPECT_EQ(c.Doc(), PostingCursor::kEnd);
}

int64_t LengthFrom(const std::vector<Ref>& refs, uint64_t doc) {
  auto it = std::lower_bound(refs.begin(), refs.end(), doc,
                             [](const Ref& r, uint64_t d) { return r.doc < d; });
  return it != refs.end() && it->doc == doc ? it->len : -1;
}

TEST(PostingListTest, RoundTripOverRandomLists) {
  std::mt19937_64 rng(7);
  for (size_t n : {0, 1, 127, 128, 129, 10000}) {
    SCOPED_TRACE(n);
    std::vector<Ref> refs = RandomPostings(n, &rng);
    PostingList list = Build(refs);
    EXPECT_EQ(list.block_count(), n / PostingList::kBlockSize);
    EXPECT_EQ(list.tail_size(), n % PostingList::kBlockSize);
    ExpectSame(list, refs);
    if (n == 0) continue;
    std::string bytes;
    list.AppendTo(&bytes);
    PostingList parsed;
    size_t pos = 0;
    Status s = PostingList::ParseFrom(
        bytes, &pos, [&](uint64_t d) { return LengthFrom(refs, d); }, &parsed);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(pos, bytes.size());
    ExpectSame(parsed, refs);
    EXPECT_EQ(parsed.MaxFreq(), list.MaxFreq());
    EXPECT_EQ(parsed.MinDocLen(), list.MinDocLen());
    list.Seal();
    EXPECT_EQ(list.tail_size(), 0u);
    ExpectSame(list, refs);
  }
}

TEST(PostingListTest, AdvanceSemantics) {
  std::mt19937_64 rng(11);
  std::vector<Ref> refs = RandomPostings(1000, &rng);
  PostingList list = Build(refs);
  for (int trial = 0; trial < 300; ++trial) {
    PostingCursor c(list);
    uint64_t target = 0;
    size_t steps = 1 + rng() % 20;
    for (size_t s = 0; s < steps; ++s) {
      target += rng() % (rng() % 3 == 0 ? 2000000 : 300);
      uint64_t before = c.Doc();
      c.Advance(target);
      auto it = std::lower_bound(refs.begin(), refs.end(), std::max(target, before),
                                 [](const Ref& r, uint64_t d) { return r.doc < d; });
      uint64_t want = it == refs.end() ? PostingCursor::kEnd : it->doc;
      ASSERT_EQ(c.Doc(), want);
      if (want != PostingCursor::kEnd) {
        ASSERT_EQ(c.Freq(), it->positions.size());
        std::span<const uint32_t> pos = c.Positions();
        ASSERT_EQ(std::vector<uint32_t>(pos.begin(), pos.end()), it->positions);
      }
    }
  }
  PostingCursor c(list);
  c.Advance(refs[500].doc);
  EXPECT_EQ(c.Doc(), refs[500].doc);
  c.Advance(refs[10].doc);  // never backwards
  EXPECT_EQ(c.Doc(), refs[500].doc);
  c.Advance(PostingCursor::kEnd);
  EXPECT_EQ(c.Doc(), PostingCursor::kEnd);
  c.Next();
  EXPECT_EQ(c.Doc(), PostingCursor::kEnd);
}

TEST(PostingListTest, BlockSkipDataBoundsEveryPosting) {
  std::mt19937_64 rng(5);
  std::vector<Ref> refs = RandomPostings(1000, &rng);
  PostingList list = Build(refs);
  Bm25Params params;
  for (const Ref& r : refs) {
    PostingCursor c(list);
    c.ShallowAdvance(r.doc);
    EXPECT_GE(c.BlockMaxDoc(), r.doc);
    EXPECT_GE(c.BlockMaxFreq(), r.positions.size());
    EXPECT_LE(c.BlockMinDocLen(), r.len);
    float score =
        Bm25TermScore(2.0f, static_cast<uint32_t>(r.positions.size()), r.len, 20.0f, params);
    EXPECT_GE(c.BlockUpperBound(2.0f, 20.0f, params), score);
    EXPECT_EQ(c.Doc(), refs[0].doc);  // shallow moves decode nothing
  }
  PostingCursor c(list);
  c.ShallowAdvance(refs.back().doc + 1);
  EXPECT_EQ(c.BlockMaxDoc(), PostingCursor::kEnd);
  EXPECT_EQ(c.BlockUpperBound(2.0f, 20.0f, params), 0.0f);
}

TEST(PostingListTest, ParseRejectsCorruptBytes) {
  std::mt19937_64 rng(3);
  std::vector<Ref> refs = RandomPostings(300, &rng);
  PostingList list = Build(refs);
  std::string bytes;
  list.AppendTo(&bytes);
  auto len = [&](uint64_t d) { return LengthFrom(refs, d); };
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    PostingList parsed;
    size_t pos = 0;
    EXPECT_FALSE(PostingList::ParseFrom(bytes.substr(0, cut), &pos, len, &parsed).ok());
  }
  for (int trial = 0; trial < 500; ++trial) {
    std::string bad = bytes;
    bad[rng() % bad.size()] ^= static_cast<char>(1 + rng() % 255);
    PostingList parsed;
    size_t pos = 0;
    Status s = PostingList::ParseFrom(bad, &pos, len, &parsed);
    if (s.ok()) {  // a flip that still describes valid postings: iterate it all
      for (PostingCursor c(parsed); c.Doc() != PostingCursor::kEnd; c.Next()) c.Positions();
    } else {
      EXPECT_TRUE(s.IsCorruption());
    }
  }
}

}  // namespace
}  // namespace quiver::text
