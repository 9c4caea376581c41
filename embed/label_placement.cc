#include "embed/label_placement.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

namespace quiver::embed {
namespace {

// Cost weights (see the header): areas are in square pixels, lengths in pixels.
constexpr double kOverlapWeight = 10;      // per px² of label on label or label on point
constexpr double kOutsideWeight = 10;      // per px² of label outside the bounds
constexpr double kLeaderThroughBox = 500;  // a leader line through another label or point
constexpr double kLeadersCross = 150;      // two leader lines crossing
constexpr double kLeaderCost = 30;         // a leader line at all
constexpr double kLeaderLengthCost = 0.5;  // per px of leader line
constexpr double kAdjacentRankCost = 1;    // per step down the 8 positions' preference order
constexpr int kDirections = 16;            // of the rings of positions away from the point
constexpr double kRingDistances[] = {0.8, 1.8, 3.2, 5.0, 7.5};  // in label heights
constexpr double kLeaderClearance = 1.5;  // px between a leader line and other labels' boxes
constexpr double kStartTemperature = 60;
constexpr double kEndTemperature = 0.1;
constexpr double kCooling = 0.9;
constexpr double kWorkBudget = 2e7;  // pair evaluations for the annealing and for the descent

struct Candidate {
  Box box;
  bool leader = false;
  Segment line;
  double unary = 0;  // the cost that does not depend on the other labels' positions
};

double Clamp(double v, double lo, double hi) { return std::max(lo, std::min(v, hi)); }

// The segment from the edge of the marker at (px, py) to the point of `box` nearest to it.
Segment LeaderTo(double px, double py, double radius, const Box& box) {
  const double ex = Clamp(px, box.x0, box.x1), ey = Clamp(py, box.y0, box.y1);
  const double dx = ex - px, dy = ey - py, length = std::hypot(dx, dy);
  const double start = std::min(radius + 1, length);
  return Segment{px + dx / length * start, py + dy / length * start, ex, ey};
}

// The candidate boxes of the label of `p`: the 8 positions beside it in preference order
// (right, upper right, lower right, left, upper left, lower left, above, below), then rings of
// kDirections positions at kRingDistances, which need a leader line.
std::vector<Candidate> CandidatesOf(const LabelSpec& p, double radius) {
  const double w = p.width, h = p.height, gap = radius + 2;
  std::vector<Candidate> out;
  const double xs[3] = {p.x + gap, p.x - gap - w, p.x - w / 2};  // right, left, centred
  const double ys[3] = {p.y - h / 2, p.y - gap - h, p.y + gap};  // middle, above, below
  const std::pair<int, int> order[8] = {{0, 0}, {0, 1}, {0, 2}, {1, 0},
                                        {1, 1}, {1, 2}, {2, 1}, {2, 2}};
  for (int k = 0; k < 8; ++k) {
    const double x0 = xs[order[k].first], y0 = ys[order[k].second];
    out.push_back({Box{x0, y0, x0 + w, y0 + h}, false, {}, kAdjacentRankCost * k});
  }
  for (double distance : kRingDistances) {
    for (int d = 0; d < kDirections; ++d) {
      const double angle = 2 * M_PI * d / kDirections;
      const double cx = p.x + std::cos(angle) * (gap + distance * h + w / 2);
      const double cy = p.y - std::sin(angle) * (gap + distance * h + h / 2);
      Candidate c;
      c.box = Box{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
      c.leader = true;
      c.line = LeaderTo(p.x, p.y, radius, c.box);
      c.unary = kLeaderCost +
                kLeaderLengthCost * std::hypot(c.line.x1 - c.line.x0, c.line.y1 - c.line.y0);
      out.push_back(c);
    }
  }
  return out;
}

// `box` grown by `margin` on every side.
Box Grown(const Box& box, double margin) {
  return Box{box.x0 - margin, box.y0 - margin, box.x1 + margin, box.y1 + margin};
}

// The part of the cost between two labels at candidates `a` and `b`. A leader line must keep
// kLeaderClearance from other labels' boxes: a line along a box's edge still touches its text.
double PairCost(const Candidate& a, const Candidate& b) {
  double cost = kOverlapWeight * OverlapArea(a.box, b.box);
  if (a.leader && SegmentEntersBox(a.line, Grown(b.box, kLeaderClearance))) {
    cost += kLeaderThroughBox;
  }
  if (b.leader && SegmentEntersBox(b.line, Grown(a.box, kLeaderClearance))) {
    cost += kLeaderThroughBox;
  }
  if (a.leader && b.leader && SegmentsCross(a.line, b.line)) cost += kLeadersCross;
  return cost;
}

// A deterministic pseudo-random sequence (splitmix64).
class Random {
 public:
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  uint64_t state_ = 0x5EED;
};

// The search state: every labelled point's candidates and the one it uses.
class Placer {
 public:
  Placer(const std::vector<LabelSpec>& points, double radius, const Box& bounds);
  void Greedy();
  void Anneal();
  void Descend();
  std::vector<LabelPlacement> Result(size_t n) const;

 private:
  // The cost of label l (an index into labelled_) at candidate c, given the others' positions.
  double Cost(size_t l, size_t c) const;

  std::vector<size_t> labelled_;                 // indices of the points with a label
  std::vector<std::vector<Candidate>> options_;  // per labelled point
  std::vector<size_t> chosen_;                   // per labelled point
  std::vector<bool> seated_;                     // per labelled point: part of the cost yet
};

Placer::Placer(const std::vector<LabelSpec>& points, double radius, const Box& bounds) {
  std::vector<Box> markers;
  for (const LabelSpec& p : points) {
    markers.push_back(Box{p.x - radius, p.y - radius, p.x + radius, p.y + radius});
  }
  for (size_t i = 0; i < points.size(); ++i) {
    if (!(points[i].width > 0) || !(points[i].height > 0)) continue;
    std::vector<Candidate> candidates = CandidatesOf(points[i], radius);
    for (Candidate& c : candidates) {
      c.unary += kOutsideWeight * (c.box.Area() - OverlapArea(c.box, bounds));
      for (size_t j = 0; j < markers.size(); ++j) {
        c.unary += kOverlapWeight * OverlapArea(c.box, markers[j]);
        if (c.leader && j != i && SegmentEntersBox(c.line, markers[j])) {
          c.unary += kLeaderThroughBox;
        }
      }
    }
    labelled_.push_back(i);
    options_.push_back(std::move(candidates));
  }
  chosen_.assign(labelled_.size(), 0);
  seated_.assign(labelled_.size(), false);
}

double Placer::Cost(size_t l, size_t c) const {
  const Candidate& mine = options_[l][c];
  double cost = mine.unary;
  for (size_t o = 0; o < labelled_.size(); ++o) {
    if (o != l && seated_[o]) cost += PairCost(mine, options_[o][chosen_[o]]);
  }
  return cost;
}

void Placer::Greedy() {
  for (size_t l = 0; l < labelled_.size(); ++l) {
    double best = 0;
    for (size_t c = 0; c < options_[l].size(); ++c) {
      const double cost = Cost(l, c);
      if (c == 0 || cost < best) {
        best = cost;
        chosen_[l] = c;
      }
      if (best <= 0) break;
    }
    seated_[l] = true;
  }
}

void Placer::Anneal() {
  const size_t m = labelled_.size();
  if (m < 2) return;
  const double stages =
      std::ceil(std::log(kEndTemperature / kStartTemperature) / std::log(kCooling));
  const double affordable = kWorkBudget / (2.0 * stages * static_cast<double>(m));
  const size_t moves = static_cast<size_t>(
      std::min<double>(30.0 * m, std::max<double>(static_cast<double>(m), affordable)));
  Random random;
  double total = 0, best_total = 0;
  std::vector<size_t> best = chosen_;
  for (double t = kStartTemperature; t > kEndTemperature; t *= kCooling) {
    for (size_t move = 0; move < moves; ++move) {
      const size_t l = random.Next() % m;
      const size_t c = random.Next() % options_[l].size();
      if (c == chosen_[l]) continue;
      const double delta = Cost(l, c) - Cost(l, chosen_[l]);
      if (delta > 0 && random.Uniform() >= std::exp(-delta / t)) continue;
      chosen_[l] = c;
      total += delta;
      if (total < best_total - 1e-9) {
        best_total = total;
        best = chosen_;
      }
    }
  }
  chosen_ = std::move(best);
}

void Placer::Descend() {
  const size_t m = labelled_.size();
  double per_round = 1;
  for (const auto& candidates : options_) per_round += static_cast<double>(candidates.size() * m);
  const int rounds = static_cast<int>(std::clamp(kWorkBudget / per_round, 1.0, 20.0));
  for (int round = 0; round < rounds; ++round) {
    bool changed = false;
    for (size_t l = 0; l < m; ++l) {
      double best = Cost(l, chosen_[l]);
      for (size_t c = 0; c < options_[l].size(); ++c) {
        const double cost = Cost(l, c);
        if (cost < best - 1e-9) {
          best = cost;
          chosen_[l] = c;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
}

std::vector<LabelPlacement> Placer::Result(size_t n) const {
  std::vector<LabelPlacement> out(n);
  for (size_t l = 0; l < labelled_.size(); ++l) {
    const Candidate& c = options_[l][chosen_[l]];
    out[labelled_[l]] = LabelPlacement{true, c.box, c.leader, c.line};
  }
  return out;
}

}  // namespace

double OverlapArea(const Box& a, const Box& b) {
  const double w = std::min(a.x1, b.x1) - std::max(a.x0, b.x0);
  const double h = std::min(a.y1, b.y1) - std::max(a.y0, b.y0);
  return (w > 0 && h > 0) ? w * h : 0.0;
}

bool SegmentEntersBox(const Segment& s, const Box& box) {
  // Liang-Barsky clipping of the segment to the box's interior.
  double t0 = 0, t1 = 1;
  const double dx = s.x1 - s.x0, dy = s.y1 - s.y0;
  const std::array<std::pair<double, double>, 4> edges = {std::pair{-dx, s.x0 - box.x0},
                                                          {dx, box.x1 - s.x0},
                                                          {-dy, s.y0 - box.y0},
                                                          {dy, box.y1 - s.y0}};
  for (const auto& [p, q] : edges) {
    if (p == 0) {
      if (q <= 0) return false;  // parallel to this edge and outside (or on) it
      continue;
    }
    const double t = q / p;
    if (p < 0) {
      t0 = std::max(t0, t);
    } else {
      t1 = std::min(t1, t);
    }
    if (t0 >= t1) return false;
  }
  return t1 - t0 > 1e-9;
}

bool SegmentsCross(const Segment& a, const Segment& b) {
  auto side = [](double ax, double ay, double bx, double by, double cx, double cy) {
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  };
  const double d1 = side(a.x0, a.y0, a.x1, a.y1, b.x0, b.y0);
  const double d2 = side(a.x0, a.y0, a.x1, a.y1, b.x1, b.y1);
  const double d3 = side(b.x0, b.y0, b.x1, b.y1, a.x0, a.y0);
  const double d4 = side(b.x0, b.y0, b.x1, b.y1, a.x1, a.y1);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

std::vector<LabelPlacement> PlaceLabels(const std::vector<LabelSpec>& points, double marker_radius,
                                        const Box& bounds) {
  Placer placer(points, marker_radius, bounds);
  placer.Greedy();
  placer.Anneal();
  placer.Descend();
  return placer.Result(points.size());
}

}  // namespace quiver::embed
