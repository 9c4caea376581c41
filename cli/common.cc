#include "cli/common.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include "cli/snippet.h"
#include "quiver/display.h"

namespace quiver::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk:
      return kExitOk;
    case Status::Code::kInvalidArgument:
      return kExitUsage;
    case Status::Code::kNotFound:
      return kExitNotFound;
    case Status::Code::kBusy:
      return kExitBusy;
    case Status::Code::kCorruption:
      return kExitCorruption;
    case Status::Code::kNotSupported:
      return kExitNotSupported;
    case Status::Code::kIOError:
      return kExitFailure;
    case Status::Code::kCancelled:
      return kExitInterrupted;
  }
  return kExitFailure;
}

int Fail(const std::string& command, const Status& status) {
  std::fprintf(stderr, "quiver %s: error: %s\n", command.c_str(), status.message().c_str());
  return ExitCodeFor(status);
}

Status WhereFlagError(const Status& status) {
  if (status.message().rfind("filter: ", 0) != 0) return status;
  return status.WithContext("--where");
}

Result<std::unique_ptr<DB>> OpenDatabase(const po::variables_map& values, DbAccess access) {
  bool read_only = access == DbAccess::kReadOnly;
  if (access == DbAccess::kAsAsked && values.count("read-only")) {
    read_only = values["read-only"].as<bool>();
  }
  return OpenExisting(values["db"].as<std::string>(), read_only);
}

Result<std::unique_ptr<DB>> OpenExisting(const std::string& path, bool read_only) {
  Options options;
  options.read_only = read_only;
  return DB::Open(options, path);
}

int ReportNewModel(const std::string& command, DB& db, const char* verb,
                   std::chrono::steady_clock::time_point start) {
  auto info = db.GetModelInfo();
  if (!info.ok()) return Fail(command, info.status());
  Status s = db.Close();
  if (!s.ok()) return Fail(command, s);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string shape = !info->architecture.empty()
                                ? info->architecture
                                : "Embedding(" + std::to_string(info->vocab_size) + ", " +
                                      std::to_string(info->dimension) + ")";
  std::printf("%s %s: %s, in %.2f s\n", verb, TerminalText(shape).c_str(),
              TerminalText(info->source).c_str(), seconds);
  return kExitOk;
}

Result<std::vector<float>> ParseVectorList(const std::string& text) {
  std::vector<float> values;
  const char* p = text.c_str();
  while (true) {
    while (*p == ' ' || *p == '\t' || *p == '[') ++p;
    if (*p == '\0' || *p == ']') break;
    char* end = nullptr;
    errno = 0;
    float value = std::strtof(p, &end);
    if (end == p) {
      return Status::InvalidArgument("expected a comma-separated list of numbers; found '" +
                                     std::string(p).substr(0, 20) + "' at position " +
                                     std::to_string(values.size() + 1));
    }
    values.push_back(value);
    p = end;
    while (*p == ' ' || *p == '\t') ++p;
    if (*p == ',') ++p;
  }
  if (values.empty()) return Status::InvalidArgument("the vector is empty");
  return values;
}

Status ErrnoError(const std::string& what, bool reading) {
  const int error = errno;
  const std::string message = what + ": " + std::strerror(error);
  return reading && error == ENOENT ? Status::NotFound(message) : Status::IOError(message);
}

bool StderrIsTerminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string FormatScore(float score) { return FormatScores({score})[0]; }

nlohmann::json MetadataJson(const std::string& metadata) {
  if (metadata.empty()) return nullptr;
  auto parsed = nlohmann::json::parse(metadata, nullptr, /*allow_exceptions=*/false);
  return parsed.is_discarded() ? nlohmann::json(metadata) : parsed;
}

void PrintJsonLine(const nlohmann::json& value) {
  std::printf("%s\n", value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

std::string Clip(const std::string& text, size_t width) {
  const std::string out = TerminalText(text);
  if (DisplayWidth(out) <= width) return out;
  if (width == 0) return "\u2026";
  return std::string(PrefixByWidth(out, width - 1)) + "\u2026";
}

std::string ClipFront(const std::string& original, size_t width) {
  const std::string text = TerminalText(original);
  if (DisplayWidth(text) <= width) return text;
  if (width == 0) return "\u2026";
  return "\u2026" + std::string(SuffixByWidth(text, width - 1));
}

}  // namespace quiver::cli
