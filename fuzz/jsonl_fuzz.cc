// libFuzzer target for the JSON Lines readers, built by scripts/fuzz.sh: the ingest reader
// (ingest/record_readers.h ReadJsonl) reads the input as a file, and `quiver add`'s record
// parser (cli/jsonl_records.h ParseRecordLine) reads each of its lines. The first byte picks
// the reader options. Every document read must have an id, valid UTF-8 text and a JSON-object
// metadata.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/jsonl_records.h"
#include "ingest/record_readers.h"
#include "util/utf8.h"

namespace {

quiver::ingest::ReaderOptions OptionsFrom(uint8_t byte) {
  quiver::ingest::ReaderOptions options;
  options.skip_bad = (byte & 1) != 0;
  if ((byte & 2) != 0) options.metadata_fields = {"lang", "n", "missing"};
  if ((byte & 4) != 0) options.id_field = "key";
  if ((byte & 8) != 0) options.text_field = "body";
  return options;
}

void CheckDocuments(const quiver::ingest::SourceFile& file) {
  for (const auto& doc : file.documents) {
    if (!quiver::utf8::IsValid(doc.text) || doc.id.empty()) __builtin_trap();
    auto meta = nlohmann::json::parse(doc.metadata_json, nullptr, false);
    if (meta.is_discarded() || !meta.is_object()) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  quiver::ingest::SourceFile file;
  file.path = "fuzz.jsonl";
  // The reader's contract is decoded content: valid UTF-8 (ReadSource repairs it first).
  if (quiver::utf8::IsValid(content)) {
    const auto options = OptionsFrom(data[0]);
    if (quiver::ingest::ReadJsonl(file.path, content, options, &file).ok()) CheckDocuments(file);
  }
  size_t begin = 0;
  while (begin <= content.size()) {
    size_t end = content.find('\n', begin);
    if (end == std::string_view::npos) end = content.size();
    const std::string_view line = content.substr(begin, end - begin);
    // An empty id parses (DB::Upsert refuses it); a vector holds at most one number per byte.
    quiver::Record record;
    if (!quiver::cli::IsBlank(line) && quiver::cli::ParseRecordLine(line, &record).ok() &&
        record.vector.size() > line.size()) {
      __builtin_trap();
    }
    begin = end + 1;
  }
  return 0;
}
