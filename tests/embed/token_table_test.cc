#include "embed/token_table.h"

#include <gtest/gtest.h>

#include <map>

#include "tests/fixtures/test_util.h"

namespace quiver::embed {
namespace {

EmbeddingMatrix RandomMatrix(int64_t rows, int64_t cols, uint64_t seed) {
  EmbeddingMatrix m{rows, cols, test::RandomVectors(rows, static_cast<int>(cols), seed)};
  return m;
}

TEST(TokenTableTest, MatrixRoundTripsAcrossChunks) {
  // 4 MiB chunks of 8 KiB rows: 512 rows per chunk, so 1300 rows span three chunks.
  const EmbeddingMatrix matrix = RandomMatrix(1300, 2048, 1);
  std::map<std::string, std::string> stored;
  for (auto& [key, value] : EncodeMatrix(matrix)) stored[key] = value;
  EXPECT_EQ(stored.size(), 4u);  // meta + 3 chunks
  auto lookup = [&](std::string_view key) -> Result<std::optional<std::string>> {
    auto it = stored.find(std::string(key));
    return it == stored.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto decoded = DecodeMatrix(lookup);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->rows, 1300);
  EXPECT_EQ(decoded->cols, 2048);
  EXPECT_EQ(decoded->data, matrix.data);

  stored.erase(std::prev(stored.end()));  // lose the last chunk
  EXPECT_TRUE(DecodeMatrix(lookup).status().IsCorruption());
  stored.clear();
  EXPECT_TRUE(DecodeMatrix(lookup).status().IsNotFound());
  stored["matrix.meta"] = "10 x 3";
  EXPECT_TRUE(DecodeMatrix(lookup).status().IsCorruption());
}

TEST(TokenTableTest, FingerprintIsStableAndSensitive) {
  EXPECT_EQ(Fingerprint({"abc", "def"}), Fingerprint({"abc", "def"}));
  EXPECT_NE(Fingerprint({"abc", "def"}), Fingerprint({"abcd", "ef"}));
  EXPECT_NE(Fingerprint({"abc"}), Fingerprint({"abd"}));
  EXPECT_EQ(Fingerprint({}).size(), 16u);
}

TEST(TokenTableTest, NearestRowsEqualsBruteForceCosine) {
  const EmbeddingMatrix matrix = RandomMatrix(200, 16, 7);
  const EmbeddingMatrix unit = UnitRows(matrix);
  for (int64_t query : {0, 57, 199}) {
    std::vector<float> rows(matrix.data.begin(), matrix.data.end());
    std::vector<float> q(matrix.Row(query).begin(), matrix.Row(query).end());
    auto expected = test::BruteForce(rows, 16, q, Metric::kCosine, 6);
    expected.erase(expected.begin());  // the query itself
    auto got = NearestRows(unit, query, 5);
    ASSERT_EQ(got.size(), 5u);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].row, static_cast<int64_t>(expected[i].row));
      EXPECT_NEAR(got[i].score, expected[i].score, 1e-5);
    }
  }
  EXPECT_TRUE(NearestRows(unit, -1, 5).empty());
  EXPECT_TRUE(NearestRows(unit, 200, 5).empty());
  EXPECT_EQ(NearestRows(unit, 3, 1000).size(), 199u);
}

TEST(TokenTableTest, ZeroRowsAreNeverNeighbours) {
  EmbeddingMatrix matrix{3, 2, {1, 0, 0, 0, 0.5f, 0.5f}};
  auto got = NearestRows(UnitRows(matrix), 0, 5);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].row, 2);
}

}  // namespace
}  // namespace quiver::embed
