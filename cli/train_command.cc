// quiver train DB PATH... [--vocab N] [--window N] [--seed N] [--keep-case] [--replace]
#include <chrono>

#include "cli/common.h"

namespace quiver::cli {

int RunTrain(const std::vector<std::string>& args) {
  constexpr const char* kName = "train";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("corpus", po::value<std::vector<std::string>>()->required()->multitoken()->value_name("path"),
       "text files (one sentence or paragraph per line) or directories; files are read as ingest "
       "reads them (README, .rst, .gz, .jsonl and .csv texts too)")
      ("vocab", po::value<int>()->default_value(8000), "tokenizer vocabulary size")
      ("window", po::value<int>()->default_value(5), "co-occurrence window in tokens")
      ("seed", po::value<uint32_t>()->default_value(42), "equal seeds give identical models")
      ("keep-case", po::bool_switch(), "do not fold case in the tokenizer")
      ("replace", po::bool_switch(),
       "replace the database's model; then run `quiver reembed` so the stored vectors follow");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("corpus", -1);
  auto parsed = ParseArgs(kName, "train DB PATH... [--vocab N] [--window N] [--seed N] [--replace]",
                          "Learns the database's embedding model from your own text: a\n"
                          "sentencepiece tokenizer, then token vectors of the database's\n"
                          "dimension by positive PMI + truncated SVD of co-occurrence counts\n"
                          "(Levy, Goldberg & Dagan 2015), pooled with SIF.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  TrainOptions train;
  train.vocab_size = values["vocab"].as<int>();
  train.window = values["window"].as<int>();
  train.seed = values["seed"].as<uint32_t>();
  train.case_fold = !values["keep-case"].as<bool>();
  if (values["replace"].as<bool>()) train.existing_model = ExistingModel::kReplace;
  auto db = OpenDatabase(values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  const auto start = std::chrono::steady_clock::now();
  Status s = (*db)->TrainModel(values["corpus"].as<std::vector<std::string>>(), train);
  if (!s.ok()) return Fail(kName, s);
  return ReportNewModel(kName, **db, "trained", start);
}

}  // namespace quiver::cli
