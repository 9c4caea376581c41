// quiver stats DB [--json]
#include <cstdio>

#include "cli/common.h"
#include "cli/table.h"

namespace quiver::cli {

int RunStats(const std::vector<std::string>& args) {
  constexpr const char* kName = "stats";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("json", po::bool_switch(), "print one JSON object")
      ("read-only", po::bool_switch(), "open without the write lock");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName, "stats DB [--json]",
                          "Prints record count, dimension, metric, index spec, deleted vectors\n"
                          "still held by the index (compact drops them), bytes on disk, and the\n"
                          "full-text index: its analyzer (stemming language and the ICU version\n"
                          "that segmented the texts), documents, distinct terms and deleted\n"
                          "documents still held (compact drops them).",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kAsAsked);
  if (!db.ok()) return Fail(kName, db.status());
  auto stats = (*db)->GetStats();
  if (!stats.ok()) return Fail(kName, stats.status());
  const std::string metric(MetricName(stats->metric));
  if (values["json"].as<bool>()) {
    nlohmann::json out = {{"count", stats->count},
                          {"dimension", stats->dimension},
                          {"metric", metric},
                          {"index", stats->index_spec},
                          {"index_trained", stats->index_trained},
                          {"deleted", stats->deleted},
                          {"disk_bytes", stats->disk_bytes},
                          {"last_sequence", stats->last_sequence},
                          {"checkpoint_sequence", stats->checkpoint_sequence},
                          {"distance_kernel", stats->distance_kernel},
                          {"analyzer", stats->analyzer},
                          {"icu_version", stats->icu_version},
                          {"lexical_documents", stats->lexical_documents},
                          {"lexical_terms", stats->lexical_terms},
                          {"lexical_deleted", stats->lexical_deleted}};
    PrintJsonLine(out);
  } else {
    Table table({"property", "value"});
    table.AddRow({"count", std::to_string(stats->count)});
    table.AddRow({"dimension", std::to_string(stats->dimension)});
    table.AddRow({"metric", metric});
    table.AddRow(
        {"index", stats->index_spec + (stats->index_trained ? "" : " (untrained: exact search)")});
    table.AddRow({"deleted", std::to_string(stats->deleted)});
    table.AddRow({"disk bytes", std::to_string(stats->disk_bytes)});
    table.AddRow({"last sequence", std::to_string(stats->last_sequence)});
    table.AddRow({"checkpoint sequence", std::to_string(stats->checkpoint_sequence)});
    table.AddRow({"distance kernel", stats->distance_kernel});
    table.AddRow(
        {"analyzer", stats->analyzer +
                         (stats->icu_version.empty() ? "" : " (ICU " + stats->icu_version + ")")});
    table.AddRow({"full-text documents", std::to_string(stats->lexical_documents)});
    table.AddRow({"full-text terms", std::to_string(stats->lexical_terms)});
    table.AddRow({"full-text deleted", std::to_string(stats->lexical_deleted)});
    table.Print(stdout);
  }
  Status s = (*db)->Close();
  return s.ok() ? kExitOk : Fail(kName, s);
}

}  // namespace quiver::cli
