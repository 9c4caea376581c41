// quiver ls DB [--sources] [--where JSON] [--json]
#include <cstdio>
#include <limits>

#include "cli/common.h"
#include "cli/table.h"

namespace quiver::cli {
namespace {

constexpr const char* kName = "ls";
constexpr const char* kUsage = "ls DB [--sources] [--where JSON] [--json]";
constexpr const char* kDescription =
    "Lists the stored records in id order (id, source, metadata, the start of the text), or\n"
    "with --sources the ingested files (path, size, mtime, content hash, chunks). --where\n"
    "keeps the records whose metadata match a filter (the language of `quiver query`).\n"
    "Tables are made safe for a terminal; --json prints one JSON object per line.";

po::options_description LsOptionsDescription() {
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("sources", po::bool_switch(), "list ingested source files instead of records")
      ("where", po::value<std::string>()->default_value(""),
       "records only: a metadata filter, e.g. '{\"relpath\": {\"$startswith\": \"notes/\"}}'")
      ("json", po::bool_switch(),
       "one JSON object per line: records {\"id\",\"text\",\"meta\",\"source\"}; sources "
       "{\"path\",\"size\",\"mtime\",\"hash\",\"chunks\"}")
      ("read-only", po::bool_switch(),
       "open without the write lock (works while another process writes)");
  // clang-format on
  return options;
}

Status ListRecords(DB& db, const std::string& where, bool json) {
  ScanOptions scan;
  scan.where = where;
  // On a terminal: id, source and metadata cut to at most 40, 32 and 40 columns, the text to
  // what is left of the width. Into a pipe nothing is cut.
  const std::optional<size_t> width = TerminalWidth();
  const auto fit = [&](const std::string& cell, size_t most) {
    return Clip(cell, width ? most : std::numeric_limits<size_t>::max());
  };
  Table table({"id", "source", "meta", "text"});
  std::vector<std::string> texts;
  size_t count = 0;
  Status status = db.ScanRecords(scan, [&](const Record& record) {
    ++count;
    if (json) {
      nlohmann::json line = {
          {"id", record.id},
          {"text", record.text},
          {"meta", MetadataJson(record.metadata)},
          {"source", record.source.path.empty() ? nlohmann::json(nullptr)
                                                : nlohmann::json(record.source.path)}};
      PrintJsonLine(line);
    } else {
      table.AddRow({fit(record.id, 40), fit(record.source.path, 32), fit(record.metadata, 40)});
      texts.push_back(fit(record.text, width.value_or(0)));
    }
    return Status::OK();
  });
  if (!status.ok()) return WhereFlagError(status);
  if (!json) {
    if (count == 0) {
      std::printf("no records\n");
    } else {
      const size_t left =
          width ? table.WidthLeft(*width, 3, 20) : std::numeric_limits<size_t>::max();
      for (size_t i = 0; i < texts.size(); ++i) table.SetSafeCell(i, 3, Clip(texts[i], left));
      table.Print(stdout);
    }
  }
  return Status::OK();
}

Status ListSources(DB& db, bool json) {
  const std::optional<size_t> width = TerminalWidth();
  Table table({"path", "size", "mtime", "hash", "chunks"});
  size_t count = 0;
  QUIVER_RETURN_IF_ERROR(db.ScanSources([&](const SourceInfo& source) {
    ++count;
    if (json) {
      PrintJsonLine({{"path", source.path},
                     {"size", source.size},
                     {"mtime", source.mtime},
                     {"hash", source.content_hash},
                     {"chunks", source.chunks}});
    } else {
      table.AddRow({width ? Clip(source.path, 60) : source.path, std::to_string(source.size),
                    std::to_string(source.mtime), source.content_hash,
                    std::to_string(source.chunks)});
    }
    return Status::OK();
  }));
  if (!json) {
    if (count == 0) {
      std::printf("no sources\n");
    } else {
      table.Print(stdout);
    }
  }
  return Status::OK();
}

}  // namespace

int RunLs(const std::vector<std::string>& args) {
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed = ParseArgs(kName, kUsage, kDescription, LsOptionsDescription(), positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  const bool sources = values["sources"].as<bool>();
  const std::string where = values["where"].as<std::string>();
  if (sources && !where.empty()) {
    return Fail(kName, Status::InvalidArgument("--where filters records, not --sources"));
  }
  auto db = OpenDatabase(values, DbAccess::kAsAsked);
  if (!db.ok()) return Fail(kName, db.status());
  const bool json = values["json"].as<bool>();
  Status status = sources ? ListSources(**db, json) : ListRecords(**db, where, json);
  if (!status.ok()) return Fail(kName, status);
  Status s = (*db)->Close();
  return s.ok() ? kExitOk : Fail(kName, s);
}

}  // namespace quiver::cli
