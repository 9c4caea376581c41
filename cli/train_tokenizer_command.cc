// quiver train-tokenizer --corpus PATH... --vocab N [--type unigram|bpe] -o FILE.model
#include <cstdio>
#include <fstream>

#include "cli/common.h"
#include "quiver/tools.h"

namespace quiver::cli {

namespace {

constexpr const char* kName = "train-tokenizer";

constexpr const char* kDescription =
    "Trains a sentencepiece model on text files (each line is one sentence) and writes\n"
    "it as a standard sentencepiece .model file, usable with `quiver tokenize --tokenizer`\n"
    "and with sentencepiece's own tools. Training is deterministic: the same corpus,\n"
    "options and --seed give a byte-identical model.\n"
    "\n"
    "By default text is kept exactly (no NFKC folding, spaces kept), characters outside\n"
    "the vocabulary fall back to <0xXX> byte pieces, so decoding gives back any text.\n"
    "The vocabulary must be large enough for 256 byte pieces plus the corpus's characters\n"
    "(use --no-byte-fallback or a lower --character-coverage for small vocabularies).\n"
    "\n"
    "  quiver train-tokenizer --corpus docs/*.txt --vocab 8000 -o docs.model\n"
    "  quiver train-tokenizer --corpus wiki.txt --vocab 32000 --type bpe -o wiki.model";

Status ReadLines(const std::string& path, std::vector<std::string>& lines, size_t& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError("cannot open corpus " + path, true);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    bytes += line.size();
    if (!line.empty()) lines.push_back(std::move(line));
  }
  if (in.bad()) return ErrnoError("cannot read corpus " + path, true);
  return Status::OK();
}

Result<TokenizerTrainOptions> OptionsFrom(const po::variables_map& v) {
  TokenizerTrainOptions o;
  const std::string type = v["type"].as<std::string>();
  if (type == "bpe") {
    o.model_type = TokenizerTrainOptions::ModelType::kBpe;
  } else if (type != "unigram") {
    return Status::InvalidArgument("--type must be unigram or bpe, not '" + type + "'");
  }
  o.vocab_size = v["vocab"].as<int>();
  o.character_coverage = v["character-coverage"].as<double>();
  o.seed = v["seed"].as<uint32_t>();
  o.byte_fallback = !v["no-byte-fallback"].as<bool>();
  o.preserve_text = !v["normalize"].as<bool>();
  o.num_threads = v["threads"].as<int>();
  o.quiet = !v["verbose"].as<bool>();
  return o;
}

}  // namespace

int RunTrainTokenizer(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("corpus", po::value<std::vector<std::string>>()->multitoken()->required(),
                        "text files to learn from, one sentence per line")(
      "vocab", po::value<int>()->required(), "vocabulary size (pieces, including specials)")(
      "type", po::value<std::string>()->default_value("unigram"), "unigram or bpe")(
      "output,o", po::value<std::string>()->required(), "where to write the .model file")(
      "character-coverage", po::value<double>()->default_value(0.9995, "0.9995"),
      "fraction of characters covered by the vocabulary; the rest become bytes or <unk>")(
      "seed", po::value<uint32_t>()->default_value(42), "random seed (sampling, shuffling)")(
      "no-byte-fallback", po::bool_switch(), "unknown characters become <unk>, not bytes")(
      "normalize", po::bool_switch(),
      "apply sentencepiece's NFKC-based normalization and fold runs of spaces")(
      "threads", po::value<int>()->default_value(1), "training threads")(
      "verbose", po::bool_switch(), "show sentencepiece's training log on stderr");
  po::positional_options_description positional;
  auto parsed = ParseArgs(kName,
                          "train-tokenizer --corpus PATH... --vocab N [--type unigram|bpe] "
                          "-o FILE.model",
                          kDescription, options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto train_options = OptionsFrom(values);
  if (!train_options.ok()) return Fail(kName, train_options.status());
  std::vector<std::string> sentences;
  size_t bytes = 0;
  for (const std::string& path : values["corpus"].as<std::vector<std::string>>()) {
    Status s = ReadLines(path, sentences, bytes);
    if (!s.ok()) return Fail(kName, s);
  }
  auto model = TrainTokenizer(sentences, train_options.value());
  if (!model.ok()) return Fail(kName, model.status());
  const std::string out_path = values["output"].as<std::string>();
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) return Fail(kName, ErrnoError("cannot write " + out_path, false));
  out.write(model->data(), static_cast<std::streamsize>(model->size()));
  out.close();
  if (!out) return Fail(kName, ErrnoError("cannot write " + out_path, false));
  std::printf("trained %s model: %d pieces from %zu sentences (%.1f MB) -> %s\n",
              values["type"].as<std::string>().c_str(), train_options->vocab_size, sentences.size(),
              static_cast<double>(bytes) / 1e6, out_path.c_str());
  return kExitOk;
}

}  // namespace quiver::cli
