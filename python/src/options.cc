#include "options.h"

#include <memory>

#include "errors.h"

namespace quiver::python {
namespace {

template <typename T>
T Get(const py::dict& d, const char* key, T fallback) {
  if (!d.contains(key)) return fallback;
  py::object value = d[key];
  if (value.is_none()) return fallback;
  try {
    return value.cast<T>();
  } catch (const py::cast_error&) {
    ThrowInvalid(std::string(key) + ": expected " +
                 (std::is_same_v<T, std::string> ? "a str"
                  : std::is_same_v<T, bool>      ? "a bool"
                  : std::is_integral_v<T>        ? "an int"
                                                 : "a number") +
                 ", found " + std::string(py::str(py::type::handle_of(value).attr("__name__"))));
  }
}

}  // namespace

ExistingModel Existing(bool replace) {
  return replace ? ExistingModel::kReplace : ExistingModel::kRefuse;
}

// keys: vocab_size, window, seed, tokenizer_sentences, case_fold, replace.
TrainOptions ParseTrainOptions(const py::dict& d) {
  TrainOptions options;
  if (d.contains("vocab_size")) options.vocab_size = d["vocab_size"].cast<int>();
  if (d.contains("window")) options.window = d["window"].cast<int>();
  if (d.contains("seed")) options.seed = d["seed"].cast<uint32_t>();
  if (d.contains("tokenizer_sentences")) {
    options.tokenizer_sentences = d["tokenizer_sentences"].cast<size_t>();
  }
  if (d.contains("case_fold")) options.case_fold = d["case_fold"].cast<bool>();
  if (d.contains("replace")) options.existing_model = Existing(d["replace"].cast<bool>());
  return options;
}

std::vector<std::string> StringList(const py::handle& items, const char* what) {
  if (py::isinstance<py::str>(items) || !py::isinstance<py::sequence>(items)) {
    ThrowInvalid(std::string(what) + ": expected a list of str, found " +
                 std::string(py::str(py::type::handle_of(items).attr("__name__"))));
  }
  std::vector<std::string> out;
  const auto sequence = py::reinterpret_borrow<py::sequence>(items);
  out.reserve(sequence.size());
  for (size_t i = 0; i < sequence.size(); ++i) {
    py::object item = sequence[i];
    if (!py::isinstance<py::str>(item)) {
      ThrowInvalid(std::string(what) + ": expected str items, found " +
                   std::string(py::str(py::type::handle_of(item).attr("__name__"))) +
                   " at position " + std::to_string(i));
    }
    out.push_back(item.cast<std::string>());
  }
  return out;
}

HitFields ParseFields(const py::handle& names) {
  HitFields fields = HitFields::IdsOnly();
  for (const std::string& name : StringList(names, "fields")) {
    if (name == "text") {
      fields.text = true;
    } else if (name == "metadata") {
      fields.metadata = true;
    } else if (name == "source") {
      fields.source = true;
    } else if (name == "vector") {
      fields.vector = true;
    } else {
      ThrowInvalid("fields: expected names among text, metadata, source, vector, found \"" + name +
                   "\"");
    }
  }
  return fields;
}

SearchOptions ParseSearchOptions(const py::dict& d) {
  SearchOptions options;
  options.k = Get<int>(d, "k", options.k);
  options.where = Get<std::string>(d, "where", "");
  options.ef_search = Get<int>(d, "ef_search", 0);
  options.nprobe = Get<int>(d, "nprobe", 0);
  if (d.contains("fields")) options.fields = ParseFields(d["fields"]);
  return options;
}

CorpusStatistics ParseStatistics(const py::handle& value) {
  const char* expected =
      "statistics: expected (documents, total_length, {clause: df}, constrained) as "
      "quiver.TermStatistics gives it";
  if (!py::isinstance<py::tuple>(value) || py::len(value) != 4) ThrowInvalid(expected);
  const py::tuple t = py::reinterpret_borrow<py::tuple>(value);
  CorpusStatistics statistics;
  try {
    statistics.documents = t[0].cast<uint64_t>();
    statistics.total_length = t[1].cast<uint64_t>();
    for (const auto& [key, df] : t[2].cast<py::dict>()) {
      statistics.frequencies.emplace(key.cast<std::string>(), df.cast<uint64_t>());
    }
    statistics.constrained = t[3].cast<bool>();
  } catch (const py::cast_error&) {
    ThrowInvalid(std::string(expected) + ", with counts >= 0");
  }
  return statistics;
}

std::optional<WriteTag> ParseWriteTag(const py::handle& writer, const py::handle& sequence) {
  if (writer.is_none() && sequence.is_none()) return std::nullopt;
  if (writer.is_none() || sequence.is_none()) {
    ThrowInvalid(std::string("a tagged write needs writer and sequence together; found only ") +
                 (writer.is_none() ? "sequence" : "writer"));
  }
  if (!py::isinstance<py::str>(writer) || py::isinstance<py::bool_>(sequence) ||
      !py::isinstance<py::int_>(sequence)) {
    ThrowInvalid("a tagged write needs writer: str and sequence: int; found " +
                 std::string(py::str(py::type::of(writer).attr("__name__"))) + " and " +
                 std::string(py::str(py::type::of(sequence).attr("__name__"))));
  }
  if (sequence.cast<py::int_>() <= py::int_(0)) {
    ThrowInvalid("a tagged write needs a sequence > 0; found " + std::string(py::str(sequence)));
  }
  WriteTag tag;
  tag.writer = writer.cast<std::string>();
  try {
    tag.sequence = sequence.cast<uint64_t>();
  } catch (const py::cast_error&) {
    ThrowInvalid("a tagged write needs a sequence below 2^64; found " +
                 std::string(py::str(sequence)));
  }
  return tag;
}

QueryOptions ParseQueryOptions(const py::dict& d) {
  QueryOptions options;
  options.k = Get<int>(d, "k", options.k);
  const std::string mode = Get<std::string>(d, "mode", "hybrid");
  const auto parsed_mode = ParseQueryMode(mode);
  if (!parsed_mode) ThrowInvalid("mode: expected hybrid, dense or bm25, found \"" + mode + "\"");
  options.mode = *parsed_mode;
  const std::string fusion = Get<std::string>(d, "fusion", "convex");
  const auto parsed_fusion = ParseFusion(fusion);
  if (!parsed_fusion) ThrowInvalid("fusion: expected convex or rrf, found \"" + fusion + "\"");
  options.fusion = *parsed_fusion;
  options.where = Get<std::string>(d, "where", "");
  options.dense_weight = Get<float>(d, "dense_weight", options.dense_weight);
  options.fusion_depth = Get<int>(d, "fusion_depth", options.fusion_depth);
  options.rrf_k = Get<int>(d, "rrf_k", options.rrf_k);
  options.bm25_k1 = Get<float>(d, "bm25_k1", options.bm25_k1);
  options.bm25_b = Get<float>(d, "bm25_b", options.bm25_b);
  options.highlight = Get<bool>(d, "highlight", false);
  options.ef_search = Get<int>(d, "ef_search", 0);
  options.nprobe = Get<int>(d, "nprobe", 0);
  if (d.contains("fields")) options.fields = ParseFields(d["fields"]);
  if (d.contains("statistics") && !d["statistics"].is_none()) {
    options.statistics = std::make_shared<const CorpusStatistics>(ParseStatistics(d["statistics"]));
  }
  return options;
}

}  // namespace quiver::python
