// The database-free tools of quiver/tools.h, over the tokenizer and embed modules.
#include "quiver/tools.h"

#include <span>

#include "embed/plot.h"
#include "embed/sentence_model.h"
#include "tokenizer/tokenizer.h"

namespace quiver {

Result<Tokenization> TokenizeWithFile(const std::string& tokenizer_path, std::string_view text,
                                      bool add_special_tokens) {
  QUIVER_ASSIGN_OR_RETURN(auto tokenizer, LoadTokenizerFile(tokenizer_path));
  QUIVER_ASSIGN_OR_RETURN(
      Encoding encoding,
      tokenizer->Encode(text, EncodeOptions{.add_special_tokens = add_special_tokens}));
  return ToTokenization(*tokenizer, encoding);
}

Result<ModelDirectoryInfo> InspectModelDirectory(const std::string& dir) {
  QUIVER_ASSIGN_OR_RETURN(embed::ModelDirectory model,
                          embed::ReadModelDirectory(dir, /*read_weights=*/false));
  auto tokenizer = LoadHuggingFaceFile(model.tokenizer_path);
  if (!tokenizer.ok()) return tokenizer.status().WithContext(model.tokenizer_path);
  const embed::SentenceModelSpec& spec = model.spec;
  return ModelDirectoryInfo{embed::DescribeSpec(spec),
                            spec.encoder.hidden,
                            spec.max_seq_length,
                            std::string(embed::PoolingModeName(spec.pooling)),
                            spec.normalize,
                            spec.query_prompt,
                            spec.document_prompt};
}

Result<std::string> TrainTokenizer(const std::vector<std::string>& sentences,
                                   const TokenizerTrainOptions& options) {
  // TrainSentencePieceModel checks the rest; this one it would report together with an option
  // TokenizerTrainOptions does not have.
  if (options.num_threads < 1) {
    return Status::InvalidArgument("training threads must be at least 1; found " +
                                   std::to_string(options.num_threads));
  }
  SentencePieceTrainOptions sp;
  static_cast<TokenizerTrainOptions&>(sp) = options;
  return TrainSentencePieceModel(std::span<const std::string>(sentences), sp);
}

Result<std::string> PlotScatterSvg(const std::vector<std::string>& labels,
                                   const std::vector<std::vector<float>>& vectors,
                                   const PlotOptions& options) {
  if (labels.size() != vectors.size()) {
    return Status::InvalidArgument("expected one label per vector; found " +
                                   std::to_string(labels.size()) + " labels for " +
                                   std::to_string(vectors.size()) + " vectors");
  }
  QUIVER_ASSIGN_OR_RETURN(auto points, embed::ProjectToPlane(vectors));
  return embed::RenderScatterSvg(labels, points, options);
}

}  // namespace quiver
