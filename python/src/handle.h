// DBHandle: the open quiver::DB behind a Python quiver._quiver.DB object.
//
// Every engine call runs with the GIL released (Call), so other Python threads run meanwhile
// and searches from several threads proceed in parallel, as quiver::DB allows. A call holds
// the handle shared; Close takes it exclusively, so a database is never closed under a running
// call, and calls after Close fail with InvalidArgument("the database is closed").
#ifndef QUIVER_PYTHON_HANDLE_H_
#define QUIVER_PYTHON_HANDLE_H_

#include <pybind11/pybind11.h>

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <type_traits>
#include <utility>

#include "errors.h"
#include "quiver/db.h"

namespace quiver::python {

class DBHandle {
 public:
  DBHandle(std::unique_ptr<DB> db, int dimension) : db_(std::move(db)), dimension_(dimension) {}
  // Closes the database if close() was not called. Holds the GIL (the interpreter may be
  // finalizing): no running call needs it to finish, as Run ends before Call takes it back.
  ~DBHandle() {
    Status ignored = Close();
    (void)ignored;  // a destructor cannot raise
  }

  int dimension() const { return dimension_; }

  // fn(DB&) → Status or Result<T>, without the GIL (it must not touch Python objects), on the
  // caller's thread; its error becomes an exception.
  template <typename Fn>
  auto Call(Fn&& fn) {
    using R = decltype(fn(std::declval<DB&>()));
    std::optional<R> result;
    {
      py::gil_scoped_release release;
      result.emplace(Run(std::forward<Fn>(fn)));
    }
    if constexpr (std::is_same_v<R, Status>) {
      ThrowIfError(*result);
    } else {
      return ValueOrThrow(std::move(*result));
    }
  }

  // fn(DB&) as Call does it, for a thread that does not hold the GIL; returns its Status or
  // Result as is.
  template <typename Fn>
  auto Run(Fn&& fn) -> decltype(fn(std::declval<DB&>())) {
    using R = decltype(fn(std::declval<DB&>()));
    std::shared_lock lock(mu_);
    if (!db_) return R(Status::InvalidArgument("the database is closed"));
    return fn(*db_);
  }

  // Closes the database once running calls have ended; idempotent. Call without the GIL.
  Status Close() {
    std::unique_lock lock(mu_);
    if (!db_) return Status::OK();
    Status status = db_->Close();
    db_.reset();
    return status;
  }

 private:
  std::shared_mutex mu_;
  std::unique_ptr<DB> db_;  // null once closed; guarded by mu_
  const int dimension_;
};

}  // namespace quiver::python

#endif  // QUIVER_PYTHON_HANDLE_H_
