// A scratch file for fuzz targets whose entry points read a path rather than bytes: each call
// of Write replaces its content. One file per process, under $TMPDIR (or /tmp), removed at exit.
#ifndef QUIVER_FUZZ_FUZZ_INPUT_FILE_H_
#define QUIVER_FUZZ_FUZZ_INPUT_FILE_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace quiver::fuzz {

class InputFile {
 public:
  // `suffix` is the file name's ending, e.g. ".safetensors" (loaders look at extensions).
  explicit InputFile(const std::string& suffix) {
    const char* tmp = std::getenv("TMPDIR");
    path_ = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/quiver_fuzz_" +
            std::to_string(getpid()) + suffix;
  }
  ~InputFile() { std::remove(path_.c_str()); }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  // Replaces the file's content with `size` bytes at `data`; traps when the file cannot be
  // written (a broken fuzzing setup, not a finding).
  const std::string& Write(const uint8_t* data, size_t size) {
    FILE* f = std::fopen(path_.c_str(), "wb");
    if (f == nullptr) __builtin_trap();
    if (size > 0 && std::fwrite(data, 1, size, f) != size) __builtin_trap();
    if (std::fclose(f) != 0) __builtin_trap();
    return path_;
  }

 private:
  std::string path_;
};

}  // namespace quiver::fuzz

#endif  // QUIVER_FUZZ_FUZZ_INPUT_FILE_H_
