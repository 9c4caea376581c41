// Creates a database, stores three records, searches, and prints the best hit.
// usage: consumer DB_DIR
#include <quiver/db.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer DB_DIR\n");
    return 2;
  }
  quiver::Options options;
  options.create_if_missing = true;
  options.dimension = 3;
  options.metric = quiver::Metric::kCosine;
  options.index_spec = "HNSW32";
  auto db = quiver::DB::Open(options, argv[1]);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  quiver::Status s = (*db)->Upsert({
      {"apple", {1.0f, 0.1f, 0.0f}, "a red fruit", R"({"kind": "fruit"})"},
      {"car", {0.0f, 0.2f, 1.0f}, "a vehicle", R"({"kind": "machine"})"},
      {"pear", {0.9f, 0.3f, 0.0f}, "a green fruit", R"({"kind": "fruit"})"},
  });
  if (!s.ok()) {
    std::fprintf(stderr, "upsert: %s\n", s.ToString().c_str());
    return 1;
  }
  const float query[] = {1.0f, 0.0f, 0.0f};
  auto hits = (*db)->Search(query, {.k = 2});
  if (!hits.ok() || hits->size() != 2 || (*hits)[0].id != "apple") {
    std::fprintf(stderr, "search gave an unexpected answer\n");
    return 1;
  }
  for (const auto& hit : *hits)
    std::printf("%s %.4f %s\n", hit.id.c_str(), hit.score, hit.text.c_str());
  return (*db)->Close().ok() ? 0 : 1;
}
