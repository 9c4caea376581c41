// quiver add DB FILE.jsonl|- [--skip-bad] [--batch-size N]
//
// The input is checked completely before anything is written: a bad line stops the command
// with nothing from the file stored, unless --skip-bad is given. Records are then written in
// atomic batches; after a crash every acknowledged batch is present and no partial one is.
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <set>

#include "cli/common.h"
#include "cli/jsonl_records.h"
#include "cli/progress.h"

namespace quiver::cli {
namespace {

constexpr const char* kName = "add";
constexpr size_t kMaxWarnings = 10;

// Copies the rest of `in` (named `name`) to an anonymous temporary file, rewound.
Result<FILE*> Spool(FILE* in, const std::string& name) {
  FILE* copy = std::tmpfile();
  if (copy == nullptr) return Status::IOError("cannot create a temporary file to hold " + name);
  char buffer[1 << 16];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof(buffer), in)) > 0) {
    if (std::fwrite(buffer, 1, got, copy) != got) {
      std::fclose(copy);
      return Status::IOError("cannot copy " + name + " to a temporary file");
    }
  }
  if (std::ferror(in) || std::fflush(copy) != 0) {
    std::fclose(copy);
    return Status::IOError("cannot read " + name);
  }
  std::rewind(copy);
  return copy;
}

// Opens FILE (stdin for "-") so that it can be read twice, once to check and once to write,
// while the input itself is read once: a regular file is read in place; anything else (stdin,
// a pipe path such as /dev/stdin or <(...), a FIFO, a device) is first copied to a temporary
// file, since it cannot be rewound.
Result<FILE*> OpenInput(const std::string& path, const std::string& name) {
  FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) return Status::NotFound("cannot open " + path);
  struct stat info;
  if (::fstat(::fileno(file), &info) == 0 && S_ISREG(info.st_mode) && file != stdin) return file;
  Result<FILE*> copy = Spool(file, name);
  if (file != stdin) std::fclose(file);
  return copy;
}

uint64_t FileSize(FILE* file) {
  struct stat info;
  return ::fstat(::fileno(file), &info) == 0 ? static_cast<uint64_t>(info.st_size) : 0;
}

// Pass 1: every line parsed and checked against the database. Bad lines are returned in
// `bad` when skipping, or reported as the error otherwise.
Status CheckInput(FILE* file, const std::string& name, const DB& db, bool skip_bad,
                  std::set<size_t>* bad) {
  LineReader reader(file);
  std::string_view line;
  Record record;
  while (reader.Next(&line)) {
    if (!reader.overlong() && IsBlank(line)) continue;
    Status s = reader.overlong() ? reader.OverlongError() : ParseRecordLine(line, &record);
    if (s.ok()) s = db.CheckRecord(record);
    if (s.ok()) continue;
    const std::string where = name + ":" + std::to_string(reader.line_number()) + ": ";
    if (!skip_bad) {
      return Status::InvalidArgument(where + s.message() +
                                     "; nothing was written (use "
                                     "--skip-bad to add the good lines)");
    }
    if (bad->size() < kMaxWarnings) {
      std::fprintf(stderr, "quiver add: skipping %s%s\n", where.c_str(), s.message().c_str());
    }
    bad->insert(reader.line_number());
  }
  if (std::ferror(file)) return Status::IOError("cannot read " + name);
  return Status::OK();
}

// Pass 2: writes the good lines in batches of `batch_size`; *written counts the records of
// the batches stored, including one stored before an error that came after it.
Status WriteInput(FILE* file, const std::set<size_t>& bad, size_t batch_size, DB* db,
                  uint64_t* written) {
  std::rewind(file);
  LineReader reader(file);
  ProgressBar progress("adding", FileSize(file));
  std::vector<Record> batch;
  std::string_view line;
  auto flush = [&]() {
    WriteOutcome outcome;
    Status s = db->Upsert(batch, &outcome);
    if (outcome.stored) *written += batch.size();
    batch.clear();
    progress.Update(reader.bytes_read(), *written);
    return s;
  };
  while (reader.Next(&line)) {
    if (bad.contains(reader.line_number()) || (!reader.overlong() && IsBlank(line))) continue;
    if (reader.overlong()) return reader.OverlongError();  // the input changed since pass 1
    batch.emplace_back();
    QUIVER_RETURN_IF_ERROR(ParseRecordLine(line, &batch.back()));
    if (batch.size() >= batch_size) QUIVER_RETURN_IF_ERROR(flush());
  }
  if (!batch.empty()) QUIVER_RETURN_IF_ERROR(flush());
  return Status::OK();
}

}  // namespace

int RunAdd(const std::vector<std::string>& args) {
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("input", po::value<std::string>()->required(), "JSON Lines file, or - for stdin")
      ("skip-bad", po::bool_switch(),
       "add the good lines and report the bad ones, instead of refusing the whole file")
      ("batch-size", po::value<size_t>()->default_value(1000), "records per atomic write");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("input", 1);
  auto parsed = ParseArgs(kName, "add DB FILE.jsonl|- [--skip-bad] [--batch-size N]",
                          "Inserts or replaces records. Each line is one JSON object:\n"
                          "  {\"id\": \"doc-1\", \"vector\": [0.1, 0.2, ...], \"text\": \"...\", "
                          "\"meta\": {\"lang\": \"en\"}}\n"
                          "\"text\" and \"meta\" are optional. An id that exists is replaced.\n"
                          "A line holds at most 256 MiB; JSON nests at most 64 levels deep.\n"
                          "FILE may be a pipe or FIFO (<(cmd), /dev/stdin): it is read once.\n"
                          "The whole input is checked first; a bad line writes nothing unless\n"
                          "--skip-bad is given.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  const std::string input = values["input"].as<std::string>();
  const size_t batch_size = values["batch-size"].as<size_t>();
  if (batch_size == 0) return Fail(kName, Status::InvalidArgument("--batch-size must be > 0"));

  auto db = OpenDatabase(values, DbAccess::kReadWrite);
  if (!db.ok()) return Fail(kName, db.status());
  const std::string name = input == "-" ? "stdin" : input;
  auto file = OpenInput(input, name);
  if (!file.ok()) return Fail(kName, file.status());
  const auto start = std::chrono::steady_clock::now();
  std::set<size_t> bad;
  uint64_t written = 0;
  Status s = CheckInput(*file, name, **db, values["skip-bad"].as<bool>(), &bad);
  const bool checked = s.ok();
  if (s.ok()) s = WriteInput(*file, bad, batch_size, db->get(), &written);
  std::fclose(*file);
  if (s.ok()) s = (*db)->Close();
  if (!s.ok()) {
    // Exactly what the database holds: the batches stored before (or despite) the error.
    if (checked) {
      std::fprintf(stderr, "quiver add: %llu records from %s are stored\n",
                   static_cast<unsigned long long>(written), name.c_str());
    }
    // Closing would retry what failed (a checkpoint, say) and report it again.
    Status ignored = (*db)->Close();
    return Fail(kName, s);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("added %llu records from %s in %.2f s", static_cast<unsigned long long>(written),
              name.c_str(), seconds);
  if (!bad.empty()) std::printf("; skipped %zu bad lines", bad.size());
  std::printf("\n");
  return kExitOk;
}

}  // namespace quiver::cli
