// Reading many query vectors from a file, for `quiver search --vectors FILE`:
//   *.fvecs  each vector an int32 little-endian dimension d, then d float32 (the TEXMEX format);
//   *.npy    a NumPy array of float32 ('<f4'), 2-D (n, d), C order (fortran_order False);
//   other    JSON Lines, each non-blank line [x, y, ...] or {"vector": [x, y, ...], ...}.
// Every vector must have the same dimension. Errors are one line, InvalidArgument (NotFound
// when the file cannot be opened), naming the file and what was expected.
#ifndef QUIVER_CLI_VECTOR_FILES_H_
#define QUIVER_CLI_VECTOR_FILES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "quiver/status.h"

namespace quiver::cli {

struct VectorFile {
  size_t count = 0;
  size_t dimension = 0;
  std::vector<float> values;  // count × dimension, row major
};

// Reads `path`, choosing the format by its extension.
Result<VectorFile> ReadVectorFile(const std::string& path);

// The same for bytes already read; `path` names them in errors and chooses the format.
Result<VectorFile> ParseVectorFile(const std::string& path, std::string_view bytes);

}  // namespace quiver::cli

#endif  // QUIVER_CLI_VECTOR_FILES_H_
