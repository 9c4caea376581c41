// How the engine sees a text through the embedding model: its pooled vector.
#ifndef QUIVER_ENGINE_TEXT_ANALYSIS_H_
#define QUIVER_ENGINE_TEXT_ANALYSIS_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/model_store.h"

namespace quiver::engine {

struct AnalyzedText {
  std::vector<float> vector;  // pooled; meaningful only when has_vector
  bool has_vector = false;    // some token is known to the model
};

// Analyzes a text already tokenized into `ids`.
AnalyzedText AnalyzeIds(std::span<const int32_t> ids, const embed::Pooler& pooler);

// Tokenizes (no special tokens) and analyzes `text` with `model`.
Result<AnalyzedText> AnalyzeText(const LoadedModel& model, std::string_view text);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_TEXT_ANALYSIS_H_
