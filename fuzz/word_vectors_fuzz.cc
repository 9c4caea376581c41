// libFuzzer target for the word-vector loader (embed/word_vectors.h), built by scripts/fuzz.sh.
// The first byte picks the format (auto, GloVe, word2vec text, word2vec binary) and the
// duplicate-word rule; the rest is the file. A loaded result must be consistent: one distinct
// word per row, rows × dim finite floats.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <unordered_set>

#include "embed/word_vectors.h"
#include "fuzz/fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using quiver::embed::WordVectorFormat;
  static quiver::fuzz::InputFile file(".vec");
  if (size == 0) return 0;
  static constexpr WordVectorFormat kFormats[] = {
      WordVectorFormat::kAuto, WordVectorFormat::kGloveText, WordVectorFormat::kWord2VecText,
      WordVectorFormat::kWord2VecBinary};
  quiver::embed::WordVectorOptions options;
  options.format = kFormats[data[0] % 4];
  options.duplicates = (data[0] & 4) != 0 ? quiver::embed::DuplicateWords::kError
                                          : quiver::embed::DuplicateWords::kKeepFirst;
  options.max_words = (data[0] & 8) != 0 ? 3 : 0;
  const std::string& path = file.Write(data + 1, size - 1);
  (void)quiver::embed::DetectWordVectorFormat(path);
  auto vectors = quiver::embed::ReadWordVectors(path, options);
  if (!vectors.ok()) return 0;
  const auto& m = vectors->matrix;
  if (static_cast<int64_t>(vectors->words.size()) != m.rows) __builtin_trap();
  if (m.rows * m.cols != static_cast<int64_t>(m.data.size())) __builtin_trap();
  if (options.max_words > 0 && m.rows > options.max_words) __builtin_trap();
  std::unordered_set<std::string> seen;
  for (const std::string& w : vectors->words) {
    if (w.empty() || !seen.insert(w).second) __builtin_trap();
  }
  for (float v : m.data) {
    if (!std::isfinite(v)) __builtin_trap();
  }
  return 0;
}
