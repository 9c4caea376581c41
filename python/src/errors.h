// Errors of the Python module: a non-OK quiver::Status becomes a C++ StatusError, which the
// translator RegisterErrors installs turns into the quiver.Error subclass named after its code
// (quiver/_errors.py), with the library's message.
#ifndef QUIVER_PYTHON_ERRORS_H_
#define QUIVER_PYTHON_ERRORS_H_

#include <pybind11/pybind11.h>

#include <exception>
#include <utility>

#include "quiver/status.h"

namespace quiver::python {

namespace py = pybind11;

// Carries a non-OK Status out of a binding; never crosses into Python as itself.
class StatusError : public std::exception {
 public:
  explicit StatusError(Status status) : status_(std::move(status)) {}
  const Status& status() const { return status_; }
  const char* what() const noexcept override { return status_.message().c_str(); }

 private:
  Status status_;
};

// Throws StatusError unless `status` is OK.
inline void ThrowIfError(const Status& status) {
  if (!status.ok()) throw StatusError(status);
}

// The value of `result`, or throws StatusError with its Status.
template <typename T>
T ValueOrThrow(Result<T>&& result) {
  if (!result.ok()) throw StatusError(result.status());
  return std::move(result).value();
}

// Throws StatusError(InvalidArgument(message)).
[[noreturn]] void ThrowInvalid(const std::string& message);

// Installs the StatusError translator.
void RegisterErrors(py::module_& m);

}  // namespace quiver::python

#endif  // QUIVER_PYTHON_ERRORS_H_
