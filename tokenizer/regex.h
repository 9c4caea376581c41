// A compiled PCRE2 regular expression in UTF + UCP mode (\p{L}, \s, \w follow Unicode), with
// JIT where available. The only place that includes <pcre2.h>.
#ifndef QUIVER_TOKENIZER_REGEX_H_
#define QUIVER_TOKENIZER_REGEX_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "quiver/status.h"

namespace quiver {

class Regex {
 public:
  // Compiles `pattern` (PCRE2 syntax, which covers the Oniguruma subset tokenizer.json files
  // use). InvalidArgument with PCRE2's message and the offset when it does not compile.
  static Result<std::unique_ptr<Regex>> Compile(std::string_view pattern);
  // A regex matching `literal` exactly.
  static Result<std::unique_ptr<Regex>> Literal(std::string_view literal);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Calls on_match(begin, end) for each successive non-overlapping match in `subject`, left to
  // right (an empty match advances by one character). `subject` must be valid UTF-8 (it is not
  // re-checked). Fails only when PCRE2 reports an error (e.g. its JIT stack limit).
  Status ForEachMatch(std::string_view subject,
                      const std::function<void(size_t, size_t)>& on_match) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Impl;
  explicit Regex(std::string pattern, std::unique_ptr<Impl> impl);
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_REGEX_H_
