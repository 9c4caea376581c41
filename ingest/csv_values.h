// The JSON value a CSV cell becomes in a record's metadata. CSV has no types, so the reader
// types cells that are unmistakably numbers or booleans and keeps everything else a string:
//   integers   -?(0|[1-9][0-9]*) that fit in 64 bits  → JSON integers ("2000" → 2000)
//   decimals   -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? with a fraction or an exponent,
//              finite as a double                    → JSON floats ("0.5" → 0.5, "1e3" → 1000.0)
//   booleans   true false True False TRUE FALSE       → JSON true/false
//   anything else, including "", " 1", "+1", "01234" (a leading zero: zip codes, ids), "1.",
//   ".5", "1,5", "NaN", "inf" and integers beyond 64 bits → the string as written.
// ReaderOptions::text_columns keeps named columns as strings whatever they hold.
#ifndef QUIVER_INGEST_CSV_VALUES_H_
#define QUIVER_INGEST_CSV_VALUES_H_

#include <nlohmann/json.hpp>
#include <string_view>

namespace quiver::ingest {

nlohmann::json TypedCsvValue(std::string_view cell);

}  // namespace quiver::ingest

#endif  // QUIVER_INGEST_CSV_VALUES_H_
