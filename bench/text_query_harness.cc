// Text query harness: DB::Query throughput through the public API on an existing database,
// one caller thread, the way an application gets it (hits with id, text, metadata, source).
//
// Usage: text_query_harness DB QUERIES.txt [--mode=bm25] [--k=10] [--repeat=3]
//   QUERIES.txt: one query a line (what scripts/eval writes as queries-TAG.txt).
// Opens DB read-only, runs every query once to warm the caches (not timed), then --repeat
// timed passes; prints queries/s and mean/p50/p99 latency of the best pass, and the hits
// returned. Exits 1 on an engine error.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "quiver/db.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Flags {
  std::string db, queries;
  quiver::QueryMode mode = quiver::QueryMode::kBm25;
  int k = 10;
  int repeat = 3;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq),
                      value = eq == std::string::npos ? "" : arg.substr(eq + 1);
    if (name == "--mode") {
      auto mode = quiver::ParseQueryMode(value);
      if (!mode) return false;
      f->mode = *mode;
    } else if (name == "--k") {
      f->k = std::atoi(value.c_str());
    } else if (name == "--repeat") {
      f->repeat = std::max(1, std::atoi(value.c_str()));
    } else if (arg.starts_with("--")) {
      return false;
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2) return false;
  f->db = positional[0];
  f->queries = positional[1];
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::fprintf(stderr,
                 "usage: text_query_harness DB QUERIES.txt [--mode=bm25] [--k=10] [--repeat=3]\n");
    return 2;
  }
  std::vector<std::string> queries;
  std::ifstream in(flags.queries);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) queries.push_back(line);
  }
  quiver::Options options;
  options.read_only = true;
  auto db = quiver::DB::Open(options, flags.db);
  if (!db.ok()) {
    std::fprintf(stderr, "text_query_harness: %s\n", db.status().ToString().c_str());
    return 1;
  }
  quiver::QueryOptions query;
  query.mode = flags.mode;
  query.k = flags.k;
  size_t hits = 0;
  auto run_all = [&](std::vector<double>* latencies) {
    hits = 0;
    for (const std::string& text : queries) {
      const auto start = Clock::now();
      auto result = (*db)->Query(text, query);
      if (!result.ok()) {
        std::fprintf(stderr, "text_query_harness: %s\n", result.status().ToString().c_str());
        std::exit(1);
      }
      hits += result->size();
      if (latencies) {
        latencies->push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      }
    }
  };
  run_all(nullptr);
  std::vector<double> best;
  double best_total = 1e300;
  for (int pass = 0; pass < flags.repeat; ++pass) {
    std::vector<double> latencies;
    run_all(&latencies);
    double total = 0;
    for (double ms : latencies) total += ms;
    if (total < best_total) best_total = total, best = latencies;
  }
  std::sort(best.begin(), best.end());
  const double n = static_cast<double>(best.size());
  std::printf(
      "quiver %s: %zu queries, k %d, best of %d passes: %.1f queries/s, mean %.3f ms, "
      "p50 %.3f ms, p99 %.3f ms, %zu hits\n",
      std::string(quiver::QueryModeName(flags.mode)).c_str(), best.size(), flags.k, flags.repeat,
      n / (best_total / 1000), best_total / n, best[best.size() / 2],
      best[std::min(best.size() - 1, static_cast<size_t>(n * 0.99))], hits);
  return 0;
}
