#include "pybind11.hpp"

namespace complab::bindings {

void register_engine(py::module_& /*m*/) {}

}  // namespace complab::bindings
