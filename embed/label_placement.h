// Placing the labels of a scatter plot: each label beside its point where it overlaps no other
// label and no point, else further away with a leader line from the point to the label, and
// only where nothing else works, where it overlaps least.
//
// The placement minimises a cost over a fixed set of candidate boxes per label (8 beside the
// point, then rings of 16 directions at growing distances) by simulated annealing from a
// greedy start, then a descent to a local minimum. The cost counts, from the most to the least
// weighty: a leader line through another label or point, overlapping area (label on label,
// label on point, label outside the bounds), leader lines crossing each other, a leader line
// at all and its length, and the preference order of the positions beside the point. The
// random moves come from a fixed seed: the same input gives the same placement.
//
// The work grows with the square of the number of labels; it is bounded (about 5 × 10^7
// box tests), so thousands of labels get a coarser search rather than a long wait.
#ifndef QUIVER_EMBED_LABEL_PLACEMENT_H_
#define QUIVER_EMBED_LABEL_PLACEMENT_H_

#include <vector>

namespace quiver::embed {

// An axis-aligned box in SVG coordinates (y grows downwards); x0 <= x1, y0 <= y1.
struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  double Area() const { return (x1 - x0) * (y1 - y0); }
};

// The area common to `a` and `b` (0 when they only touch).
double OverlapArea(const Box& a, const Box& b);

// A line segment from (x0, y0) to (x1, y1).
struct Segment {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// True when `s` has a point strictly inside `box`.
bool SegmentEntersBox(const Segment& s, const Box& box);

// True when `a` and `b` cross at a point interior to both.
bool SegmentsCross(const Segment& a, const Segment& b);

// One point of the plot and the size of its label (no label when width <= 0).
struct LabelSpec {
  double x = 0, y = 0;
  double width = 0, height = 0;
};

struct LabelPlacement {
  bool placed = false;  // false for a point without a label
  Box box;              // where the label's box goes
  bool leader = false;  // the label is away from its point: `line` links them
  Segment line;         // from the edge of the point's marker to the nearest edge of `box`
};

// Places the labels of `points` (markers of radius `marker_radius` drawn at each point) so that
// they stay within `bounds` where they can; result i belongs to points[i].
std::vector<LabelPlacement> PlaceLabels(const std::vector<LabelSpec>& points, double marker_radius,
                                        const Box& bounds);

}  // namespace quiver::embed

#endif  // QUIVER_EMBED_LABEL_PLACEMENT_H_
