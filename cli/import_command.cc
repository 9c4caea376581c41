// quiver import DB --word-vectors FILE [--format auto|glove|word2vec-text|word2vec-binary]
#include <chrono>
#include <cstdio>

#include "cli/common.h"

namespace quiver::cli {

int RunImport(const std::vector<std::string>& args) {
  constexpr const char* kName = "import";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("word-vectors", po::value<std::string>()->required(),
       "GloVe or word2vec text, word2vec binary, or fastText .vec file")
      ("format", po::value<std::string>()->default_value("auto"),
       "auto, glove, word2vec-text (also fastText .vec) or word2vec-binary");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName, "import DB --word-vectors FILE [--format auto|glove|...]",
                          "Gives the database an embedding model: the word vectors, with a\n"
                          "word tokenizer (lower-cased words, punctuation apart) over their\n"
                          "vocabulary. Their dimension must equal the database's. Afterwards\n"
                          "`quiver neighbors`, `quiver vector` and `quiver model` use it.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenExisting(values["db"].as<std::string>(), /*read_only=*/false);
  if (!db.ok()) return Fail(kName, db.status());
  const auto start = std::chrono::steady_clock::now();
  Status s = (*db)->ImportWordVectors(values["word-vectors"].as<std::string>(),
                                      values["format"].as<std::string>());
  if (!s.ok()) return Fail(kName, s);
  auto info = (*db)->GetModelInfo();
  if (!info.ok()) return Fail(kName, info.status());
  s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("imported Embedding(%lld, %d) from %s in %.2f s\n",
              static_cast<long long>(info->vocab_size), info->dimension, info->source.c_str(),
              seconds);
  return kExitOk;
}

}  // namespace quiver::cli
