#include "tokenizer/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>

#include "util/utf8.h"

namespace quiver {

namespace {

std::string ErrorText(int code) {
  PCRE2_UCHAR buffer[256];
  const int n = pcre2_get_error_message(code, buffer, sizeof(buffer));
  return n < 0 ? "error " + std::to_string(code) : std::string(reinterpret_cast<char*>(buffer));
}

struct MatchDataDeleter {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};
struct JitStackDeleter {
  void operator()(pcre2_jit_stack* s) const { pcre2_jit_stack_free(s); }
};
struct MatchContextDeleter {
  void operator()(pcre2_match_context* c) const { pcre2_match_context_free(c); }
};

}  // namespace

struct Regex::Impl {
  pcre2_code* code = nullptr;
  bool jit = false;
  ~Impl() { pcre2_code_free(code); }
};

Regex::Regex(std::string pattern, std::unique_ptr<Impl> impl)
    : pattern_(std::move(pattern)), impl_(std::move(impl)) {}

Regex::~Regex() = default;

Result<std::unique_ptr<Regex>> Regex::Compile(std::string_view pattern) {
  if (!utf8::IsValid(pattern)) return Status::InvalidArgument("regex is not valid UTF-8");
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  auto impl = std::make_unique<Impl>();
  impl->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                             PCRE2_UTF | PCRE2_UCP, &error, &error_offset, nullptr);
  if (impl->code == nullptr) {
    return Status::InvalidArgument("regex /" + std::string(pattern) + "/ does not compile at " +
                                   std::to_string(error_offset) + ": " + ErrorText(error));
  }
  impl->jit = pcre2_jit_compile(impl->code, PCRE2_JIT_COMPLETE) == 0;
  return std::unique_ptr<Regex>(new Regex(std::string(pattern), std::move(impl)));
}

Result<std::unique_ptr<Regex>> Regex::Literal(std::string_view literal) {
  std::string quoted = "\\Q";
  // \E inside \Q..\E would end the quote: emit it outside.
  for (size_t i = 0; i < literal.size(); ++i) {
    if (literal[i] == '\\' && i + 1 < literal.size() && literal[i + 1] == 'E') {
      quoted += "\\E\\\\\\QE";
      ++i;
    } else {
      quoted += literal[i];
    }
  }
  quoted += "\\E";
  return Compile(quoted);
}

namespace {

// Per-thread matching state, shared by all patterns: one ovector pair (only the whole match is
// read), a match context and a JIT stack. Long runs (e.g. megabytes of spaces under
// \s+(?!\S)) need more JIT stack than the 32 KiB default; it grows up to 64 MiB on demand.
struct MatchState {
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> md{pcre2_match_data_create(1, nullptr)};
  std::unique_ptr<pcre2_match_context, MatchContextDeleter> ctx{
      pcre2_match_context_create(nullptr)};
  std::unique_ptr<pcre2_jit_stack, JitStackDeleter> stack{
      pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, nullptr)};
  MatchState() { pcre2_jit_stack_assign(ctx.get(), nullptr, stack.get()); }
};

MatchState& ThreadMatchState() {
  thread_local MatchState state;
  return state;
}

}  // namespace

Status Regex::ForEachMatch(std::string_view subject,
                           const std::function<void(size_t, size_t)>& on_match) const {
  MatchState& state = ThreadMatchState();
  if (!state.md || !state.ctx) return Status::IOError("out of memory for regex matching");
  pcre2_match_data* md = state.md.get();
  pcre2_match_context* ctx = state.ctx.get();
  const auto* data = reinterpret_cast<PCRE2_SPTR>(subject.data());
  size_t start = 0;
  while (start <= subject.size()) {
    const int rc =
        impl_->jit
            ? pcre2_jit_match(impl_->code, data, subject.size(), start, 0, md, ctx)
            : pcre2_match(impl_->code, data, subject.size(), start, PCRE2_NO_UTF_CHECK, md, ctx);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      return Status::InvalidArgument("regex /" + pattern_ + "/ failed: " + ErrorText(rc));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    const size_t begin = ov[0], end = ov[1];
    if (end > begin) {
      on_match(begin, end);
      start = end;
    } else {
      // Empty match: skip one character.
      if (begin >= subject.size()) break;
      const size_t len = utf8::ValidSequenceLength(subject, begin);
      start = begin + (len == 0 ? 1 : len);
    }
  }
  return Status::OK();
}

Result<bool> Regex::Search(std::string_view subject, const Limits& limits) const {
  if (!utf8::IsValid(subject)) return false;
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> md(
      pcre2_match_data_create_from_pattern(impl_->code, nullptr));
  std::unique_ptr<pcre2_match_context, MatchContextDeleter> ctx(
      pcre2_match_context_create(nullptr));
  if (!md || !ctx) return Status::IOError("out of memory for regex matching");
  pcre2_set_match_limit(ctx.get(), limits.match_limit);
  pcre2_set_depth_limit(ctx.get(), limits.depth_limit);
  // The interpreter honours both limits; the JIT honours match_limit only, so it is not used.
  const int rc =
      pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                  PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, md.get(), ctx.get());
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
    return Status::InvalidArgument(
        "regex /" + pattern_ + "/ exceeded its " +
        (rc == PCRE2_ERROR_MATCHLIMIT
             ? "match limit (" + std::to_string(limits.match_limit) + " steps)"
             : "depth limit (" + std::to_string(limits.depth_limit) + ")") +
        "; simplify the pattern");
  }
  return Status::InvalidArgument("regex /" + pattern_ + "/ failed: " + ErrorText(rc));
}

}  // namespace quiver
