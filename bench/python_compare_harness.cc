// The C++ half of bench/python_bench.py: the same work through the C++ API that the Python
// package does there, on the same data, so the two can be compared in one run.
//
//   python_compare_harness data   --dir=DIR [--n=100000] [--dim=384] [--queries=10000]
//                                 [--search-base=100000] [--index=HNSW32]
//       writes DIR/base.f32 (n × dim low-rank float32, seed 1) and DIR/queries.f32 (seed 2),
//       and builds DIR/search.db: an `index` database of the first search-base rows, ids "v<i>".
//   python_compare_harness upsert --dir=DIR [--batch=10000]
//       creates DIR/cpp_upsert.db (Flat) and times Record construction + DB::Upsert of
//       base.f32 in batches: prints "upsert_seconds=S records=N".
//   python_compare_harness search --dir=DIR [--k=10]
//       times one DB::SearchBatch of queries.f32 on search.db with ids-only hits: prints
//       "search_seconds=S queries=N" and writes the hit ids, one query per line, to
//       DIR/cpp_ids.txt.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/common/dataset.h"
#include "quiver/db.h"

namespace {

using Clock = std::chrono::steady_clock;

std::map<std::string, std::string> ParseArgs(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.rfind("--", 0) != 0 || eq == std::string::npos) {
      throw std::invalid_argument("expected --name=value, found " + arg);
    }
    args[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  return args;
}

size_t Arg(const std::map<std::string, std::string>& args, const std::string& name,
           size_t fallback) {
  auto it = args.find(name);
  return it == args.end() ? fallback : std::stoul(it->second);
}

void Check(const quiver::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.ToString());
}

std::unique_ptr<quiver::DB> Open(const std::string& path, int dim, const std::string& index) {
  quiver::Options options;
  options.create_if_missing = dim > 0;
  options.dimension = dim;
  options.index_spec = index;
  options.report_to_stderr = false;
  auto db = quiver::DB::Open(options, path);
  Check(db.status(), "open");
  return std::move(db).value();
}

void WriteFloats(const std::string& path, const std::vector<float>& v) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<float> ReadFloats(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<float> v(static_cast<size_t>(in.tellg()) / 4);
  in.seekg(0);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(v.size() * 4));
  return v;
}

// Upserts rows [0, n) of `base` with ids "v<i>", `batch` records per call; the seconds of
// Record construction and DB::Upsert (ids made beforehand, as bench/python_bench.py does).
double UpsertAll(quiver::DB& db, const std::vector<float>& base, size_t n, size_t dim,
                 size_t batch) {
  std::vector<std::string> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = "v" + std::to_string(i);
  const auto start = Clock::now();
  for (size_t begin = 0; begin < n; begin += batch) {
    const size_t end = std::min(n, begin + batch);
    std::vector<quiver::Record> records(end - begin);
    for (size_t i = begin; i < end; ++i) {
      records[i - begin].id = ids[i];
      records[i - begin].vector.assign(base.begin() + i * dim, base.begin() + (i + 1) * dim);
    }
    Check(db.Upsert(records), "upsert");
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int Data(const std::map<std::string, std::string>& args, const std::string& dir) {
  const size_t n = Arg(args, "n", 100000), dim = Arg(args, "dim", 384);
  const size_t nq = Arg(args, "queries", 10000), search_base = Arg(args, "search-base", n);
  const std::vector<float> base = quiver::bench::MakeLowRank(n, int(dim), 32, 1);
  WriteFloats(dir + "/base.f32", base);
  WriteFloats(dir + "/queries.f32", quiver::bench::MakeLowRank(nq, int(dim), 32, 2));
  std::filesystem::remove_all(dir + "/search.db");
  auto it = args.find("index");
  auto db = Open(dir + "/search.db", int(dim), it == args.end() ? "HNSW32" : it->second);
  const double seconds = UpsertAll(*db, base, std::min(search_base, n), dim, 10000);
  Check(db->Close(), "close");
  std::printf("data n=%zu dim=%zu queries=%zu search_base=%zu build_seconds=%.2f\n", n, dim, nq,
              std::min(search_base, n), seconds);
  return 0;
}

int Upsert(const std::map<std::string, std::string>& args, const std::string& dir) {
  const std::vector<float> base = ReadFloats(dir + "/base.f32");
  const size_t dim = Arg(args, "dim", 384), n = base.size() / dim;
  std::filesystem::remove_all(dir + "/cpp_upsert.db");
  auto db = Open(dir + "/cpp_upsert.db", int(dim), "Flat");
  const double seconds = UpsertAll(*db, base, n, dim, Arg(args, "batch", 10000));
  Check(db->Close(), "close");
  std::printf("upsert_seconds=%.4f records=%zu\n", seconds, n);
  return 0;
}

int Search(const std::map<std::string, std::string>& args, const std::string& dir) {
  const std::vector<float> queries = ReadFloats(dir + "/queries.f32");
  auto db = Open(dir + "/search.db", 0, "");
  quiver::SearchOptions options;
  options.k = int(Arg(args, "k", 10));
  options.fields = quiver::HitFields::IdsOnly();
  const auto start = Clock::now();
  auto results = db->SearchBatch(queries, options);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  Check(results.status(), "search");
  std::ofstream out(dir + "/cpp_ids.txt");
  for (const auto& hits : *results) {
    for (size_t j = 0; j < hits.size(); ++j) out << (j ? " " : "") << hits[j].id;
    out << "\n";
  }
  Check(db->Close(), "close");
  std::printf("search_seconds=%.4f queries=%zu\n", seconds, results->size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) throw std::invalid_argument("usage: python_compare_harness data|upsert|search");
    const auto args = ParseArgs(argc, argv);
    const std::string step = argv[1];
    const std::string dir = args.count("dir") ? args.at("dir") : "/tmp/quiver_python_bench";
    std::filesystem::create_directories(dir);
    if (step == "data") return Data(args, dir);
    if (step == "upsert") return Upsert(args, dir);
    if (step == "search") return Search(args, dir);
    throw std::invalid_argument("unknown step " + step);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "python_compare_harness: %s\n", e.what());
    return 1;
  }
}
