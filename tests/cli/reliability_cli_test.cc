// Regressions of issue 14 (reliability) through the release CLI: inputs read once from pipes,
// JSON nesting refused, non-finite model weights refused, a removed index/ recreated, exit
// classes (corruption 5, I/O 1, bad input 2) and --skip-bad on an unterminated CSV quote.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

using test::JsonLine;
using test::RunCli;

// `levels` nested arrays: [[[...]]].
std::string Nested(size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

class ReliabilityCliTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(RunCli({"create", db_, "--dim", "3"}).exit_code, 0); }

  uint64_t Count() {
    auto r = RunCli({"stats", db_, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? nlohmann::json::parse(r.out)["count"].get<uint64_t>() : 0;
  }

  // Runs `sh -c command` with the CLI as $Q; the exit status and stdout.
  std::pair<int, std::string> Shell(const std::string& command) {
    const std::string full = "Q='" + std::string(QUIVER_CLI_PATH) + "'; " + command + " 2>&1";
    FILE* pipe = ::popen(full.c_str(), "r");
    EXPECT_NE(pipe, nullptr);
    std::string out;
    char buffer[4096];
    size_t got;
    while ((got = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, got);
    const int status = ::pclose(pipe);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
  }

  // A database of dimension 4 with a small word-vector model, for `ingest`.
  std::string TextDb() {
    const std::string path = dir_.Sub("text_db");
    test::WriteFile(dir_.Sub("words.txt"), "alpha 1 0 0 0\ngamma 0 1 0 0\ndelta 0 0 1 0\n");
    EXPECT_EQ(RunCli({"create", path, "--dim", "4"}).exit_code, 0);
    auto imported = RunCli({"import", path, "--word-vectors", dir_.Sub("words.txt")});
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    return path;
  }

  test::TempDir dir_;
  std::string db_ = dir_.Sub("db");
  std::string records_ = JsonLine("a", {1, 0, 0}) + JsonLine("b", {0, 1, 0});
};

// Defect 1: a pipe path used to be read twice (check, rewind, write): "added 0 records".
TEST_F(ReliabilityCliTest, PipeInputReadOnce) {
  test::WriteFile(dir_.Sub("recs.jsonl"), records_);
  auto [code, out] =
      Shell("cat '" + dir_.Sub("recs.jsonl") + "' | \"$Q\" add '" + db_ + "' /dev/stdin");
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("added 2 records"), std::string::npos) << out;
  EXPECT_EQ(Count(), 2u);

  // A bad line in a pipe still writes nothing.
  test::WriteFile(dir_.Sub("bad.jsonl"), JsonLine("c", {0, 0, 1}) + "{oops\n");
  auto [bad_code, bad_out] =
      Shell("cat '" + dir_.Sub("bad.jsonl") + "' | \"$Q\" add '" + db_ + "' /dev/stdin");
  EXPECT_EQ(bad_code, 2) << bad_out;
  EXPECT_NE(bad_out.find("/dev/stdin:2:"), std::string::npos) << bad_out;
  EXPECT_EQ(Count(), 2u);
}

TEST_F(ReliabilityCliTest, FifoInputReadOnce) {
  const std::string fifo = dir_.Sub("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    const int fd = ::open(fifo.c_str(), O_WRONLY);
    if (fd < 0) return;
    const ssize_t n = ::write(fd, records_.data(), records_.size());
    (void)n;
    ::close(fd);
  });
  auto r = RunCli({"add", db_, fifo});
  writer.join();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("added 2 records"), std::string::npos) << r.out;
  EXPECT_EQ(Count(), 2u);
}

// Defect 4: metadata nested 100,000 levels deep crashed `add` and `ingest` (SIGSEGV).
TEST_F(ReliabilityCliTest, DeepJsonRefused) {
  const std::string deep = Nested(100000);
  const std::string input = dir_.Sub("deep.jsonl");
  test::WriteFile(input, JsonLine("a", {1, 0, 0}) +
                             R"({"id": "b", "vector": [0, 1, 0], "meta": {"x": )" + deep + "}}\n");
  auto add = RunCli({"add", db_, input});
  EXPECT_EQ(add.exit_code, 2) << add.err;
  EXPECT_NE(add.err.find(input + ":2: "), std::string::npos) << add.err;
  EXPECT_NE(add.err.find("nested deeper than 64 levels"), std::string::npos) << add.err;
  EXPECT_EQ(Count(), 0u);

  // 64 levels are fine.
  test::WriteFile(input,
                  R"({"id": "b", "vector": [0, 1, 0], "meta": {"x": )" + Nested(62) + "}}\n");
  auto ok = RunCli({"add", db_, input});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;

  const std::string docs = dir_.Sub("docs.jsonl");
  test::WriteFile(docs, R"({"text": "hello"})"
                        "\n"
                        R"({"text": "deep", "x": )" +
                            deep + "}\n");
  auto ingest = RunCli({"ingest", TextDb(), docs});
  EXPECT_EQ(ingest.exit_code, 2) << ingest.err;
  EXPECT_NE(ingest.err.find(docs + ":2: "), std::string::npos) << ingest.err;
  EXPECT_NE(ingest.err.find("nested deeper than 64 levels"), std::string::npos) << ingest.err;

  // Filters were safe already: a value that is not a scalar, or more than 64 levels of
  // $and/$or, is refused while compiling. (An argument holds at most 128 KiB.)
  auto where =
      RunCli({"search", db_, "--vector", "1,0,0", "--where", R"({"x": )" + Nested(50000) + "}"});
  EXPECT_EQ(where.exit_code, 2) << where.err;
  EXPECT_NE(where.err.find("filter: "), std::string::npos) << where.err;

  const std::string queries = dir_.Sub("queries.txt");
  test::WriteFile(queries,
                  "hello\n"
                  R"({"query": "x", "where": )" +
                      deep + "}\n");
  auto query = RunCli({"query", db_, "--queries", queries, "--mode", "bm25"});
  EXPECT_EQ(query.exit_code, 2) << query.err;
  EXPECT_NE(query.err.find(queries + ":2: "), std::string::npos) << query.err;
  EXPECT_NE(query.err.find("nested deeper than 64 levels"), std::string::npos) << query.err;
}

// Defect 5: a model with NaN weights imported; ingest then stored NaN vectors. The encoder
// fixture with one weight made NaN is refused, naming the model, the tensor and the element.
TEST_F(ReliabilityCliTest, NonFiniteWeightsRefused) {
  const std::string model = dir_.Sub("model");
  std::filesystem::copy(test::EncoderFixture("minilm-like"), model,
                        std::filesystem::copy_options::recursive);
  std::string bytes = test::ReadFile(model + "/model.safetensors");
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  const auto header = nlohmann::json::parse(bytes.substr(8, header_size));
  const auto& entry = header["embeddings.position_embeddings.weight"];
  ASSERT_EQ(entry["dtype"], "F32");
  const uint64_t at = 8 + header_size + entry["data_offsets"][0].get<uint64_t>() + 4 * 5;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(bytes.data() + at, &nan, 4);
  test::WriteFile(model + "/model.safetensors", bytes);

  const std::string db = dir_.Sub("encoder_db");
  ASSERT_EQ(RunCli({"create", db, "--dim", "48"}).exit_code, 0);
  auto r = RunCli({"import", db, "--model", model});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(model), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("position_embeddings.weight"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("non-finite value (nan) at element 5"), std::string::npos) << r.err;
  auto stats = RunCli({"model", db});
  EXPECT_EQ(stats.out.find("BertModel"), std::string::npos) << "nothing imported: " << stats.out;

  const std::string vectors = dir_.Sub("vectors.txt");
  test::WriteFile(vectors, "cat 1 0 0\ndog 0 inf 0\n");
  auto words = RunCli({"import", db_, "--word-vectors", vectors});
  EXPECT_NE(words.exit_code, 0);
  EXPECT_NE(words.err.find(vectors + ":2: component 2 of \"dog\" is not finite"), std::string::npos)
      << words.err;
}

// Defect 6: with index/ removed, every read-write open rebuilt and then failed to write the
// checkpoint.
TEST_F(ReliabilityCliTest, RemovedIndexDirectoryRecreated) {
  test::WriteFile(dir_.Sub("recs.jsonl"), records_);
  ASSERT_EQ(RunCli({"add", db_, dir_.Sub("recs.jsonl")}).exit_code, 0);
  std::filesystem::remove_all(db_ + "/index");
  test::WriteFile(dir_.Sub("more.jsonl"), JsonLine("c", {0, 0, 1}));
  auto add = RunCli({"add", db_, dir_.Sub("more.jsonl")});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_TRUE(std::filesystem::exists(db_ + "/index/checkpoint.qvi"));
  EXPECT_EQ(Count(), 3u);
  EXPECT_EQ(RunCli({"verify", db_}).exit_code, 0);
}

// Defect 7: a store without CURRENT was "not a quiver database" (2), without MANIFEST an I/O
// error (1); both are damage: 5.
TEST_F(ReliabilityCliTest, DamagedStoreExitsCorruption) {
  test::WriteFile(dir_.Sub("recs.jsonl"), records_);
  ASSERT_EQ(RunCli({"add", db_, dir_.Sub("recs.jsonl")}).exit_code, 0);
  const std::string no_current = dir_.Sub("no_current");
  std::filesystem::copy(db_, no_current, std::filesystem::copy_options::recursive);
  std::filesystem::remove(no_current + "/store/CURRENT");
  auto current = RunCli({"stats", no_current});
  EXPECT_EQ(current.exit_code, 5) << current.err;
  EXPECT_NE(current.err.find("CURRENT"), std::string::npos) << current.err;

  const std::string no_manifest = dir_.Sub("no_manifest");
  std::filesystem::copy(db_, no_manifest, std::filesystem::copy_options::recursive);
  for (const auto& entry : std::filesystem::directory_iterator(no_manifest + "/store")) {
    if (entry.path().filename().string().starts_with("MANIFEST-")) {
      std::filesystem::remove(entry.path());
    }
  }
  auto manifest = RunCli({"stats", no_manifest});
  EXPECT_EQ(manifest.exit_code, 5) << manifest.err;
  EXPECT_NE(manifest.err.find("MANIFEST"), std::string::npos) << manifest.err;

  // A directory of other files is still not a database (bad input).
  const std::string other = dir_.Sub("other");
  std::filesystem::create_directories(other);
  test::WriteFile(other + "/notes.txt", "hi");
  EXPECT_EQ(RunCli({"stats", other}).exit_code, 2);
}

// Defect 7: --skip-bad on an unterminated CSV quote swallowed the rest of the file.
TEST_F(ReliabilityCliTest, UnterminatedCsvQuoteSkipsOneRecord) {
  const std::string csv = dir_.Sub("docs.csv");
  test::WriteFile(csv, "id,text\na,alpha\nb,\"broken\nc,gamma\nd,delta\n");
  const std::string text_db = TextDb();
  auto r = RunCli({"ingest", text_db, csv, "--skip-bad"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ls = RunCli({"ls", text_db, "--json"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  for (const char* id : {"\"a", "\"c", "\"d"}) {
    EXPECT_NE(ls.out.find(id), std::string::npos) << id << "\n" << ls.out;
  }
}

}  // namespace
}  // namespace quiver
