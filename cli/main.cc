// quiver: the command-line tool. `quiver COMMAND --help` explains each command.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/common.h"

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
               "\n`quiver COMMAND --help` describes a command and its options.\n\n"
               "exit codes: 0 ok, 1 failure, 2 bad usage or input, 3 not found, 4 locked by\n"
               "another process, 5 corruption or verify failed, 6 not supported\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
      std::strcmp(argv[1], "help") == 0) {
    PrintUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? quiver::cli::kExitUsage : quiver::cli::kExitOk;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::printf("quiver 0.1.0\n");
    return 0;
  }
  const std::string name = argv[1];
  for (const auto& command : quiver::cli::AllCommands()) {
    if (name != command.name) continue;
    try {
      return command.run(std::vector<std::string>(argv + 2, argv + argc));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "quiver %s: error: %s\n", command.name, e.what());
      return quiver::cli::kExitFailure;
    }
  }
  std::fprintf(stderr, "quiver: error: unknown command '%s' (see `quiver --help`)\n", name.c_str());
  return quiver::cli::kExitUsage;
}
