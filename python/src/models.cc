// quiver._quiver.DB's embedding-model calls: training and importing a model, embedding and
// tokenizing text, token neighbours, and recomputing vectors or the full-text index.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "bindings.h"
#include "convert.h"
#include "errors.h"
#include "options.h"
#include "quiver/tools.h"

namespace quiver::python {
namespace {

void Train(DBHandle& h, const py::handle& corpus_in, const py::dict& d) {
  const std::vector<std::string> corpus = StringList(corpus_in, "corpus");
  const TrainOptions options = ParseTrainOptions(d);
  h.Call([&](DB& db) { return db.TrainModel(corpus, options); });
}

void ImportModel(DBHandle& h, const std::string& directory, const std::string& precision,
                 std::optional<std::string> query_prompt,
                 std::optional<std::string> document_prompt, bool replace) {
  ModelImportOptions options;
  options.precision = precision;
  options.query_prompt = std::move(query_prompt);
  options.document_prompt = std::move(document_prompt);
  options.existing = Existing(replace);
  h.Call([&](DB& db) { return db.ImportModel(directory, options); });
}

py::dict ModelInfoDict(DBHandle& h) {
  const ModelInfo info = h.Call([](DB& db) { return db.GetModelInfo(); });
  py::dict d;
  d["source"] = Text(info.source);
  d["tokenizer_kind"] = info.tokenizer_kind;
  d["vocab_size"] = info.vocab_size;
  d["dimension"] = info.dimension;
  d["identity"] = info.identity;
  d["pooling"] = info.pooling;
  d["architecture"] = info.architecture;
  d["max_tokens"] = info.max_tokens;
  d["query_prompt"] = Text(info.query_prompt);
  d["document_prompt"] = Text(info.document_prompt);
  return d;
}

// (vector, tokens, token_vectors (n, d) float32, known_tokens).
py::tuple Embed(DBHandle& h, const std::string& text) {
  const EmbeddedText e = h.Call([&](DB& db) { return db.Embed(text); });
  const auto rows = static_cast<py::ssize_t>(e.token_vectors.size());
  const auto cols = static_cast<py::ssize_t>(e.vector.size());
  py::array_t<float> token_vectors(std::vector<py::ssize_t>{rows, cols});
  float* out = token_vectors.mutable_data();
  for (py::ssize_t i = 0; i < rows; ++i) {
    const std::vector<float>& row = e.token_vectors[i];
    for (py::ssize_t j = 0; j < cols; ++j) {
      out[i * cols + j] = j < static_cast<py::ssize_t>(row.size()) ? row[j] : 0.0f;
    }
  }
  return py::make_tuple(FloatVector(e.vector), TokenList(e.tokens), token_vectors, e.known_tokens);
}

py::tuple TokenizationTuple(const Tokenization& t) {
  return py::make_tuple(t.tokenizer_kind, t.vocab_size, TokenList(t.tokens));
}

py::list Neighbors(DBHandle& h, const std::string& token, int k) {
  const auto scores = h.Call([&](DB& db) { return db.Neighbors(token, k); });
  py::list out;
  for (const TokenScore& s : scores) out.append(py::make_tuple(Text(s.token), s.score));
  return out;
}

}  // namespace

void BindModels(py::module_& m, DBClass& cls) {
  cls.def("train", &Train, py::arg("corpus"), py::arg("options"))
      .def("import_word_vectors",
           [](DBHandle& h, const std::string& path, const std::string& format, bool replace) {
             h.Call([&](DB& db) { return db.ImportWordVectors(path, format, Existing(replace)); });
           })
      .def("import_safetensors",
           [](DBHandle& h, const std::string& path, const std::string& tensor,
              const std::string& tokenizer, bool replace) {
             h.Call([&](DB& db) {
               return db.ImportSafetensors(path, tensor, tokenizer, Existing(replace));
             });
           })
      .def("import_model", &ImportModel)
      .def("model_info", &ModelInfoDict)
      .def("embed", &Embed)
      .def("tokenize",
           [](DBHandle& h, const std::string& text, bool add_special_tokens) {
             return TokenizationTuple(
                 h.Call([&](DB& db) { return db.Tokenize(text, add_special_tokens); }));
           })
      .def("token_vector",
           [](DBHandle& h, const std::string& token) {
             return FloatVector(h.Call([&](DB& db) { return db.TokenVector(token); }));
           })
      .def("neighbors", &Neighbors)
      .def("reembed",
           [](DBHandle& h) {
             const ReembedSummary s = h.Call([](DB& db) { return db.Reembed(); });
             py::dict d;
             d["records"] = s.records;
             d["records_kept"] = s.records_kept;
             d["seconds"] = s.seconds;
             return d;
           })
      .def("reindex", [](DBHandle& h, const std::string& language) {
        h.Call([&](DB& db) { return db.Reindex(language); });
      });
  m.def("tokenize_file", [](const std::string& path, const std::string& text, bool special) {
    std::optional<Result<Tokenization>> t;
    {
      py::gil_scoped_release release;
      t.emplace(TokenizeWithFile(path, text, special));
    }
    return TokenizationTuple(ValueOrThrow(std::move(*t)));
  });
}

}  // namespace quiver::python
