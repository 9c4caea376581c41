// libFuzzer target for the CSV reader (ingest/record_readers.h ReadCsv), built by
// scripts/fuzz.sh. The first byte picks the reader options; the rest is the file's decoded
// content. Every document read must hold valid UTF-8 and a JSON-object metadata, and a
// document's line must lie within the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "ingest/record_readers.h"
#include "util/utf8.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view content(reinterpret_cast<const char*>(data) + 1, size - 1);
  // The reader's contract is decoded content: valid UTF-8 (ReadSource repairs it first).
  if (!quiver::utf8::IsValid(content)) return 0;
  quiver::ingest::ReaderOptions options;
  options.skip_bad = (data[0] & 1) != 0;
  if ((data[0] & 2) != 0) options.metadata_fields = {"lang", "n", "missing"};
  if ((data[0] & 4) != 0) options.text_columns = {"n"};
  if ((data[0] & 8) != 0) options.id_field = "key";
  quiver::ingest::SourceFile file;
  file.path = "fuzz.csv";
  if (!quiver::ingest::ReadCsv(file.path, content, options, &file).ok()) return 0;
  const uint64_t lines = 1 + std::count(content.begin(), content.end(), '\n');
  for (const auto& doc : file.documents) {
    if (!quiver::utf8::IsValid(doc.text) || doc.id.empty()) __builtin_trap();
    if (doc.line < 2 || doc.line > lines) __builtin_trap();
    auto meta = nlohmann::json::parse(doc.metadata_json, nullptr, false);
    if (meta.is_discarded() || !meta.is_object()) __builtin_trap();
  }
  return 0;
}
