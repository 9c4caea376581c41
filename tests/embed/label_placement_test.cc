// Label placement for scatter plots: no overlaps where there is room, leader lines linking
// labels that had to move away from crowded points, and the geometry helpers it relies on.
#include "embed/label_placement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "tests/fixtures/test_util.h"

namespace quiver::embed {
namespace {

constexpr double kRadius = 3;
const Box kBounds{70, 20, 780, 550};

bool Near(double ax, double ay, double bx, double by, double tolerance) {
  return std::hypot(ax - bx, ay - by) <= tolerance;
}

// Checks what a placement promises: every label placed, inside the bounds, overlapping no
// other label and no marker; a label away from its point has a leader from the marker's edge
// to the box's edge that runs through no other label or marker.
void ExpectClean(const std::vector<LabelSpec>& points, const std::vector<LabelPlacement>& got) {
  ASSERT_EQ(got.size(), points.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_TRUE(got[i].placed) << i;
    const Box& b = got[i].box;
    EXPECT_NEAR(b.x1 - b.x0, points[i].width, 1e-9);
    EXPECT_NEAR(b.y1 - b.y0, points[i].height, 1e-9);
    EXPECT_NEAR(OverlapArea(b, kBounds), b.Area(), 1e-9) << "label " << i << " leaves the bounds";
    for (size_t j = 0; j < got.size(); ++j) {
      const Box marker{points[j].x - kRadius, points[j].y - kRadius, points[j].x + kRadius,
                       points[j].y + kRadius};
      EXPECT_EQ(OverlapArea(b, marker), 0.0) << "label " << i << " on point " << j;
      if (j == i) continue;
      EXPECT_EQ(OverlapArea(b, got[j].box), 0.0) << "labels " << i << " and " << j;
      if (got[i].leader) {
        EXPECT_FALSE(SegmentEntersBox(got[i].line, got[j].box)) << "leader " << i << " label " << j;
        EXPECT_FALSE(SegmentEntersBox(got[i].line, marker)) << "leader " << i << " point " << j;
      }
    }
    const double gap =
        std::max({b.x0 - points[i].x, points[i].x - b.x1, b.y0 - points[i].y, points[i].y - b.y1});
    if (!got[i].leader) {
      EXPECT_LE(gap, kRadius + 2 + 1e-9) << "label " << i << " is away from its point unlinked";
      continue;
    }
    const Segment& l = got[i].line;
    EXPECT_TRUE(Near(l.x0, l.y0, points[i].x, points[i].y, kRadius + 1 + 1e-9)) << i;
    const double ex = std::clamp(points[i].x, b.x0, b.x1), ey = std::clamp(points[i].y, b.y0, b.y1);
    EXPECT_TRUE(Near(l.x1, l.y1, ex, ey, 1e-9)) << i;
  }
}

TEST(LabelPlacementTest, SegmentHelpers) {
  const Box box{0, 0, 10, 10};
  EXPECT_TRUE(SegmentEntersBox({-5, 5, 15, 5}, box));
  EXPECT_TRUE(SegmentEntersBox({5, 5, 6, 6}, box));
  EXPECT_FALSE(SegmentEntersBox({-5, -1, 15, -1}, box));
  EXPECT_FALSE(SegmentEntersBox({-5, 0, 15, 0}, box));  // along an edge: not inside
  EXPECT_FALSE(SegmentEntersBox({11, -5, 20, 5}, box));
  EXPECT_TRUE(SegmentsCross({0, 0, 10, 10}, {0, 10, 10, 0}));
  EXPECT_FALSE(SegmentsCross({0, 0, 10, 10}, {20, 0, 30, 10}));
  EXPECT_FALSE(SegmentsCross({0, 0, 10, 0}, {10, 0, 10, 10}));  // touching at an end
  EXPECT_EQ(OverlapArea({0, 0, 2, 2}, {1, 1, 3, 3}), 1.0);
  EXPECT_EQ(OverlapArea({0, 0, 1, 1}, {1, 0, 2, 1}), 0.0);
}

TEST(LabelPlacementTest, SparsePointsKeepTheirLabelsBesideThemWithoutLeaders) {
  const std::vector<LabelSpec> points = {
      {200, 200, 50, 15}, {400, 300, 60, 15}, {600, 100, 40, 15}, {300, 450, 70, 15}};
  const auto got = PlaceLabels(points, kRadius, kBounds);
  ExpectClean(points, got);
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_FALSE(got[i].leader) << i;
    EXPECT_EQ(got[i].box.x0, points[i].x + kRadius + 2) << "first choice: right of the point";
  }
}

TEST(LabelPlacementTest, ACrowdedClusterGetsLeadersAndNoOverlap) {
  // Twelve month names within a few pixels of each other: at most 8 fit beside the points.
  const double widths[12] = {52, 56, 38, 30, 28, 30, 26, 45, 67, 50, 60, 60};
  std::vector<LabelSpec> points;
  for (int i = 0; i < 12; ++i) {
    points.push_back({400 + 3 * std::cos(i), 300 + 3 * std::sin(i), widths[i], 15.2});
  }
  points.push_back({120, 500, 40, 15.2});  // and two far away
  points.push_back({700, 60, 40, 15.2});
  const auto got = PlaceLabels(points, kRadius, kBounds);
  ExpectClean(points, got);
  size_t leaders = 0;
  for (const auto& p : got) leaders += p.leader;
  EXPECT_GE(leaders, 4u);
  EXPECT_FALSE(got[12].leader);
  EXPECT_FALSE(got[13].leader);
}

TEST(LabelPlacementTest, PointsWithoutLabelsAreObstaclesOnly) {
  std::vector<LabelSpec> points = {{400, 300, 50, 15}};
  for (int i = 0; i < 8; ++i)
    points.push_back({400 + 30 * std::cos(i), 300 + 12 * std::sin(i), 0, 0});
  const auto got = PlaceLabels(points, kRadius, kBounds);
  for (size_t i = 1; i < got.size(); ++i) EXPECT_FALSE(got[i].placed);
  ASSERT_TRUE(got[0].placed);
  for (size_t j = 1; j < points.size(); ++j) {
    const Box marker{points[j].x - kRadius, points[j].y - kRadius, points[j].x + kRadius,
                     points[j].y + kRadius};
    EXPECT_EQ(OverlapArea(got[0].box, marker), 0.0) << j;
  }
}

TEST(LabelPlacementTest, PlacementIsDeterministicAndBoundedInTime) {
  const std::vector<float> random = test::RandomVectors(300, 2, 3);
  std::vector<LabelSpec> points;
  for (int i = 0; i < 300; ++i) {
    points.push_back({425 + 300 * random[2 * i], 285 + 220 * random[2 * i + 1], 48, 15});
  }
  const auto start = std::chrono::steady_clock::now();
  const auto first = PlaceLabels(points, kRadius, kBounds);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("seconds_for_300_labels", std::to_string(seconds));
  EXPECT_LT(seconds, 60.0);  // a guard against runaway work, not a benchmark
  const auto second = PlaceLabels(points, kRadius, kBounds);
  for (size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].box.x0, second[i].box.x0);
    EXPECT_EQ(first[i].box.y0, second[i].box.y0);
  }
}

}  // namespace
}  // namespace quiver::embed
