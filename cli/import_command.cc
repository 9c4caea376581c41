// quiver import DB --word-vectors FILE [--format auto|glove|word2vec-text|word2vec-binary]
// quiver import DB --safetensors FILE|DIR [--tensor NAME] --tokenizer FILE
// quiver import DB --model DIR [--precision fp32|bf16|int8] [--query-prompt P] [--document-prompt
// P]
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
      ("model", po::value<std::string>(),
       "a sentence-transformers model directory (config.json, tokenizer.json, "
       "model.safetensors, modules.json, 1_Pooling/, ...): BertModel or XLMRobertaModel")
      ("precision", po::value<std::string>()->default_value("fp32"),
       "with --model: fp32 (exact), bf16 or int8 (faster, cosine >= 0.999 to fp32)")
      ("query-prompt", po::value<std::string>(),
       "with --model: text put before every query (default: the model's \"query\" prompt)")
      ("document-prompt", po::value<std::string>(),
       "with --model: text put before every ingested chunk (default: the model's "
       "\"document\" or \"passage\" prompt)")
      ("replace", po::bool_switch(),
       "replace the database's model; then run `quiver reembed` so the stored vectors follow");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName,
                          "import DB --model DIR [--precision fp32|bf16|int8]\n"
                          "       quiver import DB --word-vectors FILE [--format auto|glove|...]\n"
                          "       quiver import DB --safetensors FILE|DIR [--tensor NAME] "
                          "--tokenizer FILE",
                          "Gives the database an embedding model, one of:\n"
                          "  --model DIR     a sentence-transformers model directory (e.g.\n"
                          "                  all-MiniLM-L6-v2, bge-small-en-v1.5, e5-small-v2,\n"
                          "                  multilingual-e5-small) run in C++, giving the\n"
                          "                  vectors sentence-transformers gives; its weights\n"
                          "                  are stored in the database;\n"
                          "  --word-vectors  word vectors with a word tokenizer (lower-cased\n"
                          "                  words, punctuation apart) over their vocabulary;\n"
                          "  --safetensors   an LLM's token-embedding layer with its tokenizer\n"
                          "                  (F32, F16 or BF16; one row per tokenizer entry).\n"
                          "The dimension must equal the database's. Afterwards `ingest`,\n"
                          "`query`, `embed` and `model` use it.\n\n"
                          "example: quiver create docs.db --dim 384\n"
                          "         quiver import docs.db --model ~/models/all-MiniLM-L6-v2",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  const int sources = static_cast<int>(values.count("word-vectors") + values.count("safetensors") +
                                       values.count("model"));
  if (sources != 1) {
    return Fail(kName, Status::InvalidArgument("give exactly one of --model DIR, --word-vectors "
                                               "FILE and --safetensors FILE; found " +
                                               std::to_string(sources)));
  }
  if (values.count("safetensors") && !values.count("tokenizer")) {
    return Fail(kName, Status::InvalidArgument("--safetensors needs --tokenizer FILE"));
  }
  const auto start = std::chrono::steady_clock::now();
  const ExistingModel existing =
      values["replace"].as<bool>() ? ExistingModel::kReplace : ExistingModel::kRefuse;
  Status s;
  if (values.count("model")) {
    ModelImportOptions import;
    import.precision = values["precision"].as<std::string>();
    if (values.count("query-prompt"))
      import.query_prompt = values["query-prompt"].as<std::string>();
    if (values.count("document-prompt")) {
      import.document_prompt = values["document-prompt"].as<std::string>();
    }
    import.existing = existing;
    s = (*db)->ImportModel(values["model"].as<std::string>(), import);
  } else if (values.count("word-vectors")) {
    s = (*db)->ImportWordVectors(values["word-vectors"].as<std::string>(),
                                 values["format"].as<std::string>(), existing);
  } else {
    s = (*db)->ImportSafetensors(values["safetensors"].as<std::string>(),
                                 values["tensor"].as<std::string>(),
                                 values["tokenizer"].as<std::string>(), existing);
  }
  if (!s.ok()) return Fail(kName, s);
  return ReportNewModel(kName, **db, "imported", start);
}

}  // namespace quiver::cli
