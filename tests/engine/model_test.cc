// A database's embedding model: importing word vectors, token vectors and neighbours.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "quiver/db.h"
#include "tests/fixtures/db_util.h"
#include "tests/fixtures/test_util.h"

namespace quiver {
namespace {

constexpr int kDim = 8;

class ModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vectors_ = test::RandomVectors(50, kDim, 5);
    std::string text;
    for (int w = 0; w < 50; ++w) {
      text += "w" + std::to_string(w);
      for (int i = 0; i < kDim; ++i) text += " " + std::to_string(vectors_[w * kDim + i]);
      text += "\n";
    }
    test::WriteFile(dir_.Sub("glove.txt"), text);
  }
  std::vector<float> Row(int w) const {
    return {vectors_.begin() + w * kDim, vectors_.begin() + (w + 1) * kDim};
  }
  // The identity of the model TrainModel learns from `corpus` (vocabulary 300) into a new
  // database under `name`; "" (and a test failure) when training fails.
  std::string TrainedIdentity(const std::string& name, const std::string& corpus) {
    TrainOptions options;
    options.vocab_size = 300;
    auto db = test::OpenOrDie(dir_.Sub(name), test::CreateOptions(kDim));
    Status s = db->TrainModel({corpus}, options);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? db->GetModelInfo()->identity : "";
  }

  test::TempDir dir_;
  std::vector<float> vectors_;
};

TEST_F(ModelTest, ImportedVectorsAnswerNeighborsLikeBruteForce) {
  {
    auto db = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim));
    ASSERT_TRUE(db->ImportWordVectors(dir_.Sub("glove.txt")).ok());
  }
  auto db = test::OpenOrDie(dir_.Sub("db"), Options());  // the model persists
  auto info = db->GetModelInfo();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->vocab_size, 50);
  EXPECT_EQ(info->dimension, kDim);
  EXPECT_EQ(info->tokenizer_kind, "word");
  EXPECT_EQ(info->identity.size(), 16u);

  auto vector = db->TokenVector("W7");  // the word tokenizer lower-cases
  ASSERT_TRUE(vector.ok()) << vector.status().ToString();
  for (int i = 0; i < kDim; ++i) EXPECT_NEAR((*vector)[i], Row(7)[i], 1e-5);

  auto expected = test::BruteForce(vectors_, kDim, Row(7), Metric::kCosine, 6);
  auto neighbors = db->Neighbors("w7", 5);
  ASSERT_TRUE(neighbors.ok());
  ASSERT_EQ(neighbors->size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ((*neighbors)[i].token, "w" + std::to_string(expected[i + 1].row));
    EXPECT_NEAR((*neighbors)[i].score, expected[i + 1].score, 1e-4);
  }
  EXPECT_TRUE(db->Neighbors("nope", 5).status().IsNotFound());
  EXPECT_EQ(info->pooling, "mean");

  // Mean pooling: the normalized average of the known tokens' vectors.
  auto embedded = db->Embed("W1 w2, zebra");
  ASSERT_TRUE(embedded.ok()) << embedded.status().ToString();
  ASSERT_EQ(embedded->tokens.size(), 4u);  // w1 w2 , zebra
  EXPECT_EQ(embedded->known_tokens, 2);
  std::vector<double> mean(kDim);
  double norm = 0;
  for (int i = 0; i < kDim; ++i) {
    mean[i] = (Row(1)[i] + Row(2)[i]) / 2.0;
    norm += mean[i] * mean[i];
  }
  for (int i = 0; i < kDim; ++i) {
    EXPECT_NEAR(embedded->vector[i], mean[i] / std::sqrt(norm), 1e-5);
  }
  EXPECT_EQ(embedded->token_vectors[3], std::vector<float>(kDim, 0.0f));
  auto unknown = db->Embed("zebra giraffe");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->known_tokens, 0);
  EXPECT_EQ(unknown->vector, std::vector<float>(kDim, 0.0f));
  EXPECT_TRUE(db->Neighbors("w7", 0).status().IsInvalidArgument());
}

TEST_F(ModelTest, ImportIsRefusedForOtherDimensionsOrASecondModel) {
  auto db = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim + 1));
  Status s = db->ImportWordVectors(dir_.Sub("glove.txt"));
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("has 8 dimensions; this database stores 9"), std::string::npos)
      << s.message();
  EXPECT_TRUE(db->GetModelInfo().status().IsNotFound());

  auto other = test::OpenOrDie(dir_.Sub("db2"), test::CreateOptions(kDim));
  ASSERT_TRUE(other->ImportWordVectors(dir_.Sub("glove.txt")).ok());
  EXPECT_TRUE(other->ImportWordVectors(dir_.Sub("glove.txt")).IsInvalidArgument());

  auto fresh = test::OpenOrDie(dir_.Sub("db3"), test::CreateOptions(kDim));
  EXPECT_TRUE(fresh->ImportWordVectors(dir_.Sub("missing.txt"), "glove").IsIOError());
  EXPECT_TRUE(fresh->ImportWordVectors(dir_.Sub("glove.txt"), "nonsense").IsInvalidArgument());
  EXPECT_TRUE(fresh->GetModelInfo().status().IsNotFound()) << "failed imports write nothing";
}

// A safetensors file holding one F32 tensor `name` of rows × cols.
void WriteSafetensors(const std::string& path, const std::string& name, int rows, int cols,
                      const std::vector<float>& values) {
  const std::string header = "{\"" + name + "\": {\"dtype\": \"F32\", \"shape\": [" +
                             std::to_string(rows) + ", " + std::to_string(cols) +
                             "], \"data_offsets\": [0, " + std::to_string(values.size() * 4) +
                             "]}}";
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
  file += header;
  file.append(reinterpret_cast<const char*>(values.data()), values.size() * 4);
  test::WriteFile(path, file);
}

TEST_F(ModelTest, SafetensorsLayerWithItsTokenizer) {
  // A word list as the tokenizer: 50 words plus <unk>, one row each.
  std::string vocab;
  for (int w = 0; w < 50; ++w) vocab += "w" + std::to_string(w) + "\n";
  test::WriteFile(dir_.Sub("vocab.txt"), vocab + "<unk>\n");
  std::vector<float> rows = vectors_;
  rows.resize(51 * kDim, 0.0f);
  WriteSafetensors(dir_.Sub("model.safetensors"), "model.embed_tokens.weight", 51, kDim, rows);

  auto db = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim));
  ASSERT_TRUE(db->ImportSafetensors(dir_.Sub("model.safetensors"), "", dir_.Sub("vocab.txt")).ok());
  auto info = db->GetModelInfo();
  ASSERT_TRUE(info.ok());
  EXPECT_NE(info->source.find("Embedding(51, 8)"), std::string::npos) << info->source;
  auto vector = db->TokenVector("w9");
  ASSERT_TRUE(vector.ok());
  EXPECT_EQ(*vector, Row(9));

  // One row short of the tokenizer: refused, naming both numbers.
  WriteSafetensors(dir_.Sub("short.safetensors"), "emb", 50, kDim, vectors_);
  auto other = test::OpenOrDie(dir_.Sub("db2"), test::CreateOptions(kDim));
  Status s = other->ImportSafetensors(dir_.Sub("short.safetensors"), "emb", dir_.Sub("vocab.txt"));
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("has 50 rows but the tokenizer"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("has 51 entries"), std::string::npos) << s.message();
  EXPECT_TRUE(other
                  ->ImportSafetensors(dir_.Sub("model.safetensors"), "missing.tensor",
                                      dir_.Sub("vocab.txt"))
                  .IsNotFound());
}

// Sentences from two topics that never mix: a trained model must keep them apart.
std::string TopicCorpus() {
  const std::vector<std::vector<std::string>> topics = {
      {"cat", "dog", "horse", "cow", "sheep", "goat", "pig", "duck"},
      {"red", "blue", "green", "yellow", "purple", "orange", "pink", "brown"}};
  std::string corpus;
  uint64_t state = 7;
  for (int line = 0; line < 1500; ++line) {
    const auto& words = topics[line % 2];
    for (int w = 0; w < 8; ++w) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      corpus += words[(state >> 33) % words.size()] + (w < 7 ? " " : "\n");
    }
  }
  return corpus;
}

TEST_F(ModelTest, TrainedModelSeparatesTopicsAndIsDeterministic) {
  test::WriteFile(dir_.Sub("corpus.txt"), TopicCorpus());
  TrainOptions options;
  options.vocab_size = 300;  // 256 byte-fallback pieces + characters + a few words
  std::string identity;
  for (const char* name : {"t1", "t2"}) {
    auto db = test::OpenOrDie(dir_.Sub(name), test::CreateOptions(kDim));
    Status s = db->TrainModel({dir_.Sub("corpus.txt")}, options);
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto info = db->GetModelInfo();
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->pooling, "sif");
    EXPECT_EQ(info->tokenizer_kind, "sentencepiece");
    if (identity.empty()) identity = info->identity;
    EXPECT_EQ(info->identity, identity) << "equal seeds and corpora give identical models";
  }
  auto db = test::OpenOrDie(dir_.Sub("t1"), Options());
  auto neighbors = db->Neighbors("dog", 3);
  ASSERT_TRUE(neighbors.ok()) << neighbors.status().ToString();
  const std::string animals = "cat dog horse cow sheep goat pig duck";
  for (const auto& n : *neighbors) {
    std::string word = n.token;
    if (word.rfind("\xE2\x96\x81", 0) == 0) word = word.substr(3);  // sentencepiece's "▁"
    EXPECT_NE(animals.find(word), std::string::npos) << n.token << " is not an animal";
  }
  auto animal = db->Embed("cat dog horse");
  auto colour = db->Embed("red blue green");
  auto other_animal = db->Embed("cow sheep goat");
  ASSERT_TRUE(animal.ok() && colour.ok() && other_animal.ok());
  auto dot = [](const std::vector<float>& a, const std::vector<float>& b) {
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i) sum += double(a[i]) * b[i];
    return sum;
  };
  EXPECT_GT(dot(animal->vector, other_animal->vector), dot(animal->vector, colour->vector));
  EXPECT_TRUE(db->TrainModel({dir_.Sub("corpus.txt")}, options).IsInvalidArgument());
}

TEST_F(ModelTest, TrainsFromADirectoryAndReplacesOnlyWhenAsked) {
  // The corpus split over a directory tree (text found by content, so a README counts; a
  // binary file is left out) gives the same model as the single file.
  const std::string corpus = TopicCorpus();
  std::filesystem::create_directories(dir_.Sub("tree/sub"));
  const size_t half = corpus.find('\n', corpus.size() / 2) + 1;
  test::WriteFile(dir_.Sub("tree/a.txt"), corpus.substr(0, half));
  test::WriteFile(dir_.Sub("tree/sub/README"), corpus.substr(half));
  test::WriteFile(dir_.Sub("tree/sub/c.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  test::WriteFile(dir_.Sub("corpus.txt"), corpus);
  const std::string from_file = TrainedIdentity("file", dir_.Sub("corpus.txt"));
  ASSERT_FALSE(from_file.empty());
  EXPECT_EQ(TrainedIdentity("tree.db", dir_.Sub("tree")), from_file);
  TrainOptions options;
  options.vocab_size = 300;
  auto from_tree = test::OpenOrDie(dir_.Sub("tree.db"), Options());
  // A second model replaces the first only with kReplace.
  options.seed = 7;
  EXPECT_TRUE(from_tree->TrainModel({dir_.Sub("tree")}, options).IsInvalidArgument());
  options.existing_model = ExistingModel::kReplace;
  ASSERT_TRUE(from_tree->TrainModel({dir_.Sub("tree")}, options).ok());
  EXPECT_NE(from_tree->GetModelInfo()->identity, from_file);
  EXPECT_TRUE(from_tree->Neighbors("dog", 3).ok());
}

TEST_F(ModelTest, CliImportNeighborsVectorModel) {
  const std::string db = dir_.Sub("cli");
  ASSERT_EQ(test::RunCli({"create", db, "--dim", std::to_string(kDim)}).exit_code, 0);
  auto imported = test::RunCli({"import", db, "--word-vectors", dir_.Sub("glove.txt")});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_NE(imported.out.find("Embedding(50, 8)"), std::string::npos) << imported.out;

  auto neighbors = test::RunCli({"neighbors", db, "w3", "-k", "2", "--json"});
  ASSERT_EQ(neighbors.exit_code, 0) << neighbors.err;
  EXPECT_EQ(std::count(neighbors.out.begin(), neighbors.out.end(), '\n'), 2);
  EXPECT_NE(neighbors.out.find("{\"score\":"), std::string::npos);
  EXPECT_NE(neighbors.out.find("\"token\":\"w"), std::string::npos);

  auto vector = test::RunCli({"vector", db, "w3"});
  ASSERT_EQ(vector.exit_code, 0);
  // One comma-separated number per dimension: the form `quiver search --vector` reads.
  EXPECT_EQ(std::count(vector.out.begin(), vector.out.end(), ','), kDim - 1);

  auto model = test::RunCli({"model", db, "--json"});
  ASSERT_EQ(model.exit_code, 0);
  EXPECT_NE(model.out.find("\"vocab_size\":50"), std::string::npos) << model.out;

  auto embedded = test::RunCli({"embed", db, "w1 w2", "--json"});
  ASSERT_EQ(embedded.exit_code, 0) << embedded.err;
  EXPECT_NE(embedded.out.find("\"vector\":["), std::string::npos) << embedded.out;
  auto per_token = test::RunCli({"embed", db, "w1 w2", "--per-token", "--json"});
  EXPECT_EQ(std::count(per_token.out.begin(), per_token.out.end(), '\n'), 2);
  auto unknown = test::RunCli({"embed", db, "zebra"});
  EXPECT_EQ(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no token of the text is in the model's vocabulary"),
            std::string::npos);

  const std::string svg = dir_.Sub("words.svg");
  auto plot = test::RunCli({"plot", db, "w1", "w2", "w3", "-o", svg, "--title", "a & b"});
  ASSERT_EQ(plot.exit_code, 0) << plot.err;
  const std::string drawing = test::ReadFile(svg);
  EXPECT_EQ(drawing.find("<?xml"), 0u);
  EXPECT_NE(drawing.find(">w2<"), std::string::npos);
  EXPECT_NE(drawing.find("a &amp; b"), std::string::npos);
  auto bad_plot = test::RunCli({"plot", db, "w1", "zebra", "-o", dir_.Sub("no.svg")});
  EXPECT_EQ(bad_plot.exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("no.svg")));

  auto missing = test::RunCli({"neighbors", db, "zebra"});
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("\"zebra\" is not one token"), std::string::npos) << missing.err;
}

TEST_F(ModelTest, TrainsOnTheTextsOfJsonlRecordsAsIngestReadsThem) {
  // One record per corpus line: the records' texts are the corpus, not the JSON around them.
  const std::string corpus = TopicCorpus();
  std::string jsonl;
  for (size_t start = 0; start < corpus.size();) {
    const size_t end = corpus.find('\n', start);
    jsonl += "{\"text\": \"" + corpus.substr(start, end - start) + "\"}\n";
    start = end + 1;
  }
  test::WriteFile(dir_.Sub("corpus.txt"), corpus);
  test::WriteFile(dir_.Sub("records/corpus.jsonl"), jsonl);
  const std::string from_text = TrainedIdentity("text.db", dir_.Sub("corpus.txt"));
  ASSERT_FALSE(from_text.empty());
  EXPECT_EQ(TrainedIdentity("records.db", dir_.Sub("records")), from_text);
}

TEST_F(ModelTest, ACorpusWithNoTextFileIsRefusedNamingWhatItHas) {
  test::WriteFile(dir_.Sub("pictures/a.png"), std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  auto db = test::OpenOrDie(dir_.Sub("db"), test::CreateOptions(kDim));
  Status s = db->TrainModel({dir_.Sub("pictures")}, TrainOptions());
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("expected text files to train on"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("a.png"), std::string::npos) << s.message();
  EXPECT_FALSE(db->GetModelInfo().ok());
}

}  // namespace
}  // namespace quiver
