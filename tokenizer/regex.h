// A compiled PCRE2 regular expression in UTF + UCP mode (\p{L}, \s, \w follow Unicode), with
// JIT where available. The only place that includes <pcre2.h>: the tokenizer's pre-tokenizer
// patterns use it, and the engine's metadata filters ($regex) use it through this header with
// the bounded `Search` below (DESIGN.md names tokenizer/ as PCRE2's one owner; moving the
// wrapper to util/ would change that house rule, so it stays here until that is proposed).
#ifndef QUIVER_TOKENIZER_REGEX_H_
#define QUIVER_TOKENIZER_REGEX_H_

#include <cstddef>
#include <cstdint>
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

  // ---- Bounded matching, for patterns that come from users (metadata filters) ----
  // Limits on one match attempt: PCRE2's match_limit (calls of its internal match function)
  // and depth_limit (backtracking depth), so a pathological pattern fails fast instead of
  // running for minutes.
  struct Limits {
    uint32_t match_limit = 1000000;
    uint32_t depth_limit = 10000;
  };
  // True when `pattern` matches somewhere in `subject` (unanchored), within `limits`; an
  // invalid UTF-8 `subject` never matches. Hitting a limit is InvalidArgument naming the
  // pattern and the limit.
  Result<bool> Search(std::string_view subject, const Limits& limits) const;

 private:
  struct Impl;
  explicit Regex(std::string pattern, std::unique_ptr<Impl> impl);
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quiver

#endif  // QUIVER_TOKENIZER_REGEX_H_
