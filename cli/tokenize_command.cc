// quiver tokenize --tokenizer FILE TEXT [--json] [--no-special]
#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/common.h"
#include "cli/table.h"
#include "quiver/tools.h"

namespace quiver::cli {

namespace {

constexpr const char* kName = "tokenize";

constexpr const char* kDescription =
    "Splits TEXT into tokens the way the model's own tokenizer does and prints the\n"
    "vocabulary size, then one row per token: its id, its vocabulary entry (sentencepiece\n"
    "shows a leading space as \"\xE2\x96\x81\", byte-level BPE as \"\xC4\xA0\"; bytes without an\n"
    "entry of their own appear as <0xXX>) and the piece of TEXT it covers, quoted so that\n"
    "spaces are visible.\n"
    "\n"
    "FILE may be a sentencepiece .model, a Hugging Face tokenizer.json (BPE), a word list\n"
    "(.txt/.vocab, one word per line, e.g. a GloVe vector file) or a quiver tokenizer blob.\n"
    "TEXT \"-\" reads the text from standard input.\n"
    "\n"
    "  quiver tokenize --tokenizer llama2.model \"Hello world\"\n"
    "  quiver tokenize --tokenizer tokenizer.json --json \"Hello world\" | jq .id\n"
    "\n"
    "quiver tokenize DB TEXT uses the tokenizer a database was created with\n"
    "(quiver create DB --dim N --tokenizer FILE).";

// `s` between double quotes, on one line, for a table cell: newline, tab, carriage return,
// '"' and '\\' are escaped C-style and every other byte below 0x20 as \xNN, so no ASCII
// control character (ESC included) reaches the terminal. All other bytes are copied unchanged,
// UTF-8 and invalid bytes alike; that includes DEL (0x7F) and the C1 controls U+0080-U+009F,
// so the result is terminal-safe only where C1 is ignored (U+009B is an 8-bit CSI elsewhere).
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02X", static_cast<unsigned char>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

void PrintJson(const Tokenization& tokens) {
  for (const Token& token : tokens.tokens) {
    nlohmann::json line = {
        {"token", token.piece}, {"id", token.id}, {"begin", token.begin}, {"end", token.end}};
    PrintJsonLine(line);
  }
}

void PrintTable(const Tokenization& tokens, std::string_view text) {
  std::printf("vocabulary size: %d (%s)\n", tokens.vocab_size, tokens.tokenizer_kind.c_str());
  Table table({"id", "token", "text"});
  for (const Token& token : tokens.tokens) {
    // Tokens the tokenizer inserts (BOS/EOS) cover no text.
    table.AddRow({std::to_string(token.id), token.piece,
                  token.begin == token.end
                      ? "(added)"
                      : Quote(text.substr(token.begin, token.end - token.begin))});
  }
  table.Print(stdout);
  std::printf("%zu tokens\n", tokens.tokens.size());
}

// Tokenizes with a tokenizer file, or with the tokenizer stored in database `db_path`.
Result<Tokenization> Tokenize(const po::variables_map& values, const std::string& db_path,
                              const std::string& text) {
  const bool add_special = !values["no-special"].as<bool>();
  if (!db_path.empty()) {
    auto db = OpenExisting(db_path, /*read_only=*/true);
    if (!db.ok()) return db.status();
    return (*db)->Tokenize(text, add_special);
  }
  return TokenizeWithFile(values["tokenizer"].as<std::string>(), text, add_special);
}

}  // namespace

int RunTokenize(const std::vector<std::string>& args) {
  po::options_description options("options");
  options.add_options()("tokenizer", po::value<std::string>(),
                        "tokenizer file (.model, tokenizer.json, .txt, blob)")(
      "json", po::bool_switch(), "one JSON object per token: {\"token\",\"id\",\"begin\",\"end\"}")(
      "no-special", po::bool_switch(),
      "do not add the model's BOS/EOS tokens (special tokens written in TEXT still match)")(
      "text", po::value<std::vector<std::string>>()->composing(),
      "the text (positional; \"-\" reads standard input)");
  po::positional_options_description positional;
  positional.add("text", -1);
  auto parsed = ParseArgs(kName,
                          "tokenize --tokenizer FILE TEXT [--json] [--no-special]\n"
                          "       quiver tokenize DB TEXT [--json]",
                          kDescription, options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  std::vector<std::string> inputs;
  if (values.count("text")) inputs = values["text"].as<std::vector<std::string>>();
  const bool from_file = values.count("tokenizer") > 0;
  if (inputs.size() != (from_file ? 1u : 2u)) {
    return Fail(kName, Status::InvalidArgument(
                           from_file ? "expected exactly one TEXT with --tokenizer FILE; got " +
                                           std::to_string(inputs.size()) + " arguments"
                                     : "expected DB TEXT, or --tokenizer FILE TEXT (see `quiver "
                                       "tokenize --help`)"));
  }
  std::string text = inputs.back();
  if (text == "-") text.assign(std::istreambuf_iterator<char>(std::cin), {});
  auto tokens = Tokenize(values, from_file ? "" : inputs.front(), text);
  if (!tokens.ok()) return Fail(kName, tokens.status());
  if (values["json"].as<bool>()) {
    PrintJson(*tokens);
  } else {
    PrintTable(*tokens, text);
  }
  return kExitOk;
}

}  // namespace quiver::cli
