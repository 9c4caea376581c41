// quiver plot DB WORD... -o FILE.svg [--title TEXT]
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/common.h"
#include "quiver/tools.h"

namespace quiver::cli {
namespace {

// Writes `contents` to `path` through a temporary file, so a failure leaves no partial file.
Status WriteWhole(const std::string& path, const std::string& contents) {
  const std::string temp = path + ".tmp";
  {
    errno = 0;
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) return ErrnoError("cannot write " + path, false);
    out << contents;
    if (!out.flush()) {
      Status failed = ErrnoError("cannot write " + path, false);
      std::filesystem::remove(temp);
      return failed;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) {
    std::filesystem::remove(temp);
    return Status::IOError("cannot write " + path + ": " + ec.message());
  }
  return Status::OK();
}

}  // namespace

int RunPlot(const std::vector<std::string>& args) {
  constexpr const char* kName = "plot";
  po::options_description options("options");
  // clang-format off
  options.add_options()
      ("db", po::value<std::string>()->required(), "database directory")
      ("words", po::value<std::vector<std::string>>()->required()->multitoken(),
       "two or more tokens of the model's vocabulary")
      ("output,o", po::value<std::string>()->required(), "the SVG file to write")
      ("title", po::value<std::string>()->default_value(""), "a title above the plot");
  // clang-format on
  po::positional_options_description positional;
  positional.add("db", 1).add("words", -1);
  auto parsed = ParseArgs(kName, "plot DB WORD... -o FILE.svg [--title TEXT]",
                          "Projects the words' vectors to two dimensions (PCA) and draws them\n"
                          "as a labelled scatter plot in a standalone SVG file.",
                          options, positional, args);
  if (!parsed.ok()) return Fail(kName, parsed.status());
  if (parsed->help) return kExitOk;
  const auto& values = parsed->values;
  const auto& words = values["words"].as<std::vector<std::string>>();
  auto db = OpenDatabase(values, DbAccess::kReadOnly);
  if (!db.ok()) return Fail(kName, db.status());
  std::vector<std::vector<float>> vectors;
  for (const std::string& word : words) {
    auto vector = (*db)->TokenVector(word);
    if (!vector.ok()) return Fail(kName, vector.status());
    vectors.push_back(std::move(*vector));
  }
  PlotOptions plot;
  plot.title = values["title"].as<std::string>();
  auto svg = PlotScatterSvg(words, vectors, plot);
  if (!svg.ok()) return Fail(kName, svg.status());
  const std::string output = values["output"].as<std::string>();
  Status s = WriteWhole(output, *svg);
  if (!s.ok()) return Fail(kName, s);
  std::printf("wrote %s: %zu words\n", output.c_str(), words.size());
  return kExitOk;
}

}  // namespace quiver::cli
