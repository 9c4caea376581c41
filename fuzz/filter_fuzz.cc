// libFuzzer target for the metadata filter parser and matcher (engine/metadata_filter.h),
// built by scripts/fuzz.sh. The input is a filter's JSON text, then optionally a newline and
// a record's metadata JSON text. A parsed filter is matched against that metadata and a few
// fixed records; a refused filter must say "filter: ...".
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/metadata_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr std::string_view kRecords[] = {
      "", "{}", R"({"lang": "en", "year": 2001, "tags": ["a", "b", 3], "meta": {"x": null}})",
      R"({"lang": ["de", "fr"], "year": 1999.5, "ok": true, "s": "caf\u00e9"})", "[1, 2]"};
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view filter_text = input.substr(0, newline);
  auto filter = quiver::engine::MetadataFilter::Parse(filter_text);
  if (!filter.ok()) {
    if (filter.status().message().rfind("filter: ", 0) != 0) __builtin_trap();
    return 0;
  }
  (void)filter->Fields();
  if (newline != std::string_view::npos) (void)filter->Matches(input.substr(newline + 1));
  for (std::string_view record : kRecords) (void)filter->Matches(record);
  return 0;
}
