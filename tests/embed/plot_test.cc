#include "embed/plot.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <regex>
#include <string>
#include <vector>

namespace quiver::embed {
namespace {

using Points = std::vector<std::array<double, 2>>;

double Distance(const std::array<double, 2>& a, const std::array<double, 2>& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1]);
}

size_t CountOf(const std::string& haystack, const std::string& needle) {
  size_t count = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// True when every element is closed in order (<?...?> and self-closing tags aside) and no raw
// '&' or '<' appears in character data.
bool TagsBalanced(const std::string& xml) {
  std::vector<std::string> open;
  for (size_t i = 0; i < xml.size(); ++i) {
    if (xml[i] == '&') {
      const size_t semi = xml.find(';', i);
      if (semi == std::string::npos || semi - i > 6) return false;
      continue;
    }
    if (xml[i] != '<') continue;
    const size_t end = xml.find('>', i);
    if (end == std::string::npos) return false;
    const std::string tag = xml.substr(i + 1, end - i - 1);
    i = end;
    if (tag.empty() || tag[0] == '?') continue;
    if (tag.find('<') != std::string::npos) return false;
    if (tag.back() == '/') continue;
    const size_t name_end = tag.find_first_of(" \n\t/");
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return false;
      open.pop_back();
    } else {
      open.push_back(tag.substr(0, name_end));
    }
  }
  return open.empty();
}

struct LabelPosition {
  double x, y;
  std::string text;
};

std::vector<LabelPosition> LabelPositions(const std::string& svg) {
  static const std::regex kLabel(
      R"re(<text class="label" x="([-0-9.]+)" y="([-0-9.]+)" id="label-[0-9]+">([^<]*)</text>)re");
  std::vector<LabelPosition> out;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), kLabel); it != std::sregex_iterator();
       ++it) {
    out.push_back({std::stod((*it)[1]), std::stod((*it)[2]), (*it)[3]});
  }
  return out;
}

std::string Lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(PlotTest, CollinearPointsProjectToTheFirstAxisWithTheSignConvention) {
  const std::vector<float> base = {1, 2, 3, 4, 5};
  const std::vector<float> dir = {0.5f, -2.0f, 1.0f, 0.25f, 0.0f};  // |dir| = 2.3184...
  const std::vector<float> t = {-2, -1, 0, 1, 3};
  std::vector<std::vector<float>> vectors;
  for (float ti : t) {
    std::vector<float> v(base);
    for (size_t j = 0; j < v.size(); ++j) v[j] += ti * dir[j];
    vectors.push_back(v);
  }
  Result<Points> points = ProjectToPlane(vectors);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 5u);
  const double norm = std::sqrt(0.25 + 4.0 + 1.0 + 0.0625);
  const double mean_t = 0.2;
  for (size_t i = 0; i < t.size(); ++i) {
    EXPECT_NEAR((*points)[i][1], 0.0, 1e-5);
    // The largest loading is dir's -2 entry, so the axis is -dir / |dir|.
    EXPECT_NEAR((*points)[i][0], -(t[i] - mean_t) * norm, 1e-5);
  }
}

TEST(PlotTest, PlanarDataKeepsItsDistancesUpToRotation) {
  const Points plane = {{0, 0}, {3, 0}, {0, 1}, {-1, -2}, {2, 2.5}, {0.5, -1}};
  // An orthonormal basis of a plane in R^4, plus an offset.
  const std::array<double, 4> u = {0.5, 0.5, 0.5, 0.5}, w = {0.5, -0.5, 0.5, -0.5};
  std::vector<std::vector<float>> vectors;
  for (const auto& p : plane) {
    std::vector<float> v(4);
    for (int j = 0; j < 4; ++j) v[j] = static_cast<float>(7 + p[0] * u[j] + p[1] * w[j]);
    vectors.push_back(v);
  }
  Result<Points> points = ProjectToPlane(vectors);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  for (size_t i = 0; i < plane.size(); ++i) {
    for (size_t j = i + 1; j < plane.size(); ++j) {
      EXPECT_NEAR(Distance((*points)[i], (*points)[j]), Distance(plane[i], plane[j]), 1e-4);
    }
  }
  // First axis has the larger variance; both coordinates are centred.
  double var0 = 0, var1 = 0, sum0 = 0, sum1 = 0;
  for (const auto& p : *points) {
    var0 += p[0] * p[0];
    var1 += p[1] * p[1];
    sum0 += p[0];
    sum1 += p[1];
  }
  EXPECT_GE(var0, var1);
  EXPECT_NEAR(sum0, 0.0, 1e-9);
  EXPECT_NEAR(sum1, 0.0, 1e-9);
}

TEST(PlotTest, ProjectionIsDeterministic) {
  std::vector<std::vector<float>> vectors;
  for (int i = 0; i < 30; ++i) {
    std::vector<float> v(50);
    for (int j = 0; j < 50; ++j) v[j] = static_cast<float>(std::sin(0.37 * i * j + i) + 0.01 * j);
    vectors.push_back(v);
  }
  Result<Points> a = ProjectToPlane(vectors), b = ProjectToPlane(vectors);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(PlotTest, DegenerateDataGivesZerosNotNan) {
  Result<Points> equal = ProjectToPlane({{1, 2, 3}, {1, 2, 3}, {1, 2, 3}});
  ASSERT_TRUE(equal.ok());
  for (const auto& p : *equal) EXPECT_EQ(p, (std::array<double, 2>{0, 0}));

  Result<Points> one_dim = ProjectToPlane({{1}, {4}, {-2}});
  ASSERT_TRUE(one_dim.ok());
  EXPECT_NEAR((*one_dim)[0][0], 0.0, 1e-12);
  EXPECT_NEAR((*one_dim)[1][0], 3.0, 1e-12);
  EXPECT_NEAR((*one_dim)[2][0], -3.0, 1e-12);
  for (const auto& p : *one_dim) EXPECT_EQ(p[1], 0.0);

  Result<Points> two = ProjectToPlane({{0, 0, 0}, {3, 4, 0}});
  ASSERT_TRUE(two.ok());
  EXPECT_NEAR(Distance((*two)[0], (*two)[1]), 5.0, 1e-9);
  EXPECT_EQ((*two)[0][1], 0.0);
  EXPECT_EQ((*two)[1][1], 0.0);
}

TEST(PlotTest, InvalidInputIsRefusedWithExpectedAndFound) {
  EXPECT_TRUE(ProjectToPlane({}).status().IsInvalidArgument());
  EXPECT_TRUE(ProjectToPlane({{1, 2}}).status().IsInvalidArgument());
  EXPECT_TRUE(ProjectToPlane({{}, {}}).status().IsInvalidArgument());
  const Status mismatch = ProjectToPlane({{1, 2, 3}, {1, 2}}).status();
  ASSERT_TRUE(mismatch.IsInvalidArgument());
  EXPECT_NE(mismatch.message().find("expected 3"), std::string::npos) << mismatch.message();
  EXPECT_NE(mismatch.message().find("dimension 2"), std::string::npos) << mismatch.message();
  EXPECT_TRUE(ProjectToPlane({{1, NAN}, {1, 2}}).status().IsInvalidArgument());
}

TEST(PlotTest, SvgIsWellFormedWithOneCircleAndLabelPerPoint) {
  const std::vector<std::string> labels = {"king", "queen", "a<b & \"c\" 'd'", "café", "日本"};
  const Points points = {{1.5, 2}, {-3, 0.25}, {0, -1}, {2, 2.2}, {-1, 1}};
  SvgOptions options;
  options.title = "Words & <vectors>";
  const std::string svg = RenderScatterSvg(labels, points, options);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""),
            std::string::npos);
  EXPECT_TRUE(TagsBalanced(svg)) << svg;
  EXPECT_EQ(CountOf(svg, "<circle"), labels.size());
  EXPECT_EQ(CountOf(svg, "<text class=\"label\""), labels.size());
  EXPECT_NE(svg.find(">a&lt;b &amp; &quot;c&quot; &apos;d&apos;</text>"), std::string::npos);
  EXPECT_NE(svg.find(">café</text>"), std::string::npos);
  EXPECT_NE(svg.find(">日本</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>Words &amp; &lt;vectors&gt;</title>"), std::string::npos);
  EXPECT_NE(svg.find("<text class=\"tick\""), std::string::npos);
  EXPECT_EQ(Lowercase(svg).find("nan"), std::string::npos);
  EXPECT_EQ(Lowercase(svg).find("inf"), std::string::npos);
}

TEST(PlotTest, TicksAreEvenlySpacedNiceNumbers) {
  const Points points = {{0, -0.03}, {10, 0.04}, {4, 0.0}};
  const std::string svg = RenderScatterSvg({"a", "b", "c"}, points, SvgOptions{});
  static const std::regex kTick(
      R"re(<text class="tick" x="([-0-9.]+)" y="[-0-9.]+" text-anchor="middle">([^<]*)</text>)re");
  std::vector<double> xs;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), kTick); it != std::sregex_iterator();
       ++it) {
    xs.push_back(std::stod((*it)[2]));
  }
  ASSERT_GE(xs.size(), 3u);
  const double step = xs[1] - xs[0];
  for (size_t i = 1; i < xs.size(); ++i) EXPECT_NEAR(xs[i] - xs[i - 1], step, 1e-9);
  const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
  EXPECT_TRUE(std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 ||
              std::abs(mantissa - 5) < 1e-9)
      << step;
  EXPECT_LE(xs.front(), 0.0);
  EXPECT_GE(xs.back(), 10.0);
}

TEST(PlotTest, LabelsOfNearbyPointsDoNotCollide) {
  const std::vector<std::string> labels = {"alpha", "alpine", "far", "other"};
  const Points points = {{0, 0}, {0.001, 0.001}, {10, 10}, {-10, 5}};
  SvgOptions options;
  const std::string svg = RenderScatterSvg(labels, points, options);
  const std::vector<LabelPosition> placed = LabelPositions(svg);
  ASSERT_EQ(placed.size(), 4u);
  const double fs = options.font_size;
  const auto box_of = [&](const LabelPosition& p) {
    return std::array<double, 4>{p.x, p.y - 0.8 * fs, p.x + 0.6 * fs * p.text.size(),
                                 p.y + 0.2 * fs};
  };
  const auto a = box_of(placed[0]), b = box_of(placed[1]);
  EXPECT_FALSE(placed[0].x == placed[1].x && placed[0].y == placed[1].y);
  const bool overlap = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
  EXPECT_FALSE(overlap) << svg;
}

TEST(PlotTest, EveryLabelStaysInsideTheDrawingWhenThereIsRoom) {
  const Points points = {{0, 0}, {1, 1}, {1, 0}, {0, 1}};
  SvgOptions options;
  options.width = 400;
  options.height = 300;
  const std::string svg =
      RenderScatterSvg({"bottom-left", "top-right", "bottom-right", "top-left"}, points, options);
  for (const LabelPosition& p : LabelPositions(svg)) {
    EXPECT_GE(p.x, 0.0) << p.text;
    EXPECT_LE(p.x + 0.6 * options.font_size * p.text.size(), 400.0) << p.text;
    EXPECT_GE(p.y - 0.8 * options.font_size, 0.0) << p.text;
    EXPECT_LE(p.y, 300.0) << p.text;
  }
}

TEST(PlotTest, ProjectedDegenerateDataRendersWithoutNan) {
  Result<Points> points = ProjectToPlane({{2, 2}, {2, 2}});
  ASSERT_TRUE(points.ok());
  const std::string svg = RenderScatterSvg({"x", "y"}, *points, SvgOptions{});
  EXPECT_TRUE(TagsBalanced(svg));
  EXPECT_EQ(Lowercase(svg).find("nan"), std::string::npos);
  EXPECT_EQ(CountOf(svg, "<circle"), 2u);
  // A point with a non-finite coordinate is left out, not drawn at NaN.
  const std::string partial = RenderScatterSvg({"ok", "bad"}, {{0, 0}, {NAN, 1}}, SvgOptions{});
  EXPECT_EQ(CountOf(partial, "<circle"), 1u);
  EXPECT_EQ(Lowercase(partial).find("nan"), std::string::npos);
}

}  // namespace
}  // namespace quiver::embed
