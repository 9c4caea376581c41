// quiver search DB --vector "0.1,0.2,..." | --vectors FILE [-k 10] [--json]
#include <cstdio>

#include "cli/common.h"
#include "cli/table.h"
#include "cli/vector_files.h"

namespace quiver::cli {
namespace {

constexpr const char* kName = "search";

constexpr const char* kUsage =
    "search DB --vector \"0.1,0.2,...\" | --vectors FILE [-k 10] [--json]";

constexpr const char* kDescription =
    "Prints the k records nearest to the vector, best first. Scores are\n"
    "cosine similarity or inner product (higher is closer) or squared L2\n"
    "distance (lower is closer), as the database's metric says. With --vectors FILE\n"
    "(.fvecs, .npy float32 2-D C order, or JSON Lines of [numbers] or {\"vector\": [...]})\n"
    "every vector is a query, answered in one batch over the cores, and the hits are\n"
    "printed per query (a \"query N:\" line before each table; \"query\": N, 1-based, in\n"
    "--json).";

po::options_description SearchOptionsDescription() {
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("vector", po::value<std::string>(),
       "the query: comma-separated numbers, as many as the database's dimension")
      ("vectors", po::value<std::string>(),
       "instead of --vector: a file of query vectors (.fvecs, .npy, or JSON Lines)")
      ("k,k", po::value<int>()->default_value(10), "number of hits")
      ("ef", po::value<int>()->default_value(0), "HNSW: candidate list size (0 = index default)")
      ("nprobe", po::value<int>()->default_value(0), "IVF: lists probed (0 = index default)")
      ("json", po::bool_switch(), "one JSON object per hit: {\"id\",\"score\",\"text\",\"meta\"}")
      ("read-only", po::bool_switch(),
       "open without the write lock (works while another process writes)");
  // clang-format on
  return options;
}

// -k, --ef and --nprobe.
Result<SearchOptions> ParseSearchOptions(const po::variables_map& values) {
  SearchOptions search;
  search.k = values["k"].as<int>();
  search.ef_search = values["ef"].as<int>();
  search.nprobe = values["nprobe"].as<int>();
  if (search.k <= 0) {
    return Status::InvalidArgument("-k must be > 0; found " + std::to_string(search.k));
  }
  return search;
}

// `query` is the 1-based number of the query in a --vectors file; 0 for --vector.
void PrintHits(const std::vector<Hit>& hits, bool json, size_t query = 0) {
  if (json) {
    for (const Hit& hit : hits) {
      nlohmann::json line = {{"id", hit.id},
                             {"score", hit.score},
                             {"text", hit.text},
                             {"meta", MetadataJson(hit.metadata)}};
      if (query > 0) line["query"] = query;
      PrintJsonLine(line);
    }
    return;
  }
  if (query > 0) std::printf("query %zu:\n", query);
  if (hits.empty()) {
    std::printf("no hits\n");
  } else {
    Table table({"rank", "score", "id", "text", "meta"});
    for (size_t i = 0; i < hits.size(); ++i) {
      const Hit& hit = hits[i];
      table.AddRow({std::to_string(i + 1), FormatScore(hit.score), Clip(hit.id, 40),
                    Clip(hit.text, 60), Clip(hit.metadata, 40)});
    }
    table.Print(stdout);
  }
}

// --vectors FILE: every vector of the file, searched in one batch.
Status SearchFile(DB& db, const std::string& path, const SearchOptions& search, bool json) {
  QUIVER_ASSIGN_OR_RETURN(VectorFile file, ReadVectorFile(path));
  QUIVER_ASSIGN_OR_RETURN(Stats stats, db.GetStats());
  if (file.dimension != static_cast<size_t>(stats.dimension)) {
    return Status::InvalidArgument(path + ": expected vectors of the database's dimension " +
                                   std::to_string(stats.dimension) + "; found " +
                                   std::to_string(file.dimension));
  }
  QUIVER_ASSIGN_OR_RETURN(std::vector<std::vector<Hit>> results,
                          db.SearchBatch(file.values, search));
  for (size_t i = 0; i < results.size(); ++i) PrintHits(results[i], json, i + 1);
  return Status::OK();
}

}  // namespace

int RunSearch(const std::vector<std::string>& args) {
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed =
      ParseArgs(kName, kUsage, kDescription, SearchOptionsDescription(), positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto search = ParseSearchOptions(values);
  if (!search.ok()) return Fail(kName, search.status());
  if (values.count("vector") + values.count("vectors") != 1) {
    return Fail(kName, Status::InvalidArgument("give exactly one of --vector or --vectors FILE"));
  }
  if (values.count("vectors")) {
    auto db = OpenDatabase(values, DbAccess::kAsAsked);
    if (!db.ok()) return Fail(kName, db.status());
    Status status =
        SearchFile(**db, values["vectors"].as<std::string>(), *search, values["json"].as<bool>());
    if (!status.ok()) return Fail(kName, status);
    Status s = (*db)->Close();
    return s.ok() ? kExitOk : Fail(kName, s);
  }
  auto query = ParseVectorList(values["vector"].as<std::string>());
  if (!query.ok()) return Fail(kName, query.status().WithContext("--vector"));
  auto db = OpenDatabase(values, DbAccess::kAsAsked);
  if (!db.ok()) return Fail(kName, db.status());
  auto hits = (*db)->Search(*query, *search);
  if (!hits.ok()) return Fail(kName, hits.status());
  PrintHits(*hits, values["json"].as<bool>());
  Status s = (*db)->Close();
  return s.ok() ? kExitOk : Fail(kName, s);
}

}  // namespace quiver::cli
