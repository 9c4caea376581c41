// quiver: the command-line tool. `quiver COMMAND --help` explains each command.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/common.h"
#include "quiver/suggest.h"

namespace {

void PrintUsage(FILE* out) {
  std::fprintf(out,
               "usage: quiver COMMAND [ARGS...]\n\n"
               "quiver is an embedded vector database: records (id, vector, text, metadata)\n"
               "are stored durably in a directory and searched by similarity.\n\n"
               "commands:\n");
  for (const auto& command : quiver::cli::AllCommands()) {
    std::fprintf(out, "  %-16s %s\n", command.name, command.summary);
  }
  std::fprintf(out,
               "\n`quiver COMMAND --help` (or `quiver help COMMAND`) describes a command and its\n"
               "options.\n\n"
               "exit codes: 0 ok, 1 failure, 2 bad usage or input, 3 not found, 4 locked by\n"
               "another process, 5 corruption or verify failed, 6 not supported\n");
}

// The command called `name`, or nullptr.
const quiver::cli::Command* FindCommand(const std::string& name) {
  for (const auto& command : quiver::cli::AllCommands()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

// "unknown command 'qurey' (did you mean query?)" on stderr; returns the usage exit code.
int UnknownCommand(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& command : quiver::cli::AllCommands()) names.push_back(command.name);
  const std::vector<std::string> similar = quiver::SimilarNames(name, names, 1);
  const std::string hint = similar.empty() ? "" : "did you mean " + similar[0] + "? ";
  std::fprintf(stderr, "quiver: error: unknown command '%s' (%ssee `quiver --help`)\n",
               quiver::cli::Clip(name, 60).c_str(), hint.c_str());
  return quiver::cli::kExitUsage;
}

int Run(const quiver::cli::Command& command, const std::vector<std::string>& args) {
  try {
    return command.run(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "quiver %s: error: %s\n", command.name, e.what());
    return quiver::cli::kExitFailure;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool help = argc >= 2 && std::strcmp(argv[1], "help") == 0;
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      (help && argc == 2)) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? quiver::cli::kExitUsage : quiver::cli::kExitOk;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("quiver 0.1.0\n");
    return 0;
  }
  // `quiver help CMD` is `quiver CMD --help`.
  const std::string name = argv[help ? 2 : 1];
  const quiver::cli::Command* command = FindCommand(name);
  if (command == nullptr) return UnknownCommand(name);
  if (help) return Run(*command, {"--help"});
  return Run(*command, std::vector<std::string>(argv + 2, argv + argc));
}
