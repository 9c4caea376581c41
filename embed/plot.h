// Two-dimensional views of word vectors: a PCA projection to the plane (Eigen, inside plot.cc)
// and a labelled scatter plot rendered as a standalone SVG 1.1 document with nothing beyond the
// standard library. This header keeps Eigen out of its interface (Eigen is a private dependency
// of the library).
//
// Typical use:
//   QUIVER_ASSIGN_OR_RETURN(auto points, ProjectToPlane(vectors));  // a 2-D point per vector
//   std::string svg = RenderScatterSvg(words, points, SvgOptions{});
#ifndef QUIVER_EMBED_PLOT_H_
#define QUIVER_EMBED_PLOT_H_

#include <array>
#include <string>
#include <vector>

#include "quiver/status.h"
#include "quiver/tools.h"

namespace quiver::embed {

// Principal component analysis to two dimensions. Row i of the result is vectors[i] centred on
// the mean and projected on the first two principal axes (the leading right singular vectors of
// the centred data, computed in double precision by Eigen's SVD), so the first coordinate has
// the largest variance. Each axis is signed so that its largest-magnitude loading (the first
// one on ties) is positive, which makes the result deterministic.
//
// Degenerate data never gives NaN: an axis without variance (all vectors equal, points on a
// line, one-dimensional vectors, two vectors) gives exactly 0 in that coordinate, and so does
// an axis whose singular value is at most 1e-6 of the first one's (float rounding noise).
// InvalidArgument when there are fewer than 2 vectors, when a vector is empty or its dimension
// differs from the first one's (the message names expected and found), or when a component is
// not finite.
Result<std::vector<std::array<double, 2>>> ProjectToPlane(
    const std::vector<std::vector<float>>& vectors);

// How RenderScatterSvg draws: the public PlotOptions (include/quiver/tools.h).
using SvgOptions = PlotOptions;

// A labelled scatter plot as a complete SVG 1.1 document (UTF-8, XML declaration included).
// Point i is drawn as a <circle class="point" id="point-i"> and, when labels[i] is not empty,
// labelled by a <text class="label" id="label-i">; only the first
// min(labels.size(), points.size()) pairs are drawn, and points with a non-finite coordinate
// are left out. Axes carry tick marks and numbers at 1, 2 or 5 × 10^k steps. Labels are placed
// by PlaceLabels (embed/label_placement.h) within the plot area: beside their point where they
// overlap no other label and no point, else further away with a <line class="leader"
// id="leader-i"> from the point to the label, else where they overlap least. Label boxes are
// estimated from DejaVu Sans' advance widths (wider than most sans-serif fonts). Text is
// XML-escaped (& < > " '), valid UTF-8 is passed through, invalid bytes become U+FFFD and
// control characters XML cannot carry are dropped.
std::string RenderScatterSvg(const std::vector<std::string>& labels,
                             const std::vector<std::array<double, 2>>& points,
                             const SvgOptions& options);

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_PLOT_H_
