#include "engine/text_analysis.h"

namespace quiver::engine {

AnalyzedText AnalyzeIds(std::span<const int32_t> ids, const Tokenizer& tokenizer,
                        const embed::Pooler& pooler) {
  AnalyzedText analyzed;
  embed::PooledVector pooled = pooler.Pool(ids);
  analyzed.has_vector = pooled.ok();
  analyzed.vector = std::move(pooled.vector);
  // Unknown words all share the unk id: as a term it would match every text with any
  // unknown word, so it is left out like the special tokens.
  const int32_t unknown = tokenizer.special_tokens().unk;
  std::vector<int32_t> terms;
  terms.reserve(ids.size());
  for (int32_t id : ids) {
    if (id >= 0 && id != unknown && !tokenizer.IsSpecial(id)) terms.push_back(id);
  }
  analyzed.terms = CountTerms(terms);
  analyzed.length = static_cast<uint32_t>(terms.size());
  return analyzed;
}

Result<AnalyzedText> AnalyzeText(const LoadedModel& model, std::string_view text) {
  QUIVER_ASSIGN_OR_RETURN(std::vector<int32_t> ids,
                          model.tokenizer->EncodeIds(text, {.add_special_tokens = false}));
  return AnalyzeIds(ids, *model.tokenizer, *model.pooler);
}

}  // namespace quiver::engine
