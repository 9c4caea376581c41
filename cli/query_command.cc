// quiver query DB "text" [-k 10] [--mode hybrid|dense|bm25] [--where JSON] [--json]
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>

#include "cli/common.h"
#include "cli/table.h"
#include "quiver/display.h"

namespace quiver::cli {
namespace {

// One query to answer: its text or the id of a record to find similar ones to.
struct QueryJob {
  std::string text;
  std::string like_id;
  std::string where;
  size_t line = 0;  // 1-based line of --queries FILE; 0 otherwise
};

// Reads --queries FILE: one query per line, plain text or {"query": ..., "where": ...}.
Result<std::vector<QueryJob>> ReadQueryFile(const std::string& path, const std::string& where) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open query file " + path);
  std::vector<QueryJob> jobs;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    QueryJob job{line, "", where, number};
    if (line.front() == '{') {
      auto json = nlohmann::json::parse(line, nullptr, false);
      if (!json.is_object() || !json.contains("query") || !json["query"].is_string()) {
        return Status::InvalidArgument(path + ":" + std::to_string(number) +
                                       ": expected plain text or {\"query\": \"...\", "
                                       "\"where\": {...}}");
      }
      job.text = json["query"].get<std::string>();
      if (json.contains("where")) job.where = json["where"].dump();
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

// Whether the character at boundary `i` of `text` belongs to a word: an ASCII letter or digit,
// or any character beyond ASCII (multi-byte, or an invalid byte).
bool IsWordChar(std::string_view text, size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  return c >= 0x80 || std::isalnum(c);
}

// Lower-cased words of the query (letters and digits), for highlighting.
std::vector<std::string> QueryWords(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  const auto end_word = [&]() {
    if (word.size() >= 2) words.push_back(word);
    word.clear();
  };
  for (size_t i = 0; i < text.size();) {
    const size_t next = NextCharBoundary(text, i);
    if (IsWordChar(text, i)) {
      for (; i < next; ++i) {
        word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
      }
    } else {
      end_word();
    }
    i = next;
  }
  end_word();
  return words;
}

// A window of the text around the first query word it contains, on one line; the query's
// words in bold when `highlight`.
std::string Snippet(const std::string& original, const std::vector<std::string>& words,
                    bool highlight, size_t width = 100) {
  std::string text;  // white space runs (indentation, line breaks) folded to one space
  for (char c : original) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space) {
      text.push_back(c);
    } else if (!text.empty() && text.back() != ' ') {
      text.push_back(' ');
    }
  }
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t first = std::string::npos;
  for (const std::string& w : words) first = std::min(first, lower.find(w));
  size_t begin = first == std::string::npos || first < width / 3 ? 0 : first - width / 3;
  begin = CharBoundaryAtOrBefore(text, begin);
  std::string window = Clip(text.substr(begin), width);
  if (begin > 0) window = "…" + window;
  if (!highlight) return window;
  std::string lower_window(window), out;
  for (char& c : lower_window) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < window.size();) {
    size_t matched = 0;
    if (i == 0 || !IsWordChar(window, CharBoundaryAtOrBefore(window, i - 1))) {
      for (const std::string& w : words) {
        if (lower_window.compare(i, w.size(), w) == 0 && w.size() > matched) matched = w.size();
      }
    }
    if (matched > 0) {
      out += "\033[1m" + window.substr(i, matched) + "\033[0m";
      i += matched;
    } else {
      const size_t next = NextCharBoundary(window, i);
      out.append(window, i, next - i);
      i = next;
    }
  }
  return out;
}

// The end of `text` when it is wider than `width` terminal columns, after "…": ids and paths
// differ at their ends.
std::string ClipFront(const std::string& text, size_t width) {
  if (DisplayWidth(text) <= width) return text;
  if (width == 0) return "…";
  return "…" + std::string(SuffixByWidth(text, width - 1));
}

nlohmann::json SourceJson(const SourceRef& source) {
  if (source.path.empty()) return nullptr;
  return {{"path", source.path},
          {"begin", source.begin},
          {"end", source.end},
          {"chunk", source.chunk},
          {"hash", source.content_hash}};
}

void PrintJson(const std::vector<Hit>& hits, const QueryJob& job) {
  for (size_t i = 0; i < hits.size(); ++i) {
    const Hit& hit = hits[i];
    nlohmann::json line = {{"rank", i + 1},
                           {"id", hit.id},
                           {"score", hit.score},
                           {"text", hit.text},
                           {"meta", MetadataJson(hit.metadata)},
                           {"source", SourceJson(hit.source)}};
    if (job.line > 0) line["query"] = job.line;
    PrintJsonLine(line);
  }
}

void PrintTable(const std::vector<Hit>& hits, const QueryJob& job) {
  if (job.line > 0) std::printf("query %zu: %s\n", job.line, job.text.c_str());
  if (hits.empty()) {
    std::printf("no hits\n");
    return;
  }
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  const auto words = QueryWords(job.text);
  Table table({"rank", "score", "id", "source", "text"});
  for (size_t i = 0; i < hits.size(); ++i) {
    const Hit& hit = hits[i];
    table.AddRow({std::to_string(i + 1), FormatScore(hit.score), ClipFront(hit.id, 32),
                  ClipFront(hit.source.path, 32), Snippet(hit.text, words, terminal)});
  }
  table.Print(stdout);
}

constexpr const char* kName = "query";

constexpr const char* kUsage =
    "query DB \"text\" [-k 10] [--mode hybrid|dense|bm25] [--where JSON] [--json]";

constexpr const char* kDescription =
    "Answers a plain-text question with the stored chunks that match it best.\n"
    "dense embeds the question with the database's model and searches the vector\n"
    "index; bm25 ranks by the model's tokens (k1 1.2, b 0.75); hybrid, the default,\n"
    "fuses both lists by reciprocal rank (1 / (60 + rank)). Scores are cosine (dense),\n"
    "BM25 (bm25) or fused RRF (hybrid).\n\n"
    "examples:\n"
    "  quiver query docs.db \"how do I list open files\"\n"
    "  quiver query docs.db \"backup\" --where '{\"path\": {\"$in\": [\"a.md\", \"b.md\"]}}'\n"
    "  quiver query docs.db --like 'notes/todo.md#0' -k 5\n"
    "  quiver query docs.db --queries questions.txt --json";

po::options_description QueryOptionsDescription() {
  const QueryOptions kDefaults;
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("text", po::value<std::string>(), "the question, in plain text")
      ("k,k", po::value<int>()->default_value(10), "number of hits")
      ("mode", po::value<std::string>()->default_value("hybrid"),
       "hybrid (bm25 and dense fused, see --fusion), dense (embedding search) or bm25 "
       "(full text: words, \"a phrase\", +required, -excluded)")
      ("where", po::value<std::string>()->default_value(""),
       "metadata filter, e.g. '{\"lang\": \"en\", \"year\": {\"$gte\": 2000}}' with "
       "$eq $ne $gt $gte $lt $lte $in $nin $and $or; results stay the exact top k")
      ("like", po::value<std::string>(), "instead of text: records similar to this stored id")
      ("queries", po::value<std::string>(),
       "a file of queries, one per line (text, or {\"query\": ..., \"where\": ...})")
      ("json", po::bool_switch(),
       "one JSON object per hit: {\"rank\",\"id\",\"score\",\"text\",\"meta\",\"source\"}, "
       "plus \"query\" (its line) with --queries")
      ("fusion", po::value<std::string>()->default_value(std::string(FusionName(kDefaults.fusion))),
       "hybrid: convex (min-max normalized scores, weighted) or rrf (reciprocal rank)")
      ("dense-weight", po::value<float>()->default_value(kDefaults.dense_weight),
       "hybrid: share of the dense list in the fusion, 0 (bm25 only) to 1 (dense only)")
      ("fusion-depth", po::value<int>()->default_value(kDefaults.fusion_depth),
       "hybrid: candidates taken from each list")
      ("rrf-k", po::value<int>()->default_value(kDefaults.rrf_k),
       "hybrid with --fusion rrf: the rank constant")
      ("k1", po::value<float>()->default_value(1.2f), "BM25 term-frequency saturation")
      ("b", po::value<float>()->default_value(0.75f), "BM25 length normalization")
      ("ef", po::value<int>()->default_value(0), "HNSW: candidate list size (0 = index default)")
      ("nprobe", po::value<int>()->default_value(0), "IVF: lists probed (0 = index default)")
      ("read-only", po::bool_switch(),
       "open without the write lock (works while another process writes)");
  // clang-format on
  return options;
}

// What a parsed query command line asks for: the options every query shares and the queries.
struct QueryRequest {
  QueryOptions query;  // its `where` is set per job
  std::vector<QueryJob> jobs;
  bool json = false;
};

// The ranking options of the command line (-k, --mode, fusion, BM25 and index parameters).
Result<QueryOptions> ParseQueryOptions(const po::variables_map& values) {
  QueryOptions query;
  query.k = values["k"].as<int>();
  auto mode = ParseQueryMode(values["mode"].as<std::string>());
  if (!mode) {
    return Status::InvalidArgument("--mode must be hybrid, dense or bm25; found '" +
                                   values["mode"].as<std::string>() + "'");
  }
  query.mode = *mode;
  auto fusion = ParseFusion(values["fusion"].as<std::string>());
  if (!fusion) {
    return Status::InvalidArgument("--fusion must be convex or rrf; found '" +
                                   values["fusion"].as<std::string>() + "'");
  }
  query.fusion = *fusion;
  query.rrf_k = values["rrf-k"].as<int>();
  query.dense_weight = values["dense-weight"].as<float>();
  query.fusion_depth = values["fusion-depth"].as<int>();
  query.bm25_k1 = values["k1"].as<float>();
  query.bm25_b = values["b"].as<float>();
  query.ef_search = values["ef"].as<int>();
  query.nprobe = values["nprobe"].as<int>();
  return query;
}

// The queries to answer: the text, --like ID or the lines of --queries FILE (exactly one).
Result<std::vector<QueryJob>> ParseQueryJobs(const po::variables_map& values) {
  const std::string where = values["where"].as<std::string>();
  const int sources =
      int(values.count("text")) + int(values.count("like")) + int(values.count("queries"));
  if (sources != 1) {
    return Status::InvalidArgument("give exactly one of: a query text, --like ID, --queries FILE");
  }
  if (values.count("queries")) return ReadQueryFile(values["queries"].as<std::string>(), where);
  if (values.count("like")) {
    return std::vector<QueryJob>{{"", values["like"].as<std::string>(), where, 0}};
  }
  return std::vector<QueryJob>{{values["text"].as<std::string>(), "", where, 0}};
}

Result<QueryRequest> ParseQueryRequest(const po::variables_map& values) {
  QueryRequest request;
  QUIVER_ASSIGN_OR_RETURN(request.query, ParseQueryOptions(values));
  QUIVER_ASSIGN_OR_RETURN(request.jobs, ParseQueryJobs(values));
  request.json = values["json"].as<bool>();
  return request;
}

// Answers the jobs in order, printing each one's hits; stops at the first failure.
Status AnswerQueries(DB& db, const QueryRequest& request) {
  QueryOptions query = request.query;
  for (const QueryJob& job : request.jobs) {
    query.where = job.where;
    auto hits = job.like_id.empty() ? db.Query(job.text, query) : db.QueryLike(job.like_id, query);
    if (!hits.ok()) {
      return job.line > 0 ? hits.status().WithContext("query on line " + std::to_string(job.line))
                          : hits.status();
    }
    request.json ? PrintJson(*hits, job) : PrintTable(*hits, job);
  }
  return Status::OK();
}

}  // namespace

int RunQuery(const std::vector<std::string>& args) {
  po::positional_options_description positional;
  positional.add("db", 1).add("text", 1);
  auto parsed = ParseArgs(kName, kUsage, kDescription, QueryOptionsDescription(), positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  auto request = ParseQueryRequest(parsed->values);
  if (!request.ok()) return Fail(kName, request.status());
  auto db = OpenDatabase(parsed->values, DbAccess::kAsAsked);
  if (!db.ok()) return Fail(kName, db.status());
  Status s = AnswerQueries(**db, *request);
  if (s.ok()) s = (*db)->Close();
  return s.ok() ? kExitOk : Fail(kName, s);
}

}  // namespace quiver::cli
