#include "engine/text_analysis.h"

namespace quiver::engine {

AnalyzedText AnalyzeIds(std::span<const int32_t> ids, const embed::Pooler& pooler) {
  AnalyzedText analyzed;
  embed::PooledVector pooled = pooler.Pool(ids);
  analyzed.has_vector = pooled.ok();
  analyzed.vector = std::move(pooled.vector);
  return analyzed;
}

Result<AnalyzedText> AnalyzeText(const LoadedModel& model, std::string_view text) {
  QUIVER_ASSIGN_OR_RETURN(std::vector<int32_t> ids,
                          model.tokenizer->EncodeIds(text, {.add_special_tokens = false}));
  return AnalyzeIds(ids, *model.pooler);
}

}  // namespace quiver::engine
