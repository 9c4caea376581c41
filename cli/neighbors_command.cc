// quiver neighbors DB TERM... [--vector "0.1 0.2 ..."] [-k 10] [--json]
//
// Vector arithmetic as gensim's most_similar(positive, negative) does it: `king -man +woman`.
#include <cstdio>
#include <string_view>

#include "cli/common.h"
#include "cli/numbers.h"
#include "cli/table.h"

namespace quiver::cli {
namespace {

// True for "-k" and "-k5", the short option -k with or without its value stuck to it.
bool IsShortK(std::string_view arg) {
  if (!arg.starts_with("-k")) return false;
  return arg.substr(2).find_first_not_of("0123456789") == std::string_view::npos;
}

// The command line as boost should read it. "-WORD" is a negative term, which boost would take
// for an option: it becomes "--negative=WORD" (except -k and -h, the command's short options).
// "--vector V" and "--negative V" become "--vector=V" and "--negative=V", so a value that
// starts with '-' ("-0.1 0.2") stays a value. Everything after "--" is left alone.
std::vector<std::string> NormalizeArgs(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      out.insert(out.end(), args.begin() + i, args.end());
      break;
    }
    if ((arg == "--vector" || arg == "--negative") && i + 1 < args.size()) {
      out.push_back(arg + "=" + args[++i]);
    } else if ((arg == "-k" || arg == "--k") && i + 1 < args.size()) {
      out.push_back(arg);
      out.push_back(args[++i]);
    } else if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-' && !IsShortK(arg) && arg != "-h") {
      out.push_back("--negative=" + arg.substr(1));
    } else {
      out.push_back(arg);
    }
  }
  return out;
}

// The query of the positional terms ("+WORD" or "WORD" positive, "-WORD" negative, as they
// come after "--"), the --negative words and the --vector.
Result<NeighborQuery> QueryOf(const po::variables_map& values) {
  NeighborQuery query;
  query.k = values["k"].as<int>();
  if (values.count("terms")) {
    for (const std::string& term : values["terms"].as<std::vector<std::string>>()) {
      if (term.size() > 1 && term[0] == '+') {
        query.positive.push_back(term.substr(1));
      } else if (term.size() > 1 && term[0] == '-') {
        query.negative.push_back(term.substr(1));
      } else {
        query.positive.push_back(term);
      }
    }
  }
  if (values.count("negative")) {
    for (const std::string& word : values["negative"].as<std::vector<std::string>>()) {
      query.negative.push_back(word);
    }
  }
  if (values.count("vector")) {
    auto vector = ParseVectorList(values["vector"].as<std::string>());
    if (!vector.ok()) return Status::InvalidArgument("--vector: " + vector.status().message());
    query.vector = std::move(*vector);
  }
  if (query.positive.empty() && query.negative.empty() && query.vector.empty()) {
    return Status::InvalidArgument("expected at least one WORD or --vector; found neither");
  }
  return query;
}

}  // namespace

int RunNeighbors(const std::vector<std::string>& args) {
  constexpr const char* kName = "neighbors";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("terms", po::value<std::vector<std::string>>()->multitoken(),
       "tokens of the model's vocabulary: WORD or +WORD adds, -WORD subtracts")
      ("negative", po::value<std::vector<std::string>>()->composing(),
       "a token to subtract (for words -WORD cannot spell, e.g. --negative k)")
      ("vector", po::value<std::string>(),
       "a query vector of the model's dimension: \"0.1 0.2 ...\" or \"0.1,0.2,...\"")
      ("k,k", po::value<int>()->default_value(10), "number of neighbours")
      ("json", po::bool_switch(), "one JSON object per neighbour: {\"token\",\"score\"}");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("terms", -1);
  auto parsed = ParseArgs(
      kName, "neighbors DB WORD [+WORD|-WORD]... [--vector V] [-k 10] [--json]",
      "Prints the vocabulary entries most similar by cosine to the query, as gensim's\n"
      "most_similar(positive, negative) computes it: the mean of the unit vectors of the\n"
      "+WORDs (a bare WORD is one), minus those of the -WORDs, plus --vector as given; the\n"
      "query's words are left out: `quiver neighbors DB king -man +woman`.",
      options, positional, NormalizeArgs(args));
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto query = QueryOf(values);
  if (!query.ok()) return Fail(kName, query.status());
  auto db = OpenDatabase(values, DbAccess::kReadOnly);
  if (!db.ok()) return Fail(kName, db.status());
  auto neighbors = (*db)->Neighbors(*query);
  if (!neighbors.ok()) return Fail(kName, neighbors.status());
  if (values["json"].as<bool>()) {
    for (const TokenScore& n : *neighbors) {
      nlohmann::json line = {{"token", n.token}, {"score", JsonFloat(n.score)}};
      PrintJsonLine(line);
    }
  } else {
    Table table({"rank", "score", "token"});
    for (size_t i = 0; i < neighbors->size(); ++i) {
      table.AddRow(
          {std::to_string(i + 1), FormatScore((*neighbors)[i].score), (*neighbors)[i].token});
    }
    table.Print(stdout);
  }
  return kExitOk;
}

}  // namespace quiver::cli
