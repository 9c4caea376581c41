#include "embed/plot.h"

#include <Eigen/Dense>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>

#include "embed/label_placement.h"
#include "quiver/display.h"
#include "util/utf8.h"

namespace quiver::embed {
namespace {

// ---------------------------------------------------------------------------------------------
// PCA

// An axis whose singular value is at most this fraction of the first one's is float rounding
// noise (or exactly zero) and projects to 0.
constexpr double kRelativeRankTolerance = 1e-6;

// OK when there are >= 2 vectors, all of the first one's non-zero dimension, all finite.
Status CheckVectors(const std::vector<std::vector<float>>& vectors) {
  if (vectors.size() < 2) {
    return Status::InvalidArgument("PCA needs at least 2 vectors, found " +
                                   std::to_string(vectors.size()));
  }
  const size_t dim = vectors[0].size();
  if (dim == 0) return Status::InvalidArgument("PCA needs vectors of dimension >= 1, found 0");
  for (size_t i = 0; i < vectors.size(); ++i) {
    if (vectors[i].size() != dim) {
      return Status::InvalidArgument("vector " + std::to_string(i) + " has dimension " +
                                     std::to_string(vectors[i].size()) + ", expected " +
                                     std::to_string(dim));
    }
    for (float v : vectors[i]) {
      if (!std::isfinite(v)) {
        return Status::InvalidArgument("vector " + std::to_string(i) +
                                       " has a non-finite component");
      }
    }
  }
  return Status::OK();
}

// The vectors as rows of a double matrix, each column centred on its mean.
Eigen::MatrixXd CenteredRows(const std::vector<std::vector<float>>& vectors) {
  const Eigen::Index n = static_cast<Eigen::Index>(vectors.size());
  const Eigen::Index d = static_cast<Eigen::Index>(vectors[0].size());
  Eigen::MatrixXd x(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < d; ++j) x(i, j) = vectors[i][j];
  }
  x.rowwise() -= x.colwise().mean();
  return x;
}

// Flips `axis` so that its largest-magnitude entry (the first one on ties) is positive.
void FixSign(Eigen::VectorXd& axis) {
  Eigen::Index best = 0;
  for (Eigen::Index k = 1; k < axis.size(); ++k) {
    if (std::abs(axis(k)) > std::abs(axis(best))) best = k;
  }
  if (axis(best) < 0) axis = -axis;
}

// ---------------------------------------------------------------------------------------------
// Text

// Length of the well-formed UTF-8 sequence at s[i] if XML allows its character, else 0: 0 for
// ill-formed bytes (utf8::ValidSequenceLength) and for U+FFFE / U+FFFF, which XML excludes.
size_t XmlCharLength(std::string_view s, size_t i) {
  const size_t len = utf8::ValidSequenceLength(s, i);
  if (len == 3) {
    const char32_t c = utf8::DecodeAt(s, i, len);
    if (c == 0xFFFE || c == 0xFFFF) return 0;
  }
  return len;
}

// `text` as XML character data: markup characters escaped, valid UTF-8 kept, invalid bytes
// replaced by U+FFFD, control characters other than tab, newline and return dropped.
std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t len = XmlCharLength(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (len == 1) {
      const char c = text[i];
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&apos;";
          break;
        default:
          if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            out += c;
          }
      }
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

// `value` with `decimals` digits after the point; never "-0".
std::string FormatNumber(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%.*f", decimals, value);
  std::string s = buffer;
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);
  return s;
}

std::string Px(double value) { return FormatNumber(value, 2); }

// ---------------------------------------------------------------------------------------------
// Geometry

// One axis: the shown data range [lo, hi] and ticks at k·step for k = first..last, where step
// is 1, 2 or 5 × 10^k.
struct Axis {
  double lo = 0, hi = 1;
  double step = 1;
  long long first = 0, last = 0;
  int decimals = 0;
  double Tick(long long k) const { return static_cast<double>(k) * step; }
};

// The 1, 2 or 5 × 10^k nearest to raw (> 0) on a logarithmic scale.
double NiceStep(double raw) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / magnitude;
  const double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
  return nice * magnitude;
}

// An axis showing [min, max] (finite, min <= max) with a 5% margin and about 5 tick intervals;
// an empty range is widened around its value first.
Axis NiceAxis(double min, double max) {
  if (max - min <= 1e-12 * std::max(1.0, std::abs(max))) {
    const double half = min == 0 ? 1.0 : 0.1 * std::abs(min);
    min -= half;
    max += half;
  }
  const double pad = 0.05 * (max - min);
  Axis axis;
  axis.lo = min - pad;
  axis.hi = max + pad;
  axis.step = NiceStep((axis.hi - axis.lo) / 5);
  axis.first = static_cast<long long>(std::ceil(axis.lo / axis.step - 1e-9));
  axis.last = static_cast<long long>(std::floor(axis.hi / axis.step + 1e-9));
  axis.decimals = std::max(0, static_cast<int>(-std::floor(std::log10(axis.step) + 1e-9)));
  return axis;
}

// The plot area in SVG coordinates and the data-to-pixel mapping.
struct Frame {
  double left, top, right, bottom;
  Axis x, y;
  double PixelX(double v) const { return left + (v - x.lo) / (x.hi - x.lo) * (right - left); }
  double PixelY(double v) const { return bottom - (v - y.lo) / (y.hi - y.lo) * (bottom - top); }
};

Frame MakeFrame(const std::vector<std::array<double, 2>>& points, double width, double height,
                bool has_title) {
  double min_x = 0, max_x = 0, min_y = 0, max_y = 0;
  bool first = true;
  for (const auto& p : points) {
    if (first) {
      min_x = max_x = p[0];
      min_y = max_y = p[1];
      first = false;
    }
    min_x = std::min(min_x, p[0]);
    max_x = std::max(max_x, p[0]);
    min_y = std::min(min_y, p[1]);
    max_y = std::max(max_y, p[1]);
  }
  Frame frame{70, has_title ? 40.0 : 20.0, width - 20, height - 50, {}, {}};
  frame.x = NiceAxis(min_x, max_x);
  frame.y = NiceAxis(min_y, max_y);
  return frame;
}

// ---------------------------------------------------------------------------------------------
// Label sizes

// Advance widths of ASCII 0x20..0x7E in DejaVu Sans, in thousandths of the font size: the
// widest of the common sans-serif fonts (and the one librsvg uses on Debian), so a label box
// is rarely narrower than the text a viewer draws.
constexpr short kAsciiWidths[95] = {
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361,  318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635,  611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352,  635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,  525, 636, 337, 636, 838};

// The width of `text` as XmlEscape writes it, in units of the font size: ASCII by the table,
// a character two terminal columns wide (CJK) as 1, any other character (and U+FFFD for an
// invalid byte) as 0.8; dropped control characters take no room.
double TextWidthEm(std::string_view text) {
  double width = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t len = XmlCharLength(text, i);
    if (len == 1) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c >= 0x20 && c < 0x7F) width += kAsciiWidths[c - 0x20] / 1000.0;
      if (c == '\t' || c == '\n' || c == '\r') width += kAsciiWidths[0] / 1000.0;
    } else if (len > 1) {
      width += DisplayWidth(text.substr(i, len)) >= 2 ? 1.0 : 0.8;
    } else {
      width += 0.8;
    }
    i += std::max<size_t>(1, len);
  }
  return width;
}

// Label boxes: the text's ink lies in [baseline - 0.76, baseline + 0.24] font sizes (DejaVu
// Sans' ascenders and descenders), so a box of kLabelHeight font sizes with the baseline
// kBaseline below its top holds it, and kLabelPadding pixels around it keep neighbours apart.
constexpr double kLabelHeight = 1.1;
constexpr double kBaseline = 0.83;
constexpr double kLabelPadding = 1.0;

// ---------------------------------------------------------------------------------------------
// SVG pieces

std::string Line(double x0, double y0, double x1, double y1) {
  return "<line x1=\"" + Px(x0) + "\" y1=\"" + Px(y0) + "\" x2=\"" + Px(x1) + "\" y2=\"" + Px(y1) +
         "\"/>\n";
}

std::string Text(const std::string& cls, double x, double y, std::string_view text,
                 const std::string& extra = "") {
  return "<text class=\"" + cls + "\" x=\"" + Px(x) + "\" y=\"" + Px(y) + "\"" + extra + ">" +
         XmlEscape(text) + "</text>\n";
}

// Grid lines, axis lines, tick marks and tick numbers of both axes.
std::string AxesSvg(const Frame& f, double font_size) {
  std::string grid = "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n";
  std::string ticks = "<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">\n";
  std::string numbers =
      "<g class=\"ticks\" font-size=\"" + Px(0.85 * font_size) + "\" fill=\"#333333\">\n";
  for (long long k = f.x.first; k <= f.x.last; ++k) {
    const double v = f.x.Tick(k), px = f.PixelX(v);
    grid += Line(px, f.top, px, f.bottom);
    ticks += Line(px, f.bottom, px, f.bottom + 5);
    numbers += Text("tick", px, f.bottom + 8 + 0.85 * font_size, FormatNumber(v, f.x.decimals),
                    " text-anchor=\"middle\"");
  }
  for (long long k = f.y.first; k <= f.y.last; ++k) {
    const double v = f.y.Tick(k), py = f.PixelY(v);
    grid += Line(f.left, py, f.right, py);
    ticks += Line(f.left - 5, py, f.left, py);
    numbers += Text("tick", f.left - 8, py + 0.3 * font_size, FormatNumber(v, f.y.decimals),
                    " text-anchor=\"end\"");
  }
  ticks += Line(f.left, f.bottom, f.right, f.bottom) + Line(f.left, f.top, f.left, f.bottom);
  return grid + "</g>\n" + ticks + "</g>\n" + numbers + "</g>\n";
}

// Title and axis titles, each only when non-empty.
std::string TitlesSvg(const Frame& f, const SvgOptions& o, double width, double height) {
  std::string out;
  if (!o.title.empty()) {
    out += Text("title", width / 2, 26, o.title,
                " text-anchor=\"middle\" font-size=\"" + Px(1.3 * o.font_size) + "\"");
  }
  if (!o.x_label.empty()) {
    out += Text("axis-title", (f.left + f.right) / 2, height - 10, o.x_label,
                " text-anchor=\"middle\"");
  }
  if (!o.y_label.empty()) {
    const double x = 18, y = (f.top + f.bottom) / 2;
    out += Text("axis-title", x, y, o.y_label,
                " text-anchor=\"middle\" transform=\"rotate(-90 " + Px(x) + " " + Px(y) + ")\"");
  }
  return out;
}

// Leader lines, point markers and labels, in that order (labels on top); element i of `kept`,
// `specs` and `placed` is the point labels[kept[i]].
std::string MarksSvg(const std::vector<std::string>& labels, const std::vector<size_t>& kept,
                     const std::vector<LabelSpec>& specs, const std::vector<LabelPlacement>& placed,
                     double font_size, double radius) {
  std::string svg = "<g class=\"leaders\" stroke=\"#7f7f7f\" stroke-width=\"0.8\">\n";
  for (size_t k = 0; k < placed.size(); ++k) {
    if (!placed[k].leader) continue;
    const Segment& l = placed[k].line;
    svg += "<line class=\"leader\" id=\"leader-" + std::to_string(kept[k]) + "\" x1=\"" + Px(l.x0) +
           "\" y1=\"" + Px(l.y0) + "\" x2=\"" + Px(l.x1) + "\" y2=\"" + Px(l.y1) + "\"/>\n";
  }
  svg += "</g>\n<g class=\"points\" fill=\"#1f77b4\">\n";
  for (size_t k = 0; k < specs.size(); ++k) {
    svg += "<circle class=\"point\" id=\"point-" + std::to_string(kept[k]) + "\" cx=\"" +
           Px(specs[k].x) + "\" cy=\"" + Px(specs[k].y) + "\" r=\"" + Px(radius) + "\"/>\n";
  }
  svg += "</g>\n<g class=\"labels\" fill=\"#111111\">\n";
  for (size_t k = 0; k < placed.size(); ++k) {
    if (!placed[k].placed) continue;
    const Box& b = placed[k].box;
    svg += Text("label", b.x0 + kLabelPadding, b.y0 + kLabelPadding + kBaseline * font_size,
                labels[kept[k]], " id=\"label-" + std::to_string(kept[k]) + "\"");
  }
  return svg + "</g>\n";
}

}  // namespace

Result<std::vector<std::array<double, 2>>> ProjectToPlane(
    const std::vector<std::vector<float>>& vectors) {
  QUIVER_RETURN_IF_ERROR(CheckVectors(vectors));
  const Eigen::MatrixXd x = CenteredRows(vectors);
  std::vector<std::array<double, 2>> out(vectors.size(), {0.0, 0.0});
  const Eigen::BDCSVD<Eigen::MatrixXd> svd(x, Eigen::ComputeThinV);
  const Eigen::VectorXd& sigma = svd.singularValues();
  if (sigma.size() == 0 || !(sigma(0) > 0)) return out;  // all vectors equal
  for (Eigen::Index c = 0; c < std::min<Eigen::Index>(2, sigma.size()); ++c) {
    if (!(sigma(c) > kRelativeRankTolerance * sigma(0))) break;
    Eigen::VectorXd axis = svd.matrixV().col(c);
    FixSign(axis);
    const Eigen::VectorXd coordinates = x * axis;
    for (Eigen::Index i = 0; i < coordinates.size(); ++i) out[i][c] = coordinates(i);
  }
  return out;
}

std::string RenderScatterSvg(const std::vector<std::string>& labels,
                             const std::vector<std::array<double, 2>>& points,
                             const SvgOptions& options) {
  const double width = std::max(options.width, 200), height = std::max(options.height, 150);
  std::vector<size_t> kept;  // indices of the points drawn
  std::vector<std::array<double, 2>> kept_points;
  for (size_t i = 0; i < std::min(labels.size(), points.size()); ++i) {
    if (!std::isfinite(points[i][0]) || !std::isfinite(points[i][1])) continue;
    kept.push_back(i);
    kept_points.push_back(points[i]);
  }
  const Frame frame = MakeFrame(kept_points, width, height, !options.title.empty());
  std::vector<LabelSpec> specs;
  for (size_t k = 0; k < kept.size(); ++k) {
    LabelSpec spec{frame.PixelX(kept_points[k][0]), frame.PixelY(kept_points[k][1]), 0, 0};
    if (!labels[kept[k]].empty()) {
      spec.width = TextWidthEm(labels[kept[k]]) * options.font_size + 2 * kLabelPadding;
      spec.height = kLabelHeight * options.font_size + 2 * kLabelPadding;
    }
    specs.push_back(spec);
  }
  const Box bounds{frame.left, frame.top, frame.right, frame.bottom};
  const std::vector<LabelPlacement> placed = PlaceLabels(specs, options.point_radius, bounds);

  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + Px(width) +
         "\" height=\"" + Px(height) + "\" viewBox=\"0 0 " + Px(width) + " " + Px(height) +
         "\" font-family=\"sans-serif\" font-size=\"" + Px(options.font_size) + "\">\n";
  if (!options.title.empty()) svg += "<title>" + XmlEscape(options.title) + "</title>\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + Px(width) + "\" height=\"" + Px(height) +
         "\" fill=\"white\"/>\n";
  svg += AxesSvg(frame, options.font_size) + TitlesSvg(frame, options, width, height);
  svg += MarksSvg(labels, kept, specs, placed, options.font_size, options.point_radius);
  svg += "</svg>\n";
  return svg;
}

}  // namespace quiver::embed
