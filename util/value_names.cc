#include "quiver/options.h"
#include "quiver/types.h"

namespace quiver {

std::string_view MetricName(Metric metric) {
  switch (metric) {
    case Metric::kCosine:
      return "cosine";
    case Metric::kInnerProduct:
      return "ip";
    case Metric::kL2:
      return "l2";
  }
  return "unknown";
}

std::optional<Metric> ParseMetric(std::string_view name) {
  if (name == "cosine") return Metric::kCosine;
  if (name == "ip") return Metric::kInnerProduct;
  if (name == "l2") return Metric::kL2;
  return std::nullopt;
}

std::string_view QueryModeName(QueryMode mode) {
  switch (mode) {
    case QueryMode::kHybrid:
      return "hybrid";
    case QueryMode::kDense:
      return "dense";
    case QueryMode::kBm25:
      return "bm25";
  }
  return "unknown";
}

std::optional<QueryMode> ParseQueryMode(std::string_view name) {
  if (name == "hybrid") return QueryMode::kHybrid;
  if (name == "dense") return QueryMode::kDense;
  if (name == "bm25") return QueryMode::kBm25;
  return std::nullopt;
}

std::string_view FusionName(Fusion fusion) {
  switch (fusion) {
    case Fusion::kConvex:
      return "convex";
    case Fusion::kRrf:
      return "rrf";
  }
  return "unknown";
}

std::optional<Fusion> ParseFusion(std::string_view name) {
  if (name == "convex") return Fusion::kConvex;
  if (name == "rrf") return Fusion::kRrf;
  return std::nullopt;
}

std::string_view IngestPhaseName(IngestPhase phase) {
  switch (phase) {
    case IngestPhase::kTrainingTokenizer:
      return "training the tokenizer";
    case IngestPhase::kTrainingModel:
      return "training the embedding model";
    case IngestPhase::kReading:
      return "reading";
    case IngestPhase::kEmbedding:
      return "embedding";
    case IngestPhase::kCommitting:
      return "committing";
  }
  return "unknown";
}

}  // namespace quiver
