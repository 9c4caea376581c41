// quiver query DB "text" [-k 10] [--mode hybrid|dense|bm25] [--where JSON] [--json [--highlights]]
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "cli/common.h"
#include "cli/jsonl_records.h"
#include "cli/snippet.h"
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

// Reads --queries FILE: one query per line, plain text or {"query": ..., "where": ...}; lines
// of at most kMaxLineBytes, JSON nested at most kMaxJsonDepth deep.
Result<std::vector<QueryJob>> ReadQueryFile(const std::string& path, const std::string& where) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) return Status::NotFound("cannot open query file " + path);
  std::vector<QueryJob> jobs;
  LineReader reader(in.get());
  std::string_view line;
  while (reader.Next(&line)) {
    const std::string at = path + ":" + std::to_string(reader.line_number()) + ": ";
    if (reader.overlong()) return Status::InvalidArgument(at + reader.OverlongError().message());
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    QueryJob job{std::string(line), "", where, reader.line_number()};
    if (line.front() == '{') {
      if (Status depth = CheckJsonDepth(line); !depth.ok()) {
        return Status::InvalidArgument(at + depth.message());
      }
      auto json = nlohmann::json::parse(line, nullptr, false);
      if (!json.is_object() || !json.contains("query") || !json["query"].is_string()) {
        return Status::InvalidArgument(at +
                                       "expected plain text or {\"query\": \"...\", "
                                       "\"where\": {...}}");
      }
      job.text = json["query"].get<std::string>();
      if (json.contains("where")) job.where = json["where"].dump();
    }
    jobs.push_back(std::move(job));
  }
  if (std::ferror(in.get())) return Status::IOError("cannot read query file " + path);
  return jobs;
}

// The end of `text`, made safe for a terminal line, after "…" when it is wider than `width`
// terminal columns: ids and paths differ at their ends.
std::string ClipFront(const std::string& original, size_t width) {
  const std::string text = TerminalText(original);
  if (DisplayWidth(text) <= width) return text;
  if (width == 0) return "…";
  return "…" + std::string(SuffixByWidth(text, width - 1));
}

// Columns of a hit's text in the table.
constexpr size_t kSnippetWidth = 100;

nlohmann::json SourceJson(const SourceRef& source) {
  if (source.path.empty()) return nullptr;
  return {{"path", source.path},
          {"begin", source.begin},
          {"end", source.end},
          {"chunk", source.chunk},
          {"hash", source.content_hash}};
}

nlohmann::json HighlightsJson(const std::vector<TextSpan>& highlights) {
  nlohmann::json spans = nlohmann::json::array();
  for (const TextSpan& span : highlights)
    spans.push_back(nlohmann::json::array({span.begin, span.end}));
  return spans;
}

void PrintJson(const std::vector<Hit>& hits, const QueryJob& job, bool with_highlights) {
  for (size_t i = 0; i < hits.size(); ++i) {
    const Hit& hit = hits[i];
    nlohmann::json line = {{"rank", i + 1},
                           {"id", hit.id},
                           {"score", hit.score},
                           {"text", hit.text},
                           {"meta", MetadataJson(hit.metadata)},
                           {"source", SourceJson(hit.source)}};
    if (with_highlights) line["highlights"] = HighlightsJson(hit.highlights);
    if (job.line > 0) line["query"] = job.line;
    PrintJsonLine(line);
  }
}

void PrintTable(const std::vector<Hit>& hits, const QueryJob& job) {
  if (job.line > 0) std::printf("query %zu: %s\n", job.line, TerminalText(job.text).c_str());
  if (hits.empty()) {
    std::printf("no hits\n");
    return;
  }
  const bool terminal = isatty(STDOUT_FILENO) == 1;
  std::vector<float> scores;
  for (const Hit& hit : hits) scores.push_back(hit.score);
  const std::vector<std::string> score_texts = FormatScores(scores);
  Table table({"rank", "score", "id", "source", "text"});
  for (size_t i = 0; i < hits.size(); ++i) {
    const Hit& hit = hits[i];
    table.AddRow({std::to_string(i + 1), score_texts[i], ClipFront(hit.id, 32),
                  ClipFront(hit.source.path, 32),
                  Snippet(hit.text, hit.highlights, kSnippetWidth, terminal)});
  }
  table.Print(stdout);
}

constexpr const char* kName = "query";

constexpr const char* kUsage =
    "query DB \"text\" [-k 10] [--mode hybrid|dense|bm25] [--where JSON] [--json [--highlights]]";

constexpr const char* kDescription =
    "Answers a plain-text question with the stored chunks that match it best.\n"
    "  dense   embeds the question with the database's model and searches the vector\n"
    "          index; scores follow the metric (cosine by default).\n"
    "  bm25    ranks by BM25 (--k1, --b) over the full-text index. Its analyzer\n"
    "          splits texts into words by Unicode rules, folds case and stems each\n"
    "          word with Snowball in the database's language (`quiver stats` names\n"
    "          it, `quiver reindex` changes it), so \"proxies\" finds \"Proxy\".\n"
    "          A query is words (any may match), \"quoted phrases\" (these words in\n"
    "          this order), +required and -excluded words or phrases.\n"
    "  hybrid  the default: the bm25 and dense lists fused (--fusion convex: their\n"
    "          min-max normalized scores weighted by --dense-weight; rrf: reciprocal\n"
    "          rank), same query syntax; with + or - only hits that obey them remain.\n"
    "The table shows the stretch of each hit's text with the most matched words,\n"
    "bold on a terminal; --json prints whole texts, --highlights their matched words.\n\n"
    "examples:\n"
    "  quiver query docs.db \"how do I list open files\"\n"
    "  quiver query docs.db '\"open files\" +lsof -windows' --mode bm25\n"
    "  quiver query docs.db \"backup\" --where '{\"path\": {\"$in\": [\"a.md\", \"b.md\"]}}'\n"
    "  quiver query docs.db --like 'notes/todo.md#0' -k 5\n"
    "  quiver query docs.db --queries questions.txt --json --highlights";

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
       "$eq $ne $gt $gte $lt $lte $in $nin $exists $contains $startswith $regex $and $or; a "
       "field no record has is an error; results stay the exact top k")
      ("like", po::value<std::string>(), "instead of text: records similar to this stored id")
      ("queries", po::value<std::string>(),
       "a file of queries, one per line (text, or {\"query\": ..., \"where\": ...})")
      ("json", po::bool_switch(),
       "one JSON object per hit: {\"rank\",\"id\",\"score\",\"text\",\"meta\",\"source\"}, "
       "plus \"query\" (its line) with --queries")
      ("highlights", po::bool_switch(),
       "with --json: add \"highlights\": [[begin, end], ...], the byte ranges of \"text\" "
       "holding the words that match the query (whole words, ascending)")
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
  bool highlights = false;  // --json also prints each hit's highlights
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
  request.highlights = request.json && values["highlights"].as<bool>();
  // The table's snippets are built around the highlights.
  request.query.highlight = !request.json || request.highlights;
  return request;
}

// Answers one job, printing its hits.
Status AnswerOne(DB& db, const QueryRequest& request, const QueryJob& job) {
  QueryOptions query = request.query;
  query.where = job.where;
  auto hits = job.like_id.empty() ? db.Query(job.text, query) : db.QueryLike(job.like_id, query);
  if (!hits.ok()) {
    const Status status = WhereFlagError(hits.status());
    return job.line > 0 ? status.WithContext("query on line " + std::to_string(job.line)) : status;
  }
  request.json ? PrintJson(*hits, job, request.highlights) : PrintTable(*hits, job);
  return Status::OK();
}

// The end of the run of text jobs from `first` that share its filter (one batch).
size_t BatchEnd(const std::vector<QueryJob>& jobs, size_t first) {
  size_t end = first;
  while (end < jobs.size() && jobs[end].like_id.empty() && jobs[end].where == jobs[first].where) {
    ++end;
  }
  return end;
}

// Answers the jobs in order, printing each one's hits; stops at the first failure. Runs of
// text queries with the same filter go through DB::QueryBatch (over the cores); when a batch
// fails, its queries are asked one by one so that the error names the line at fault.
Status AnswerQueries(DB& db, const QueryRequest& request) {
  const std::vector<QueryJob>& jobs = request.jobs;
  for (size_t first = 0; first < jobs.size();) {
    const size_t end = BatchEnd(jobs, first);
    if (end - first < 2) {
      QUIVER_RETURN_IF_ERROR(AnswerOne(db, request, jobs[first]));
      ++first;
      continue;
    }
    QueryOptions query = request.query;
    query.where = jobs[first].where;
    std::vector<std::string> texts;
    for (size_t i = first; i < end; ++i) texts.push_back(jobs[i].text);
    auto results = db.QueryBatch(texts, query);
    for (size_t i = first; i < end; ++i) {
      if (!results.ok()) {
        QUIVER_RETURN_IF_ERROR(AnswerOne(db, request, jobs[i]));
        continue;
      }
      const std::vector<Hit>& hits = (*results)[i - first];
      request.json ? PrintJson(hits, jobs[i], request.highlights) : PrintTable(hits, jobs[i]);
    }
    if (!results.ok()) return WhereFlagError(results.status());  // failed as a batch only
    first = end;
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
