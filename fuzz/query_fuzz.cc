// libFuzzer target for the lexical query parser (text/lexical_query.h ParseQuery) with the
// English analyzer, built by scripts/fuzz.sh. Parsing never fails; every clause must hold
// terms with one offset each, the first 0, and no empty term.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "text/analyzer.h"
#include "text/lexical_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::unique_ptr<quiver::text::Analyzer> analyzer = [] {
    auto created = quiver::text::Analyzer::Create({});
    if (!created.ok()) __builtin_trap();
    return std::move(created.value());
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto query = quiver::text::ParseQuery(text, *analyzer);
  if (!query.ok()) __builtin_trap();
  for (const auto& clause : query->clauses) {
    if (clause.terms.empty() || clause.terms.size() != clause.offsets.size()) __builtin_trap();
    if (clause.offsets[0] != 0) __builtin_trap();
    for (const auto& term : clause.terms) {
      if (term.empty()) __builtin_trap();
    }
  }
  return 0;
}
