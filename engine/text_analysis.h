// How the engine sees a text through the embedding model: its pooled vector.
#ifndef QUIVER_ENGINE_TEXT_ANALYSIS_H_
#define QUIVER_ENGINE_TEXT_ANALYSIS_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/model_store.h"
#include "text/lexical_index.h"
#include "text/lexical_query.h"

namespace quiver::engine {

struct AnalyzedText {
  std::vector<float> vector;  // pooled; meaningful only when has_vector
  bool has_vector = false;    // some token is known to the model
};

// Analyzes a text already tokenized into `ids`.
AnalyzedText AnalyzeIds(std::span<const int32_t> ids, const embed::Pooler& pooler);

// Embeds the query `text` with `model`: a token table tokenizes it (no special tokens) and
// pools; a sentence encoder runs it with the query prompt.
Result<AnalyzedText> AnalyzeText(const LoadedModel& model, std::string_view text);

// Whether `model` knows a word of the query `text` (DB::QueryWithReport): a sentence encoder
// always; a token table when a word of `text` (split at white space, without the query
// syntax's + - and quotes) is exactly one token of its vocabulary, or when a term of `parsed`
// (the text's full-text query) occurs in a live document of `lexical`.
Result<bool> HasKnownWord(const LoadedModel& model, const text::LexicalIndex& lexical,
                          const text::LexicalQuery& parsed, std::string_view text);

// Embeds stored or ingested `texts` with `model` (a sentence encoder with the document
// prompt, in batches), one result per text; `threads` 0: one per core.
Result<std::vector<AnalyzedText>> AnalyzeDocuments(const LoadedModel& model,
                                                   std::span<const std::string_view> texts,
                                                   int threads);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_TEXT_ANALYSIS_H_
