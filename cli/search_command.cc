// quiver search DB --vector "0.1,0.2,..." | --vectors FILE [-k 10] [--where JSON] [--fields LIST]
//                  [--json]
#include <algorithm>
#include <cstdio>
#include <limits>

#include "cli/common.h"
#include "cli/numbers.h"
#include "cli/snippet.h"
#include "cli/table.h"
#include "cli/vector_files.h"

namespace quiver::cli {
namespace {

constexpr const char* kName = "search";

constexpr const char* kUsage =
    "search DB --vector \"0.1,0.2,...\" | --vectors FILE [-k 10] [--where JSON] [--fields "
    "LIST] [--json]";

constexpr const char* kDescription =
    "Prints the k records nearest to the vector, best first. Scores are\n"
    "cosine similarity or inner product (higher is closer) or squared L2\n"
    "distance (lower is closer), as the database's metric says.\n"
    "\n"
    "--where keeps only records whose metadata matches (the filter language of\n"
    "`quiver query --where`); the hits are the nearest k among them.\n"
    "--fields chooses what each hit shows besides id and score, which it always\n"
    "has: a comma-separated list of text, meta, source, vector (or all, or none).\n"
    "Fewer fields read less; `--fields none` is the fastest.\n"
    "With --vectors FILE (.fvecs, .npy float32 2-D C order, or JSON Lines of [numbers]\n"
    "or {\"vector\": [...]}) every vector is a query, answered in one batch over the\n"
    "cores, and the hits are printed per query (a \"query N:\" line before each table;\n"
    "\"query\": N, 1-based, in --json).\n"
    "\n"
    "Examples:\n"
    "  quiver search vecs.db --vector 0.1,0.3,0.2 --where '{\"lang\": \"en\"}'\n"
    "  quiver search vecs.db --vector 0.1,0.3,0.2 --fields none --json\n"
    "  quiver search vecs.db --vectors queries.fvecs -k 100 --fields none --json";

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
      ("where", po::value<std::string>()->default_value(""),
       "metadata filter (JSON), e.g. '{\"year\": {\"$gte\": 2000}}'")
      ("fields", po::value<std::string>()->default_value("text,meta"),
       "what hits show besides id and score: text, meta, source, vector, all, none")
      ("json", po::bool_switch(),
       "one JSON object per hit: {\"id\",\"score\"} and the --fields asked for")
      ("read-only", po::bool_switch(),
       "open without the write lock (works while another process writes)");
  // clang-format on
  return options;
}

// --fields: "text,meta,source,vector" in any order and subset, "all" or "none".
Result<HitFields> ParseFields(const std::string& list) {
  HitFields fields = HitFields::IdsOnly();
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string name = list.substr(start, comma - start);
    start = comma + 1;
    if (name == "text") {
      fields.text = true;
    } else if (name == "meta" || name == "metadata") {
      fields.metadata = true;
    } else if (name == "source") {
      fields.source = true;
    } else if (name == "vector") {
      fields.vector = true;
    } else if (name == "all") {
      fields = HitFields::All();
    } else if (name != "none" && name != "id" && name != "score") {
      return Status::InvalidArgument("--fields: unknown field '" + name +
                                     "'; expected text, meta, source, vector, all or none");
    }
  }
  return fields;
}

// -k, --ef, --nprobe, --where and --fields.
Result<SearchOptions> ParseSearchOptions(const po::variables_map& values) {
  SearchOptions search;
  search.k = values["k"].as<int>();
  search.ef_search = values["ef"].as<int>();
  search.nprobe = values["nprobe"].as<int>();
  search.where = values["where"].as<std::string>();
  if (search.k <= 0) {
    return Status::InvalidArgument("-k must be > 0; found " + std::to_string(search.k));
  }
  QUIVER_ASSIGN_OR_RETURN(search.fields, ParseFields(values["fields"].as<std::string>()));
  return search;
}

nlohmann::json HitJson(const Hit& hit, const HitFields& fields) {
  nlohmann::json line = {{"id", hit.id}, {"score", JsonFloat(hit.score)}};
  if (fields.text) line["text"] = hit.text;
  if (fields.metadata) line["meta"] = MetadataJson(hit.metadata);
  if (fields.source) {
    line["source"] = {{"path", hit.source.path},
                      {"begin", hit.source.begin},
                      {"end", hit.source.end},
                      {"chunk", hit.source.chunk}};
  }
  if (fields.vector) line["vector"] = JsonFloats(hit.vector);
  return line;
}

// `query` is the 1-based number of the query in a --vectors file; 0 for --vector.
void PrintHits(const std::vector<Hit>& hits, const HitFields& fields, bool json, size_t query = 0) {
  if (json) {
    for (const Hit& hit : hits) {
      nlohmann::json line = HitJson(hit, fields);
      if (query > 0) line["query"] = query;
      PrintJsonLine(line);
    }
    return;
  }
  if (query > 0) std::printf("query %zu:\n", query);
  if (hits.empty()) {
    std::printf("no hits\n");
    return;
  }
  // On a terminal every column but the text is cut to 40 columns and the text gets what is
  // left of the width; into a pipe nothing is cut.
  const std::optional<size_t> width = TerminalWidth();
  const auto fit = [&](const std::string& cell) { return width ? Clip(cell, 40) : cell; };
  std::vector<std::string> columns = {"rank", "score", "id"};
  if (fields.metadata) columns.push_back("meta");
  if (fields.source) columns.push_back("source");
  if (fields.vector) columns.push_back("vector");
  if (fields.text) columns.push_back("text");
  Table table(columns);
  std::vector<float> scores;
  for (const Hit& hit : hits) scores.push_back(hit.score);
  const std::vector<std::string> score_texts = FormatScores(scores);
  for (size_t i = 0; i < hits.size(); ++i) {
    const Hit& hit = hits[i];
    std::vector<std::string> row = {std::to_string(i + 1), score_texts[i], fit(hit.id)};
    if (fields.metadata) row.push_back(fit(hit.metadata));
    if (fields.source) row.push_back(fit(hit.source.path));
    if (fields.vector) row.push_back(fit(FormatFloats(hit.vector)));
    table.AddRow(row);
  }
  if (fields.text) {
    const size_t text_width = width ? table.WidthLeft(*width, columns.size() - 1, 20)
                                    : std::numeric_limits<size_t>::max();
    for (size_t i = 0; i < hits.size(); ++i) {
      table.SetSafeCell(i, columns.size() - 1, Clip(hits[i].text, text_width));
    }
  }
  table.Print(stdout);
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
  for (size_t i = 0; i < results.size(); ++i) PrintHits(results[i], search.fields, json, i + 1);
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
  PrintHits(*hits, search->fields, values["json"].as<bool>());
  Status s = (*db)->Close();
  return s.ok() ? kExitOk : Fail(kName, s);
}

}  // namespace quiver::cli
