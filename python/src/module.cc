// quiver._quiver: the compiled half of the quiver Python package. Import `quiver`, not this:
// quiver/_db.py wraps these plain calls in the documented API.
#include <pybind11/pybind11.h>

#include "bindings.h"
#include "convert.h"
#include "errors.h"

PYBIND11_MODULE(_quiver, m) {
  namespace qp = quiver::python;
  m.doc() = "quiver's C++ engine for the quiver package; use the package, not this module.";
  qp::RegisterErrors(m);
  qp::DBClass cls(m, "DB", "An open quiver database (see quiver.Database).");
  qp::BindDB(m, cls);
  qp::BindModels(m, cls);
  qp::BindIngest(cls);
  qp::BindShards(cls);
  m.def(
      "_matrix_address",
      [](const pybind11::handle& vectors, int dimension) {
        const qp::Matrix matrix = qp::AsMatrix(vectors, dimension, "vectors");
        return reinterpret_cast<uintptr_t>(matrix.array.data());
      },
      "The address of the float32 data a call would use for `vectors` (tests check no copy).");
}
