// quiver import DB --word-vectors FILE [--format auto|glove|word2vec-text|word2vec-binary]
// quiver import DB --safetensors FILE|DIR [--tensor NAME] --tokenizer FILE
#include <chrono>

#include "cli/common.h"

namespace quiver::cli {

int RunImport(const std::vector<std::string>& args) {
  constexpr const char* kName = "import";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("word-vectors", po::value<std::string>(),
       "GloVe or word2vec text, word2vec binary, or fastText .vec file")
      ("format", po::value<std::string>()->default_value("auto"),
       "auto, glove, word2vec-text (also fastText .vec) or word2vec-binary")
      ("safetensors", po::value<std::string>(),
       "an LLM checkpoint: a .safetensors file, a sharded checkpoint's directory or its "
       "model.safetensors.index.json")
      ("tensor", po::value<std::string>()->default_value("model.embed_tokens.weight"),
       "the token-embedding tensor to read")
      ("tokenizer", po::value<std::string>(),
       "with --safetensors: the model's tokenizer (tokenizer.json or sentencepiece .model)")
      ("replace", po::bool_switch(),
       "replace the database's model; then run `quiver reembed` so the stored vectors follow");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName,
                          "import DB --word-vectors FILE [--format auto|glove|...]\n"
                          "       quiver import DB --safetensors FILE|DIR [--tensor NAME] "
                          "--tokenizer FILE",
                          "Gives the database an embedding model, either word vectors with a\n"
                          "word tokenizer (lower-cased words, punctuation apart) over their\n"
                          "vocabulary, or an LLM's token-embedding layer with its tokenizer\n"
                          "(F32, F16 or BF16; one row per tokenizer entry). The dimension must\n"
                          "equal the database's. Afterwards `quiver neighbors`, `vector`,\n"
                          "`embed`, `plot` and `model` use it.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  const bool words = values.count("word-vectors") > 0;
  if (words == (values.count("safetensors") > 0)) {
    return Fail(kName, Status::InvalidArgument("give exactly one of --word-vectors FILE and "
                                               "--safetensors FILE"));
  }
  if (!words && !values.count("tokenizer")) {
    return Fail(kName, Status::InvalidArgument("--safetensors needs --tokenizer FILE"));
  }
  const auto start = std::chrono::steady_clock::now();
  const ExistingModel existing =
      values["replace"].as<bool>() ? ExistingModel::kReplace : ExistingModel::kRefuse;
  Status s = words ? (*db)->ImportWordVectors(values["word-vectors"].as<std::string>(),
                                              values["format"].as<std::string>(), existing)
                   : (*db)->ImportSafetensors(values["safetensors"].as<std::string>(),
                                              values["tensor"].as<std::string>(),
                                              values["tokenizer"].as<std::string>(), existing);
  if (!s.ok()) return Fail(kName, s);
  return ReportNewModel(kName, **db, "imported", start);
}

}  // namespace quiver::cli
