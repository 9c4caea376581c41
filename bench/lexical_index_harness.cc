// Lexical index harness: block-max WAND against exhaustive BM25 scoring on a synthetic
// collection (Zipf-like term frequencies), with build, serialize and load times and memory.
//
// Usage: lexical_index_harness [--docs=100000] [--vocab=20000] [--queries=200] [--k=10]
// Prints one table row per measure; exits 1 if the two scorers disagree on any query.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "text/lexical_index.h"
#include "text/lexical_query.h"

namespace {

using quiver::text::LexicalIndex;
using quiver::text::LexicalQuery;
using Clock = std::chrono::steady_clock;

struct Flags {
  size_t docs = 100000;
  size_t vocab = 20000;
  size_t queries = 200;
  size_t k = 10;
};

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const size_t value = eq == std::string::npos ? 0 : std::strtoull(arg.c_str() + eq + 1, 0, 10);
    if (name == "--docs")
      f.docs = value;
    else if (name == "--vocab")
      f.vocab = value;
    else if (name == "--queries")
      f.queries = value;
    else if (name == "--k")
      f.k = value;
    else {
      std::fprintf(stderr,
                   "usage: lexical_index_harness [--docs=N] [--vocab=V] [--queries=Q] [--k=K]\n");
      std::exit(2);
    }
  }
  return f;
}

// A term drawn so that low ranks are much more frequent than high ones.
std::string ZipfTerm(size_t vocab, std::mt19937_64& rng) {
  const double u = std::uniform_real_distribution<double>(0, 1)(rng);
  return "t" + std::to_string(static_cast<size_t>(std::pow(u, 2.5) * vocab));
}

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Flags f = ParseFlags(argc, argv);
  std::mt19937_64 rng(42);
  LexicalIndex index;
  auto start = Clock::now();
  for (uint64_t doc = 1; doc <= f.docs; ++doc) {
    std::vector<quiver::text::Term> terms;
    const size_t length = 1 + rng() % 40;
    for (uint32_t p = 0; p < length; ++p) terms.push_back({ZipfTerm(f.vocab, rng), p, 0, 0});
    if (!index.Add(doc, terms).ok()) return 1;
  }
  const double build = Seconds(start);
  std::vector<LexicalQuery> queries(f.queries);
  for (LexicalQuery& q : queries) {
    for (size_t i = 0, n = 2 + rng() % 3; i < n; ++i) {
      q.clauses.push_back(quiver::text::TermClause(ZipfTerm(f.vocab, rng)));
    }
  }
  auto per_query_ms = [&](bool wand) {
    auto t = Clock::now();
    for (const LexicalQuery& q : queries) {
      (wand ? index.Search(q, f.k, {}) : index.SearchExhaustive(q, f.k, {}));
    }
    return Seconds(t) * 1e3 / static_cast<double>(queries.size());
  };
  // The same documents in the same order, scores equal up to float rounding.
  int mismatches = 0;
  for (const LexicalQuery& q : queries) {
    const auto wand = index.Search(q, f.k, {}), exact = index.SearchExhaustive(q, f.k, {});
    bool same = wand.size() == exact.size();
    for (size_t i = 0; same && i < wand.size(); ++i) {
      same = wand[i].doc == exact[i].doc &&
             std::abs(wand[i].score - exact[i].score) <= 1e-5f * std::max(1.0f, exact[i].score);
    }
    mismatches += same ? 0 : 1;
  }
  const double wand = per_query_ms(true), exhaustive = per_query_ms(false);
  start = Clock::now();
  const std::string bytes = index.Serialize();
  const double serialize = Seconds(start);
  start = Clock::now();
  const bool loaded = LexicalIndex::Deserialize(bytes).ok();
  const double load = Seconds(start);
  const size_t memory = index.MemoryBytes();
  index.Compact();
  std::printf(
      "| docs | build s | serialized MB | serialize s | load s | memory MB (compacted) |"
      " WAND ms/query | exhaustive ms/query | speed-up "
      "|\n|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
  std::printf("| %zu | %.2f | %.1f | %.2f | %.2f | %.1f (%.1f) | %.3f | %.3f | %.1fx |\n", f.docs,
              build, bytes.size() / 1e6, serialize, load, memory / 1e6, index.MemoryBytes() / 1e6,
              wand, exhaustive, exhaustive / wand);
  if (mismatches > 0)
    std::fprintf(stderr, "WAND and exhaustive disagree on %d queries\n", mismatches);
  return loaded && mismatches == 0 ? 0 : 1;
}
