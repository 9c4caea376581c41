// Command-line parsing for every subcommand (ParseArgs of cli/common.h): Boost.Program_options
// with usage and errors in the words the user types. Positional arguments are declared to Boost
// as options ("db", "paths") but shown as the usage line writes them (DB, PATH...), and an
// unknown option gets a "did you mean" from the command's own option names.
#include <cctype>
#include <cstdio>
#include <iostream>
#include <limits>
#include <set>

#include "cli/common.h"
#include "quiver/suggest.h"

namespace quiver::cli {
namespace {

// How a positional option is written in usage lines: its value name when it has one
// (po::value<...>()->value_name("PATH")), else from its name: "db" -> "DB", "paths" ->
// "PATH..." (the last option repeats).
std::string PositionalWord(const po::options_description& options,
                           const po::positional_options_description& positional,
                           const std::string& name) {
  std::string word;
  const po::option_description* option = options.find_nothrow(name, false);
  const std::string value_name = option != nullptr ? option->semantic()->name() : "";
  const bool named = !value_name.empty() && value_name != "arg";
  for (char c : named ? value_name : name) {
    word.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(c)));
  }
  const unsigned total = positional.max_total_count();
  const bool repeated = total == std::numeric_limits<unsigned>::max() &&
                        positional.name_for_position(total - 1) == name;
  if (repeated && !named && word.size() > 1 && word.back() == 'S') word.pop_back();
  return repeated ? word + "..." : word;
}

// `text` wrapped to lines of at most `width` columns, every line after the first indented by
// `indent` spaces.
std::string Wrapped(const std::string& text, size_t indent, size_t width) {
  std::string out, line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out + line;
}

// The names of the positional options, in order.
std::vector<std::string> PositionalNames(const po::positional_options_description& positional) {
  std::vector<std::string> names;
  const unsigned total = positional.max_total_count();
  const unsigned known = total == std::numeric_limits<unsigned>::max() ? 64 : total;
  for (unsigned i = 0; i < known; ++i) {
    const std::string& name = positional.name_for_position(i);
    if (names.empty() || names.back() != name) names.push_back(name);
  }
  return names;
}

// --help: the usage line, the description, the positional arguments as words and the other
// options with their flags.
void PrintHelp(const std::string& usage, const std::string& description,
               const po::options_description& options,
               const po::positional_options_description& positional) {
  std::cout << "usage: quiver " << usage << "\n\n" << description << "\n\n";
  const std::vector<std::string> names = PositionalNames(positional);
  const std::set<std::string> hidden(names.begin(), names.end());
  if (!names.empty()) {
    std::cout << "arguments:\n";
    for (const std::string& name : names) {
      const po::option_description* option = options.find_nothrow(name, false);
      if (option == nullptr) continue;
      std::printf("  %-22s %s\n", PositionalWord(options, positional, name).c_str(),
                  Wrapped(option->description(), 25, 55).c_str());
    }
    std::cout << "\n";
  }
  po::options_description shown("options");
  for (const auto& option : options.options()) {
    if (!hidden.contains(option->long_name())) shown.add(option);
  }
  std::cout << shown;
}

// Boost's message for `e` in the user's words: positional arguments named as the usage line
// writes them, and a suggestion for an unknown option.
std::string ErrorText(const po::error& e, const std::string& usage,
                      const po::options_description& options,
                      const po::positional_options_description& positional) {
  if (const auto* missing = dynamic_cast<const po::required_option*>(&e)) {
    std::string name = missing->get_option_name();
    if (name.rfind("--", 0) == 0) name.erase(0, 2);
    for (const std::string& p : PositionalNames(positional)) {
      if (p == name) {
        return "missing the " + PositionalWord(options, positional, name) +
               " argument (usage: quiver " + usage + ")";
      }
    }
  }
  if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&e)) {
    std::string name = unknown->get_option_name();
    const std::string bare =
        name.substr(name.find_first_not_of('-') == std::string::npos ? name.size()
                                                                     : name.find_first_not_of('-'));
    std::vector<std::string> flags;
    for (const auto& option : options.options()) flags.push_back(option->long_name());
    const std::vector<std::string> similar = SimilarNames(bare, flags, 1);
    std::string text = "unknown option '" + name + "'";
    if (!similar.empty()) text += " (did you mean --" + similar[0] + "?)";
    return text;
  }
  if (dynamic_cast<const po::too_many_positional_options_error*>(&e) != nullptr) {
    std::string words;
    for (const std::string& p : PositionalNames(positional)) {
      words += (words.empty() ? "" : " ") + PositionalWord(options, positional, p);
    }
    return "too many arguments: expected " + (words.empty() ? std::string("none") : words);
  }
  return e.what();
}

}  // namespace

Result<ParsedArgs> ParseArgs(const std::string& command, const std::string& usage,
                             const std::string& description, po::options_description options,
                             const po::positional_options_description& positional,
                             const std::vector<std::string>& args) {
  options.add_options()("help,h", "show this help");
  ParsedArgs parsed;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(),
              parsed.values);
    if (parsed.values.count("help")) {
      PrintHelp(usage, description, options, positional);
      parsed.help = true;
      return parsed;
    }
    po::notify(parsed.values);
  } catch (const po::error& e) {
    return Status::InvalidArgument(ErrorText(e, usage, options, positional) + " (see `quiver " +
                                   command + " --help`)");
  }
  return parsed;
}

}  // namespace quiver::cli
