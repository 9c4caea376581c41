#include "cli/command.h"

namespace quiver::cli {

// Defined in the *_command.cc files.
int RunCreate(const std::vector<std::string>& args);
int RunAdd(const std::vector<std::string>& args);
int RunSearch(const std::vector<std::string>& args);
int RunGet(const std::vector<std::string>& args);
int RunDelete(const std::vector<std::string>& args);
int RunStats(const std::vector<std::string>& args);
int RunVerify(const std::vector<std::string>& args);
int RunCompact(const std::vector<std::string>& args);
int RunBackup(const std::vector<std::string>& args);
int RunTokenize(const std::vector<std::string>& args);
int RunTrainTokenizer(const std::vector<std::string>& args);
int RunImport(const std::vector<std::string>& args);
int RunModel(const std::vector<std::string>& args);
int RunNeighbors(const std::vector<std::string>& args);
int RunVector(const std::vector<std::string>& args);
int RunPlot(const std::vector<std::string>& args);
int RunEmbed(const std::vector<std::string>& args);
int RunTrain(const std::vector<std::string>& args);
int RunReembed(const std::vector<std::string>& args);
int RunReindex(const std::vector<std::string>& args);
int RunIngest(const std::vector<std::string>& args);
int RunQuery(const std::vector<std::string>& args);
int RunLs(const std::vector<std::string>& args);
int RunExport(const std::vector<std::string>& args);

namespace {
constexpr Command kCommands[] = {
    {"ingest", "read a collection of documents (txt, md, jsonl, csv, gz, dirs) into a database",
     RunIngest},
    {"query", "ask a question in plain text: hybrid BM25 + dense ranking, metadata filters",
     RunQuery},
    {"create", "create an empty database with a fixed dimension, metric and index", RunCreate},
    {"add", "insert or replace records from a JSON Lines file", RunAdd},
    {"search", "find the records nearest to a vector", RunSearch},
    {"get", "print one stored record", RunGet},
    {"ls", "list the stored records (or ingested sources), optionally filtered", RunLs},
    {"export", "write every record as JSON Lines that `quiver add` reads back", RunExport},
    {"delete", "remove records by id", RunDelete},
    {"stats", "counts, dimension, metric, index, full-text analyzer and disk use", RunStats},
    {"verify", "check that store and index agree and checksums hold", RunVerify},
    {"compact", "rebuild the index without deleted vectors and compact the store", RunCompact},
    {"backup", "write a consistent copy of a database to a new directory", RunBackup},
    {"tokenize", "show the token ids a tokenizer file or a database gives a text", RunTokenize},
    {"train-tokenizer", "train a sentencepiece tokenizer on text files", RunTrainTokenizer},
    {"train", "learn an embedding model from your own text (PPMI + SVD)", RunTrain},
    {"import", "give a database an embedding model: word vectors or an LLM layer", RunImport},
    {"model", "describe the database's embedding model", RunModel},
    {"neighbors", "most similar tokens of the embedding model", RunNeighbors},
    {"vector", "one token's vector in the embedding model", RunVector},
    {"plot", "draw tokens' vectors in 2-D (PCA) as a labelled SVG scatter plot", RunPlot},
    {"embed", "a text's pooled vector (or one per token) from the embedding model", RunEmbed},
    {"reembed", "recompute every stored vector with the database's current model", RunReembed},
    {"reindex", "rebuild the full-text index, optionally with another analyzer", RunReindex},
};
}  // namespace

std::span<const Command> AllCommands() { return kCommands; }

}  // namespace quiver::cli
