#include "errors.h"

#include <string>

namespace quiver::python {
namespace {

// The quiver.Error subclass for `code`, looked up in the pure-Python package when the first
// error is raised (the package imports this module, so not at import time).
py::object ErrorClass(Status::Code code) {
  const char* name = "Error";
  switch (code) {
    case Status::Code::kNotFound:
      name = "NotFound";
      break;
    case Status::Code::kInvalidArgument:
      name = "InvalidArgument";
      break;
    case Status::Code::kCorruption:
      name = "Corruption";
      break;
    case Status::Code::kIOError:
      name = "IOError";
      break;
    case Status::Code::kNotSupported:
      name = "NotSupported";
      break;
    case Status::Code::kBusy:
      name = "Busy";
      break;
    case Status::Code::kCancelled:
      name = "Cancelled";
      break;
    case Status::Code::kOk:
      break;
  }
  return py::module_::import("quiver._errors").attr(name);
}

}  // namespace

void ThrowInvalid(const std::string& message) {
  throw StatusError(Status::InvalidArgument(message));
}

void RegisterErrors(py::module_& /*m*/) {
  py::register_exception_translator([](std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const StatusError& e) {
      py::object cls = ErrorClass(e.status().code());
      PyErr_SetString(cls.ptr(), e.status().message().c_str());
    }
  });
}

}  // namespace quiver::python
