#include "pybind11.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "complab's compiled core (private: use the complab package)";
  m.attr("__version__") = COMPLAB_VERSION;
  complab::bindings::register_metrics(m);
  complab::bindings::register_plans(m);
  complab::bindings::register_engine(m);
}
