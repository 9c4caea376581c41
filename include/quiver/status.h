// quiver::Status reports the outcome of an operation; quiver::Result<T> carries a value or
// the Status that explains why there is none. Neither throws.
#ifndef QUIVER_STATUS_H_
#define QUIVER_STATUS_H_

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace quiver {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kNotFound,
    kInvalidArgument,
    kCorruption,
    kIOError,
    kNotSupported,
    kBusy,
    kCancelled,  // the caller asked to stop (a progress callback returned false)
  };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view msg) { return Status(Code::kNotFound, msg); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(Code::kInvalidArgument, msg);
  }
  static Status Corruption(std::string_view msg) { return Status(Code::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(Code::kIOError, msg); }
  static Status NotSupported(std::string_view msg) { return Status(Code::kNotSupported, msg); }
  static Status Busy(std::string_view msg) { return Status(Code::kBusy, msg); }
  static Status Cancelled(std::string_view msg) { return Status(Code::kCancelled, msg); }

  bool ok() const { return code_ == Code::kOk; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }
  bool IsIOError() const { return code_ == Code::kIOError; }
  bool IsNotSupported() const { return code_ == Code::kNotSupported; }
  bool IsBusy() const { return code_ == Code::kBusy; }
  bool IsCancelled() const { return code_ == Code::kCancelled; }

  Code code() const { return code_; }
  // The message alone, without the code's name.
  const std::string& message() const { return message_; }
  // "OK", or the code's name, ": " and the message, e.g. "Invalid argument: k must be > 0".
  std::string ToString() const;

  // A copy whose message is prefixed with `context` and ": ".
  Status WithContext(std::string_view context) const;

 private:
  Status(Code code, std::string_view msg) : code_(code), message_(msg) {}

  Code code_ = Code::kOk;
  std::string message_;
};

// A value of type T, or the non-OK Status that explains its absence.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT(runtime/explicit)
  // `status` must not be OK.
  Result(Status status) : state_(std::move(status)) {}  // NOLINT(runtime/explicit)

  bool ok() const { return std::holds_alternative<T>(state_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(state_); }

  // Requires ok().
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace quiver

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define QUIVER_RETURN_IF_ERROR(expr)       \
  do {                                     \
    ::quiver::Status _quiver_s = (expr);   \
    if (!_quiver_s.ok()) return _quiver_s; \
  } while (0)

// Evaluates `rexpr` (a Result<T>); on error returns its Status from the enclosing function,
// else moves the value into `lhs`, which may declare a variable: QUIVER_ASSIGN_OR_RETURN(auto
// x, Load()). Usable in functions returning Status or any Result<U>.
#define QUIVER_ASSIGN_OR_RETURN(lhs, rexpr) \
  QUIVER_ASSIGN_OR_RETURN_IMPL_(QUIVER_STATUS_CONCAT_(_quiver_result_, __LINE__), lhs, rexpr)

#define QUIVER_ASSIGN_OR_RETURN_IMPL_(result, lhs, rexpr) \
  auto result = (rexpr);                                  \
  if (!result.ok()) return result.status();               \
  lhs = std::move(result).value()
#define QUIVER_STATUS_CONCAT_(a, b) QUIVER_STATUS_CONCAT_INNER_(a, b)
#define QUIVER_STATUS_CONCAT_INNER_(a, b) a##b

#endif  // QUIVER_STATUS_H_
