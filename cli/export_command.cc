// quiver export DB -o FILE.jsonl
#include <cstdio>
#include <memory>

#include "cli/common.h"
#include "cli/numbers.h"

namespace quiver::cli {
namespace {

constexpr const char* kName = "export";
constexpr const char* kUsage = "export DB -o FILE.jsonl [--where JSON]";
constexpr const char* kDescription =
    "Writes every record (or those --where matches), in id order, as JSON Lines\n"
    "{\"id\", \"vector\", \"text\", \"meta\"}: the format `quiver add` reads, so that\n"
    "`quiver add NEW_DB FILE.jsonl` (NEW_DB created with the same dimension and metric)\n"
    "holds the same records. Where ingested records came from (their source\n"
    "reference) is not exported; their metadata keeps path and relpath.";

po::options_description ExportOptionsDescription() {
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("output,o", po::value<std::string>()->required(), "the JSON Lines file to write")
      ("where", po::value<std::string>()->default_value(""), "export only matching records")
      ("read-only", po::bool_switch(),
       "open without the write lock (works while another process writes)");
  // clang-format on
  return options;
}

struct FileCloser {
  void operator()(FILE* file) const { std::fclose(file); }
};

// Writes the records to `path`; `count` receives how many.
Status ExportRecords(DB& db, const std::string& where, const std::string& path, size_t* count) {
  std::unique_ptr<FILE, FileCloser> out(std::fopen(path.c_str(), "wb"));
  if (!out) return ErrnoError("cannot write " + path, false);
  ScanOptions scan;
  scan.where = where;
  scan.with_source = false;
  scan.with_vector = true;
  Status status = db.ScanRecords(scan, [&](const Record& record) {
    nlohmann::json line = {
        {"id", record.id}, {"vector", JsonFloats(record.vector)}, {"text", record.text}};
    if (!record.metadata.empty()) line["meta"] = MetadataJson(record.metadata);
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (std::fwrite(text.data(), 1, text.size(), out.get()) != text.size()) {
      return ErrnoError("cannot write " + path, false);
    }
    ++*count;
    return Status::OK();
  });
  if (!status.ok()) return WhereFlagError(status);
  if (std::fclose(out.release()) != 0) return ErrnoError("cannot write " + path, false);
  return Status::OK();
}

}  // namespace

int RunExport(const std::vector<std::string>& args) {
  po::positional_options_description positional;
  positional.add("db", 1);
  auto parsed =
      ParseArgs(kName, kUsage, kDescription, ExportOptionsDescription(), positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  auto db = OpenDatabase(values, DbAccess::kAsAsked);
  if (!db.ok()) return Fail(kName, db.status());
  size_t count = 0;
  const std::string path = values["output"].as<std::string>();
  Status status = ExportRecords(**db, values["where"].as<std::string>(), path, &count);
  if (!status.ok()) return Fail(kName, status);
  std::fprintf(stderr, "exported %zu record(s) to %s\n", count, path.c_str());
  Status s = (*db)->Close();
  return s.ok() ? kExitOk : Fail(kName, s);
}

}  // namespace quiver::cli
