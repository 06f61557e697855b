#pragma once
// Prelude included first by every binding source, so that all translation units see the
// same pybind11 configuration (one definition of every template they share).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace py = pybind11;

namespace complab::bindings {
void register_metrics(py::module_& m);
void register_plans(py::module_& m);
void register_engine(py::module_& m);
}  // namespace complab::bindings
