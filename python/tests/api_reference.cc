// The C++ API's answers, for python/tests/test_parity.py to compare the Python package with.
//
//   quiver_python_reference search DB QUERIES K [WHERE]   QUERIES: raw float32, n × dimension
//   quiver_python_reference query DB K MODE TEXT
//
// Prints one line per hit, "QUERY<TAB>ID<TAB>SCORE" (score as %.9g), through DB::SearchBatch
// and DB::Query with ids-only hits; exits 1 with the Status on stderr on error.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "quiver/db.h"

namespace {

int Fail(const quiver::Status& status) {
  std::fprintf(stderr, "%s\n", status.ToString().c_str());
  return 1;
}

void Print(size_t query, const std::vector<quiver::Hit>& hits) {
  for (const quiver::Hit& hit : hits) {
    std::printf("%zu\t%s\t%.9g\n", query, hit.id.c_str(), static_cast<double>(hit.score));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s search DB QUERIES K [WHERE] | query DB K MODE TEXT\n", argv[0]);
    return 2;
  }
  const std::string command = argv[1];
  quiver::Options options;
  options.read_only = true;
  options.report_to_stderr = false;
  auto db = quiver::DB::Open(options, argv[2]);
  if (!db.ok()) return Fail(db.status());
  if (command == "search") {
    std::ifstream in(argv[3], std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<float> queries(bytes.size() / sizeof(float));
    std::copy_n(bytes.data(), queries.size() * sizeof(float),
                reinterpret_cast<char*>(queries.data()));
    quiver::SearchOptions search;
    search.k = std::stoi(argv[4]);
    if (argc > 5) search.where = argv[5];
    search.fields = quiver::HitFields::IdsOnly();
    auto results = (*db)->SearchBatch(queries, search);
    if (!results.ok()) return Fail(results.status());
    for (size_t q = 0; q < results->size(); ++q) Print(q, (*results)[q]);
  } else if (command == "query" && argc > 5) {
    quiver::QueryOptions query;
    query.k = std::stoi(argv[3]);
    query.mode = quiver::ParseQueryMode(argv[4]).value_or(quiver::QueryMode::kHybrid);
    query.fields = quiver::HitFields::IdsOnly();
    auto hits = (*db)->Query(argv[5], query);
    if (!hits.ok()) return Fail(hits.status());
    Print(0, *hits);
  } else {
    std::fprintf(stderr, "unknown command %s\n", command.c_str());
    return 2;
  }
  const quiver::Status closed = (*db)->Close();
  return closed.ok() ? 0 : Fail(closed);
}
