// quiver query DB "text" [-k 10] [--mode hybrid|dense|bm25] [--where JSON] [--json [--highlights]]
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>

#include "cli/common.h"
#include "cli/hit_source.h"
#include "cli/jsonl_records.h"
#include "cli/numbers.h"
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
  std::string at;   // "FILE:LINE" of that line
  Status error;     // a line of --queries FILE that is no query: reported, not answered
};

// Reads --queries FILE: one query per line, plain text or {"query": ..., "where": ...}; lines
// of at most kMaxLineBytes, JSON nested at most kMaxJsonDepth deep.
Result<std::vector<QueryJob>> ReadQueryFile(const std::string& path, const std::string& where) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) return ErrnoError("cannot open query file " + path, true);
  std::vector<QueryJob> jobs;
  LineReader reader(in.get());
  std::string_view line;
  while (reader.Next(&line)) {
    QueryJob job{std::string(line),
                 "",
                 where,
                 reader.line_number(),
                 path + ":" + std::to_string(reader.line_number()),
                 Status::OK()};
    if (reader.overlong()) {
      job.text.clear();
      job.error = reader.OverlongError();
      jobs.push_back(std::move(job));
      continue;
    }
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line.front() == '{') {
      if (Status depth = CheckJsonDepth(line); !depth.ok()) {
        job.error = depth;
      } else {
        auto json = nlohmann::json::parse(line, nullptr, false);
        if (!json.is_object() || !json.contains("query") || !json["query"].is_string()) {
          job.error = Status::InvalidArgument(
              "expected plain text or {\"query\": \"...\", \"where\": {...}}; found " +
              std::string(json.is_discarded() ? "malformed JSON"
                                              : "JSON without a \"query\" string"));
        } else {
          job.text = json["query"].get<std::string>();
          if (json.contains("where")) job.where = json["where"].dump();
        }
      }
    }
    jobs.push_back(std::move(job));
  }
  if (std::ferror(in.get())) return ErrnoError("cannot read query file " + path, true);
  return jobs;
}

// The table's text column is never narrower than this.
constexpr size_t kMinTextWidth = 20;

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
                           {"score", JsonFloat(hit.score)},
                           {"text", hit.text},
                           {"meta", MetadataJson(hit.metadata)},
                           {"source", SourceJson(hit.source)}};
    if (with_highlights) line["highlights"] = HighlightsJson(hit.highlights);
    if (job.line > 0) {
      line["query"] = job.line;
      line["query_text"] = job.text;
    }
    PrintJsonLine(line);
  }
}

// The hits as a table: rank, score, where each came from (HitSourceLabeler) and its snippet.
// On a terminal the table fits its width: the source is cut from the left to at most a third
// of it and the snippet gets what is left. Into a pipe nothing is cut: the whole text, on one
// line.
void PrintTable(const std::vector<Hit>& hits, const QueryJob& job) {
  if (job.line > 0) std::printf("query %zu: %s\n", job.line, TerminalText(job.text).c_str());
  if (hits.empty()) {
    std::printf("no hits\n");
    return;
  }
  const std::optional<size_t> width = TerminalWidth();
  std::vector<float> scores;
  for (const Hit& hit : hits) scores.push_back(hit.score);
  const std::vector<std::string> score_texts = FormatScores(scores);
  HitSourceLabeler labeler;
  Table table({"rank", "score", "source", "text"});
  for (size_t i = 0; i < hits.size(); ++i) {
    const std::string source = labeler.Label(hits[i]);
    table.AddRow(
        {std::to_string(i + 1), score_texts[i],
         width ? ClipFront(source, std::max<size_t>(12, *width / 3)) : TerminalText(source)});
  }
  const size_t text_width =
      width ? table.WidthLeft(*width, 3, kMinTextWidth) : std::numeric_limits<size_t>::max();
  for (size_t i = 0; i < hits.size(); ++i) {
    table.SetSafeCell(i, 3,
                      Snippet(hits[i].text, hits[i].highlights, text_width, width.has_value()));
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
    "Each distinct text is shown once (--no-dedupe keeps repeats). A query none of\n"
    "whose words the model knows gets no dense hits, and a warning says so.\n"
    "The table shows where each hit came from (its file under the ingested folder\n"
    "and lines, or its id) and the stretch of its text with the most matched words,\n"
    "bold, fitted to the terminal's width ($COLUMNS); into a pipe nothing is cut.\n"
    "--json prints whole texts and ids, --highlights their matched words. A bad line\n"
    "of a --queries file is reported and skipped; the exit status then says so (2).\n\n"
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
       "plus \"query\" (its line) and \"query_text\" with --queries")
      ("dedupe", po::bool_switch(), "show each distinct text once (the default; see --no-dedupe)")
      ("no-dedupe", po::bool_switch(),
       "keep hits whose text repeats a better hit's byte for byte (by default each distinct "
       "text is shown once, and the hits are the top k among distinct texts)")
      ("highlights", po::bool_switch(),
       "with --json: add \"highlights\": [[begin, end], ...], the byte ranges of \"text\" "
       "holding the words that match the query (whole words, ascending)")
      ("fusion", po::value<std::string>()->default_value(std::string(FusionName(kDefaults.fusion))),
       "hybrid: convex (min-max normalized scores, weighted) or rrf (reciprocal rank)")
      ("dense-weight", po::value<float>()->default_value(kDefaults.dense_weight,
                                                     FormatFloat(kDefaults.dense_weight)),
       "hybrid: share of the dense list in the fusion, 0 (bm25 only) to 1 (dense only)")
      ("fusion-depth", po::value<int>()->default_value(kDefaults.fusion_depth),
       "hybrid: candidates taken from each list")
      ("rrf-k", po::value<int>()->default_value(kDefaults.rrf_k),
       "hybrid with --fusion rrf: the rank constant")
      ("k1", po::value<float>()->default_value(kDefaults.bm25_k1, FormatFloat(kDefaults.bm25_k1)),
       "BM25 term-frequency saturation")
      ("b", po::value<float>()->default_value(kDefaults.bm25_b, FormatFloat(kDefaults.bm25_b)),
       "BM25 length normalization")
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
  if (values["dedupe"].as<bool>() && values["no-dedupe"].as<bool>()) {
    return Status::InvalidArgument("give --dedupe or --no-dedupe, not both");
  }
  query.dedupe = !values["no-dedupe"].as<bool>();
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
    return std::vector<QueryJob>{
        {"", values["like"].as<std::string>(), where, 0, "", Status::OK()}};
  }
  return std::vector<QueryJob>{{values["text"].as<std::string>(), "", where, 0, "", Status::OK()}};
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

// A failure that concerns one query of a --queries file (a bad filter, an unknown --like id):
// reported and skipped, the other queries answered. Any other failure stops the run.
bool SkipsLine(const QueryJob& job, const Status& status) {
  return job.line > 0 && (status.IsInvalidArgument() || status.IsNotFound());
}

// What became of the jobs: the first failure, and how many failed.
struct Outcome {
  Status first_error;
  size_t failed = 0;
};

// Reports the failure of `job` on stderr ("quiver query: error: FILE:LINE: ...").
void ReportFailure(const QueryJob& job, const Status& status, Outcome* outcome) {
  const Status named = job.line > 0 ? status.WithContext(job.at) : status;
  if (outcome->failed++ == 0) outcome->first_error = named;
  if (job.line > 0) Fail(kName, named);
}

// Prints the hits of `job`, and on stderr that the model knew none of its words.
void PrintResult(const QueryRequest& request, const QueryJob& job, const QueryResult& result) {
  if (result.no_known_words) {
    const std::string where = job.line > 0 ? " (line " + std::to_string(job.line) + ")" : "";
    std::fprintf(stderr, "quiver %s: warning: the model knows no word of %s%s: %s\n", kName,
                 Clip("\"" + job.text + "\"", 60).c_str(), where.c_str(),
                 request.query.mode == QueryMode::kDense ? "no dense hits"
                                                         : "ranked by full text (bm25) alone");
  }
  request.json ? PrintJson(result.hits, job, request.highlights) : PrintTable(result.hits, job);
}

// Answers one job, printing its hits. A failure that SkipsLine is reported and counted; any
// other is returned.
Status AnswerOne(DB& db, const QueryRequest& request, const QueryJob& job, Outcome* outcome) {
  Status status = job.error;
  if (status.ok()) {
    QueryOptions query = request.query;
    query.where = job.where;
    Result<QueryResult> result = QueryResult{};
    if (job.like_id.empty()) {
      result = db.QueryWithReport(job.text, query);
    } else {
      auto hits = db.QueryLike(job.like_id, query);
      if (hits.ok())
        result->hits = std::move(*hits);
      else
        result = hits.status();
    }
    if (result.ok()) {
      PrintResult(request, job, *result);
      return Status::OK();
    }
    status = WhereFlagError(result.status());
  }
  if (!SkipsLine(job, status)) return status;
  ReportFailure(job, status, outcome);
  return Status::OK();
}

// The end of the run of text jobs from `first` that share its filter (one batch).
size_t BatchEnd(const std::vector<QueryJob>& jobs, size_t first) {
  size_t end = first;
  while (end < jobs.size() && jobs[end].like_id.empty() && jobs[end].error.ok() &&
         jobs[end].where == jobs[first].where) {
    ++end;
  }
  return end;
}

// Answers the jobs in order, printing each one's hits; a bad query of a --queries file is
// reported and skipped (see SkipsLine). Runs of text queries with the same filter go through
// DB::QueryBatchWithReport (over the cores); when a batch fails, its queries are asked one by
// one so that the error names the line at fault.
Status AnswerQueries(DB& db, const QueryRequest& request, Outcome* outcome) {
  const std::vector<QueryJob>& jobs = request.jobs;
  for (size_t first = 0; first < jobs.size();) {
    const size_t end = BatchEnd(jobs, first);
    if (end - first < 2) {
      QUIVER_RETURN_IF_ERROR(AnswerOne(db, request, jobs[first], outcome));
      ++first;
      continue;
    }
    QueryOptions query = request.query;
    query.where = jobs[first].where;
    std::vector<std::string> texts;
    for (size_t i = first; i < end; ++i) texts.push_back(jobs[i].text);
    auto results = db.QueryBatchWithReport(texts, query);
    for (size_t i = first; i < end; ++i) {
      if (results.ok()) {
        PrintResult(request, jobs[i], (*results)[i - first]);
      } else {
        QUIVER_RETURN_IF_ERROR(AnswerOne(db, request, jobs[i], outcome));
      }
    }
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
  Outcome outcome;
  Status s = AnswerQueries(**db, *request, &outcome);
  if (s.ok()) s = (*db)->Close();
  if (!s.ok()) return Fail(kName, s);
  if (outcome.failed == 0) return kExitOk;
  if (request->jobs.size() == 1 && request->jobs[0].line == 0)
    return Fail(kName, outcome.first_error);
  std::fprintf(stderr, "quiver %s: error: %zu of %zu queries failed and were skipped\n", kName,
               outcome.failed, request->jobs.size());
  return ExitCodeFor(outcome.first_error);
}

}  // namespace quiver::cli
