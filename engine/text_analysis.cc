#include "engine/text_analysis.h"

#include <algorithm>

#include "util/parallel.h"

namespace quiver::engine {

AnalyzedText AnalyzeIds(std::span<const int32_t> ids, const embed::Pooler& pooler) {
  AnalyzedText analyzed;
  embed::PooledVector pooled = pooler.Pool(ids);
  analyzed.has_vector = pooled.ok();
  analyzed.vector = std::move(pooled.vector);
  return analyzed;
}

namespace {

// A sentence encoder's vectors as analyzed texts (an encoder knows every text).
Result<std::vector<AnalyzedText>> EncodeTexts(const embed::SentenceEncoder& encoder,
                                              std::span<const std::string_view> texts,
                                              embed::TextRole role, int threads) {
  QUIVER_ASSIGN_OR_RETURN(std::vector<std::vector<float>> vectors,
                          encoder.Embed(texts, role, threads));
  std::vector<AnalyzedText> analyzed(vectors.size());
  for (size_t i = 0; i < vectors.size(); ++i) analyzed[i] = {std::move(vectors[i]), true};
  return analyzed;
}

}  // namespace

Result<AnalyzedText> AnalyzeText(const LoadedModel& model, std::string_view text) {
  if (model.encoder != nullptr) {
    const std::string_view texts[] = {text};
    QUIVER_ASSIGN_OR_RETURN(std::vector<AnalyzedText> analyzed,
                            EncodeTexts(*model.encoder, texts, embed::TextRole::kQuery, 0));
    return std::move(analyzed[0]);
  }
  QUIVER_ASSIGN_OR_RETURN(std::vector<int32_t> ids,
                          model.tokenizer->EncodeIds(text, {.add_special_tokens = false}));
  return AnalyzeIds(ids, *model.pooler);
}

Result<bool> HasKnownWord(const LoadedModel& model, const text::LexicalIndex& lexical,
                          const text::LexicalQuery& parsed, std::string_view text) {
  if (model.encoder != nullptr) return true;
  for (const text::QueryClause& clause : parsed.clauses) {
    if (clause.occur == text::Occur::kMustNot) continue;
    for (const std::string& term : clause.terms) {
      if (lexical.DocumentFrequency(term) > 0) return true;
    }
  }
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  for (size_t at = text.find_first_not_of(kSpace); at != std::string_view::npos;) {
    const size_t end = std::min(text.find_first_of(kSpace, at), text.size());
    std::string_view word = text.substr(at, end - at);
    at = text.find_first_not_of(kSpace, end);
    while (!word.empty() && (word.front() == '+' || word.front() == '-' || word.front() == '"')) {
      word.remove_prefix(1);
    }
    while (!word.empty() && word.back() == '"') word.remove_suffix(1);
    if (word.empty()) continue;
    QUIVER_ASSIGN_OR_RETURN(std::vector<int32_t> ids,
                            model.tokenizer->EncodeIds(word, {.add_special_tokens = false}));
    if (ids.size() == 1 && ids[0] >= 0 && ids[0] < model.matrix.rows) return true;
  }
  return false;
}

Result<std::vector<AnalyzedText>> AnalyzeDocuments(const LoadedModel& model,
                                                   std::span<const std::string_view> texts,
                                                   int threads) {
  if (model.encoder != nullptr) {
    return EncodeTexts(*model.encoder, texts, embed::TextRole::kDocument, threads);
  }
  std::vector<AnalyzedText> analyzed(texts.size());
  std::vector<Status> errors(texts.size(), Status::OK());
  util::ParallelFor(texts.size(), util::WorkerCount(threads), [&](size_t i) {
    auto one = AnalyzeText(model, texts[i]);
    if (one.ok()) {
      analyzed[i] = std::move(*one);
    } else {
      errors[i] = one.status();
    }
  });
  for (const Status& s : errors) QUIVER_RETURN_IF_ERROR(s);
  return analyzed;
}

}  // namespace quiver::engine
