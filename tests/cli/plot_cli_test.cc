// `quiver plot` on a crowded plot (weekdays and months, each a tight cluster): the SVG is
// rendered to pixels with rsvg-convert, one label at a time, and the test counts the pixels two
// labels paint, the pixels labels paint over points and over other labels' leader lines, and
// checks that every label is beside its point or linked to it by a leader line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <map>
#include <regex>

#include "tests/fixtures/svg_render.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 8;
constexpr double kFontSize = 12;  // PlotOptions' default
const std::vector<std::string> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};
const std::vector<std::string> kMonths = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
const std::vector<std::string> kOthers = {"apple", "river", "engine"};

// Everything hidden but the elements `visible` selects (a CSS selector).
std::string Only(const std::string& visible) {
  return "rect, line, circle, text { visibility: hidden; }\n" + visible +
         " { visibility: visible; }\n";
}

// The pixels a rendering paints (alpha > 0), as a mask.
std::vector<bool> Painted(const test::Image& image) {
  std::vector<bool> mask(static_cast<size_t>(image.width) * image.height);
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) mask[size_t(y) * image.width + x] = image.Alpha(x, y) > 0;
  }
  return mask;
}

struct Ink {
  int x0 = 1 << 30, y0 = 1 << 30, x1 = -1, y1 = -1;  // painted pixels' bounding box (inclusive)
  bool empty() const { return x1 < 0; }
  // Distance from (x, y) to the box of pixel squares.
  double DistanceTo(double x, double y) const {
    const double dx = std::max({x0 - x, 0.0, x - (x1 + 1)});
    const double dy = std::max({y0 - y, 0.0, y - (y1 + 1)});
    return std::hypot(dx, dy);
  }
};

Ink InkOf(const std::vector<bool>& mask, int width) {
  Ink ink;
  for (size_t p = 0; p < mask.size(); ++p) {
    if (!mask[p]) continue;
    const int x = static_cast<int>(p % width), y = static_cast<int>(p / width);
    ink = {std::min(ink.x0, x), std::min(ink.y0, y), std::max(ink.x1, x), std::max(ink.y1, y)};
  }
  return ink;
}

// Attribute `name` of the element with id `id` in `svg`, as a number; NAN when absent.
double Attribute(const std::string& svg, const std::string& id, const std::string& name) {
  const size_t at = svg.find("id=\"" + id + "\"");
  if (at == std::string::npos) return NAN;
  const size_t start = svg.rfind('<', at), end = svg.find('>', at);
  const std::string element = svg.substr(start, end - start);
  const std::regex attribute(" " + name + "=\"([-0-9.]+)\"");
  std::smatch m;
  return std::regex_search(element, m, attribute) ? std::stod(m[1]) : NAN;
}

class PlotCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rsvg_ = test::RsvgConvertPath();
    if (rsvg_.empty()) {
      GTEST_SKIP() << "rsvg-convert is not installed (Debian package librsvg2-bin; "
                      "scripts/setup.sh installs it)";
    }
    // Three far-apart directions: the weekdays, the months and the other words each sit
    // within 1% of theirs, so each group is one crowded spot of the plot.
    const std::vector<float> noise = test::RandomVectors(64, kDim, 21);
    std::string text;
    size_t row = 0;
    auto add_group = [&](const std::vector<std::string>& words, int axis, float spread) {
      for (const std::string& word : words) {
        text += word;
        for (int i = 0; i < kDim; ++i) {
          const float base = i == axis ? 5.0f : 0.0f;
          text += " " + std::to_string(base + spread * noise[row * kDim + i]);
        }
        text += "\n";
        ++row;
      }
    };
    add_group(kWeekdays, 0, 0.05f);
    add_group(kMonths, 1, 0.05f);
    add_group(kOthers, 2, 1.5f);
    test::WriteFile(dir_.Sub("vectors.txt"), text);
    ASSERT_EQ(test::RunCli({"create", db_, "--dim", std::to_string(kDim)}).exit_code, 0);
    auto imported = test::RunCli({"import", db_, "--word-vectors", dir_.Sub("vectors.txt")});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    words_ = kWeekdays;
    words_.insert(words_.end(), kMonths.begin(), kMonths.end());
    words_.insert(words_.end(), kOthers.begin(), kOthers.end());
  }

  std::vector<bool> Render(const std::string& svg, const std::string& stylesheet) {
    test::Image image;
    std::string error;
    EXPECT_TRUE(test::RenderSvg(svg, stylesheet, dir_.path(), &image, &error)) << error;
    width_ = image.width;
    return Painted(image);
  }

  // Pixels painted in at least two of `masks`.
  static size_t SharedPixels(const std::vector<std::vector<bool>>& masks) {
    size_t shared = 0;
    for (size_t p = 0; !masks.empty() && p < masks[0].size(); ++p) {
      int count = 0;
      for (const auto& mask : masks) count += mask[p];
      shared += count >= 2;
    }
    return shared;
  }

  std::vector<std::vector<bool>> LabelMasks(const std::string& svg) {
    std::vector<std::vector<bool>> masks;
    for (size_t i = 0; i < words_.size(); ++i) {
      masks.push_back(Render(svg, Only("#label-" + std::to_string(i))));
    }
    return masks;
  }

  test::TempDir dir_;
  const std::string db_ = dir_.Sub("db");
  std::string rsvg_;
  std::vector<std::string> words_;
  int width_ = 0;
};

TEST_F(PlotCliTest, CrowdedLabelsDoNotOverlapAndAreLinkedToTheirPoints) {
  std::vector<std::string> args = {"plot", db_};
  args.insert(args.end(), words_.begin(), words_.end());
  args.insert(args.end(), {"-o", dir_.Sub("plot.svg")});
  auto plot = test::RunCli(args);
  ASSERT_EQ(plot.exit_code, 0) << plot.err;
  const std::string svg = test::ReadFile(dir_.Sub("plot.svg"));

  const std::vector<std::vector<bool>> labels = LabelMasks(svg);
  const std::vector<bool> points = Render(svg, Only("circle"));
  size_t on_points = 0, leaders = 0, leader_pixels_under_labels = 0;
  for (size_t i = 0; i < words_.size(); ++i) {
    const Ink ink = InkOf(labels[i], width_);
    ASSERT_FALSE(ink.empty()) << words_[i] << " is not drawn";
    for (size_t p = 0; p < points.size(); ++p) on_points += labels[i][p] && points[p];
    const std::string n = std::to_string(i);
    const double cx = Attribute(svg, "point-" + n, "cx"), cy = Attribute(svg, "point-" + n, "cy");
    const double r = Attribute(svg, "point-" + n, "r");
    ASSERT_TRUE(std::isfinite(cx) && std::isfinite(cy)) << words_[i];
    const double x1 = Attribute(svg, "leader-" + n, "x1");
    if (std::isnan(x1)) {
      // Beside its point: within a font size (12) of the marker and its 2-pixel gap.
      EXPECT_LE(ink.DistanceTo(cx, cy), r + 2 + kFontSize) << words_[i] << " is away, unlinked";
      continue;
    }
    ++leaders;
    const double y1 = Attribute(svg, "leader-" + n, "y1");
    const double x2 = Attribute(svg, "leader-" + n, "x2"), y2 = Attribute(svg, "leader-" + n, "y2");
    EXPECT_LE(std::hypot(x1 - cx, y1 - cy), r + 1.5) << words_[i] << "'s leader misses its point";
    // It ends at the label's box: the text's ink is at most half a font size inside it.
    EXPECT_LE(ink.DistanceTo(x2, y2), kFontSize / 2) << words_[i] << "'s leader misses its label";
    // The leader runs under no other label.
    const std::vector<bool> line = Render(svg, Only("#leader-" + n));
    size_t crossed = 0;
    for (size_t j = 0; j < words_.size(); ++j) {
      if (j == i) continue;
      for (size_t p = 0; p < line.size(); ++p) crossed += line[p] && labels[j][p];
    }
    // A few anti-aliased pixels where a line passes a label's corner are a graze, not a cross
    // (the placement keeps leaders out of other labels' boxes; label_placement_test checks it).
    EXPECT_LE(crossed, 8u) << words_[i] << "'s leader runs under another label";
    leader_pixels_under_labels += crossed;
  }
  const size_t shared = SharedPixels(labels);
  RecordProperty("label_pixels_painted_twice", std::to_string(shared));
  RecordProperty("leader_lines", std::to_string(leaders));
  RecordProperty("leader_pixels_under_other_labels", std::to_string(leader_pixels_under_labels));
  EXPECT_EQ(shared, 0u) << "labels overlap";
  EXPECT_EQ(on_points, 0u) << "labels paint over points";
  EXPECT_GE(leaders, 1u) << "19 labels in two crowded spots need leader lines";

  // The measure sees overlaps: every label drawn right of its point, as a naive plot does.
  std::string naive = svg;
  for (size_t i = 0; i < words_.size(); ++i) {
    const std::string n = std::to_string(i);
    const double cx = Attribute(svg, "point-" + n, "cx"), cy = Attribute(svg, "point-" + n, "cy");
    const std::regex label("<text class=\"label\" x=\"[-0-9.]+\" y=\"[-0-9.]+\" id=\"label-" + n +
                           "\"");
    naive = std::regex_replace(naive, label,
                               "<text class=\"label\" x=\"" + std::to_string(cx + 5) + "\" y=\"" +
                                   std::to_string(cy + 4) + "\" id=\"label-" + n + "\"");
  }
  const size_t naive_shared = SharedPixels(LabelMasks(naive));
  RecordProperty("naive_label_pixels_painted_twice", std::to_string(naive_shared));
  EXPECT_GT(naive_shared, 500u);
}

TEST_F(PlotCliTest, UnknownWordIsOneLineNamingIt) {
  auto plot = test::RunCli({"plot", db_, "Monday", "Moonday", "-o", dir_.Sub("no.svg")});
  EXPECT_EQ(plot.exit_code, 3);
  std::string err = plot.err;  // the vocabulary may hold "Monday" or "monday"
  std::transform(err.begin(), err.end(), err.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  EXPECT_NE(err.find("\"moonday\" is not one token"), std::string::npos) << plot.err;
  EXPECT_NE(err.find("similar: \"monday\""), std::string::npos) << plot.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("no.svg")));
  EXPECT_EQ(std::count(plot.err.begin(), plot.err.end(), '\n'), 1) << plot.err;
}

// An unwritable output names the file asked for and the system's reason, not the temporary.
TEST_F(PlotCliTest, UnwritableOutputSaysWhy) {
  auto plot = test::RunCli({"plot", db_, "Monday", "Tuesday", "-o", "/nonexistent/dir/x.svg"});
  EXPECT_EQ(plot.exit_code, 1) << plot.err;
  EXPECT_NE(plot.err.find("cannot write /nonexistent/dir/x.svg: No such file or directory"),
            std::string::npos)
      << plot.err;
  EXPECT_EQ(plot.err.find(".tmp"), std::string::npos) << plot.err;
}

}  // namespace
}  // namespace quiver
