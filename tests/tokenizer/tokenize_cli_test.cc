// `quiver tokenize` and `quiver train-tokenizer`.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/fixtures/test_util.h"
#include "tests/tokenizer/tokenizer_test_util.h"

namespace quiver {
namespace {

using test::RunCli;

TEST(TokenizeCli, TablePrintsVocabularySizeAndTokens) {
  ASSERT_TRUE(test::CacheHas("llama2.model"));
  auto r = RunCli({"tokenize", "--tokenizer", test::CachePath("llama2.model"), " grabbed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vocabulary size: 32000"), std::string::npos) << r.out;
  // [1, 29871, 2646, 1327, 287]: "▁gra" covers " gra", quoted so that the space shows.
  EXPECT_NE(r.out.find("29871"), std::string::npos);
  EXPECT_NE(r.out.find("\xE2\x96\x81gra"), std::string::npos);
  EXPECT_NE(r.out.find("\" gra\""), std::string::npos) << r.out;
}

TEST(TokenizeCli, JsonLinesAndNoSpecial) {
  ASSERT_TRUE(test::CacheHas("mistral_tokenizer.json"));
  const std::string path = test::CachePath("mistral_tokenizer.json");
  auto r = RunCli({"tokenize", "--tokenizer", path, "--json", "grabbed"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["token"], "<s>");
  EXPECT_EQ(lines[0]["id"], 1);
  EXPECT_EQ(lines[1]["token"], "\xE2\x96\x81grabbed");
  EXPECT_EQ(lines[1]["id"], 13300);
  auto plain = RunCli({"tokenize", "--tokenizer", path, "--json", "--no-special", "grabbed"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(nlohmann::json::parse(plain.out)["id"], 13300);
}

TEST(TokenizeCli, ErrorsAreOneLineAndNonZero) {
  test::TempDir dir;
  const std::string bad = dir.Sub("bad.json");
  test::WriteFile(bad, "{\"model\": ");
  const std::vector<std::vector<std::string>> cases = {
      {"tokenize", "--tokenizer", bad, "text"},
      {"tokenize", "--tokenizer", dir.Sub("missing.model"), "text"},
      {"tokenize", "text"},
      {"tokenize", "--tokenizer", bad},
      {"tokenize", "--bogus-flag"},
      {"train-tokenizer", "--vocab", "100", "-o", dir.Sub("x.model")},
      {"train-tokenizer", "--corpus", dir.Sub("none.txt"), "--vocab", "100", "-o",
       dir.Sub("x.model")},
  };
  for (const auto& args : cases) {
    auto r = RunCli(args);
    EXPECT_NE(r.exit_code, 0) << args[1];
    EXPECT_EQ(r.err.find("quiver " + args[0] + ": error: "), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(TrainTokenizerCli, TrainsADeterministicModelFile) {
  test::TempDir dir;
  std::string corpus;
  for (int i = 0; i < 400; ++i) {
    corpus += "the quick brown fox " + std::to_string(i % 17) + " jumps over the lazy dog\n";
  }
  test::WriteFile(dir.Sub("corpus.txt"), corpus);
  for (const char* out : {"a.model", "b.model"}) {
    auto r = RunCli({"train-tokenizer", "--corpus", dir.Sub("corpus.txt"), "--vocab", "100",
                     "--type", "bpe", "--no-byte-fallback", "-o", dir.Sub(out)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("100 pieces"), std::string::npos) << r.out;
  }
  EXPECT_EQ(test::ReadFile(dir.Sub("a.model")), test::ReadFile(dir.Sub("b.model")));
  auto r = RunCli({"tokenize", "--tokenizer", dir.Sub("a.model"), "--json", "the lazy dog"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\xE2\x96\x81lazy"), std::string::npos) << r.out;
}

TEST(TokenizeCli, HelpTeaches) {
  auto r = RunCli({"tokenize", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: quiver tokenize --tokenizer FILE"), std::string::npos);
  EXPECT_NE(r.out.find("--no-special"), std::string::npos);
  auto t = RunCli({"train-tokenizer", "--help"});
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find("--vocab"), std::string::npos);
}

}  // namespace
}  // namespace quiver

namespace quiver {
namespace {

TEST(TokenizeCli, DatabaseKeepsItsTokenizer) {
  ASSERT_TRUE(test::CacheHas("llama2.model"));
  test::TempDir dir;
  const std::string db = dir.Sub("db");
  // The database keeps a copy: the file is not needed afterwards.
  const std::string model = dir.Sub("copy.model");
  test::WriteFile(model, test::ReadFile(test::CachePath("llama2.model")));
  auto created = RunCli({"create", db, "--dim", "4", "--tokenizer", model});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::filesystem::remove(model);

  auto from_db = RunCli({"tokenize", db, "--json", " grabbed"});
  auto from_file =
      RunCli({"tokenize", "--tokenizer", test::CachePath("llama2.model"), "--json", " grabbed"});
  ASSERT_EQ(from_db.exit_code, 0) << from_db.err;
  EXPECT_EQ(from_db.out, from_file.out);
  EXPECT_NE(from_db.out.find("\"id\":29871"), std::string::npos) << from_db.out;
  auto table = RunCli({"tokenize", db, "Hello"});
  EXPECT_NE(table.out.find("vocabulary size: 32000 (sentencepiece)"), std::string::npos);

  auto none = RunCli({"create", dir.Sub("plain"), "--dim", "4"});
  ASSERT_EQ(none.exit_code, 0);
  auto missing = RunCli({"tokenize", dir.Sub("plain"), "text"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("has no tokenizer"), std::string::npos) << missing.err;

  auto bad = RunCli({"create", dir.Sub("bad"), "--dim", "4", "--tokenizer", dir.Sub("nope")});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("bad"))) << "nothing may be left behind";
}

}  // namespace
}  // namespace quiver
