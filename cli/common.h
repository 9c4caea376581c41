// Shared pieces of the CLI subcommands: argument parsing with Boost.Program_options,
// opening databases, turning Status into one stderr line and an exit code, JSON output.
#ifndef QUIVER_CLI_COMMON_H_
#define QUIVER_CLI_COMMON_H_

#include <boost/program_options.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "quiver/db.h"
#include "quiver/status.h"

namespace quiver::cli {

namespace po = boost::program_options;

// Exit codes, documented in `quiver --help`.
enum ExitCode {
  kExitOk = 0,
  kExitFailure = 1,       // an operation failed (I/O, internal)
  kExitUsage = 2,         // bad command line or bad input
  kExitNotFound = 3,      // no such database or record
  kExitBusy = 4,          // locked by another process
  kExitCorruption = 5,    // verify failed, damaged data
  kExitNotSupported = 6,  // newer format, read-only, unsupported feature
  // stopped by SIGINT (Ctrl-C), as shells report it
  kExitInterrupted = 130,
};

// Maps a Status code to the exit code above.
int ExitCodeFor(const Status& status);

// Prints "quiver COMMAND: error: MESSAGE" on stderr and returns ExitCodeFor(status).
int Fail(const std::string& command, const Status& status);

// A filter error of the library ("filter: ...") as the command line's "--where: filter: ...";
// any other status unchanged.
Status WhereFlagError(const Status& status);

// A subcommand's parsed command line.
struct ParsedArgs {
  po::variables_map values;
  bool help = false;  // --help was given; usage has been printed
};

// Parses `args` against `options` (plus --help) and `positional` names. On --help prints
// "usage: quiver USAGE", `description` and the options, and sets help. On a parse error
// returns InvalidArgument with Boost's message.
Result<ParsedArgs> ParseArgs(const std::string& command, const std::string& usage,
                             const std::string& description, po::options_description options,
                             const po::positional_options_description& positional,
                             const std::vector<std::string>& args);

// How a subcommand opens its database.
enum class DbAccess {
  kReadOnly,   // without the write lock: commands that only read
  kReadWrite,  // with the write lock: commands that write
  kAsAsked,    // read-only when the command line has --read-only, else read-write
};

// Opens the existing database named by the "db" argument of `values`: the one way subcommands
// open their database.
Result<std::unique_ptr<DB>> OpenDatabase(const po::variables_map& values, DbAccess access);

// Opens the existing database at `path` (what OpenDatabase does once it has the path), for a
// path that is not the "db" argument. `read_only` opens it without the write lock.
Result<std::unique_ptr<DB>> OpenExisting(const std::string& path, bool read_only);

// Ends `quiver import` and `quiver train` once the model is stored: closes `db` and prints
// "VERB Embedding(V, D): SOURCE, in S s", timed from `start`. Returns the exit code.
int ReportNewModel(const std::string& command, DB& db, const char* verb,
                   std::chrono::steady_clock::time_point start);

// `what` ("cannot write out.jsonl") and the reason errno gives ("No such file or directory"),
// as an IOError, or as NotFound when an input file does not exist (`reading` and ENOENT): how
// every failed file operation is reported.
Status ErrnoError(const std::string& what, bool reading);

// Parses "0.1,0.2,..." (spaces allowed) into floats.
Result<std::vector<float>> ParseVectorList(const std::string& text);

// True when stderr is a terminal (progress bars are drawn only then).
bool StderrIsTerminal();

// Stored metadata text as JSON: the object, or null when absent.
nlohmann::json MetadataJson(const std::string& metadata);

// Prints `value` on stdout as one line of compact JSON (JSON Lines), invalid UTF-8 in its
// strings replaced by U+FFFD: how every --json output is written.
void PrintJsonLine(const nlohmann::json& value);

// Shortens `text` to at most `width` terminal columns (see quiver/display.h): a longer text
// keeps what fits in width - 1 columns, whole characters only, and ends in "…". It is first
// made safe for one terminal line (TerminalText in cli/snippet.h: white space as spaces,
// control characters and invalid UTF-8 as U+FFFD).
std::string Clip(const std::string& text, size_t width);

// The end of `text`, made safe for one terminal line as Clip does, after "…" when it is wider
// than `width` columns: for ids and paths, which differ at their ends.
std::string ClipFront(const std::string& text, size_t width);

// A score with 4 significant digits, as tables print it (FormatScores of cli/snippet.h for
// one score).
std::string FormatScore(float score);

}  // namespace quiver::cli

#endif  // QUIVER_CLI_COMMON_H_
