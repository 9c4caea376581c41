// A CLI subcommand: `quiver NAME ARGS...`. Each subcommand lives in its own file and is
// listed once in command_table.cc.
#ifndef QUIVER_CLI_COMMAND_H_
#define QUIVER_CLI_COMMAND_H_

#include <span>
#include <string>
#include <vector>

namespace quiver::cli {

struct Command {
  const char* name;
  const char* summary;  // one line for `quiver --help`
  // Receives the arguments after the subcommand name; returns the process exit code.
  // Errors are printed as one line on stderr by the command itself.
  int (*run)(const std::vector<std::string>& args);
};

// Every subcommand, in the order `quiver --help` lists them.
std::span<const Command> AllCommands();

}  // namespace quiver::cli

#endif  // QUIVER_CLI_COMMAND_H_
