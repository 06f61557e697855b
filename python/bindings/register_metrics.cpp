#include "pybind11.hpp"

#include "complab/metrics.hpp"

namespace complab::bindings {

void register_metrics(py::module_& m) {
  py::enum_<Role>(m, "Role").value("ae", Role::AE).value("sdr", Role::SDR).value("csm", Role::CSM);
  m.attr("NUM_RAW_SLOTS") = static_cast<int>(kNumRawSlots);
  // One row per metric: the catalogue the Python layer validates and documents with.
  py::list metrics;
  for (int i = 0; i < kNumMetrics; ++i) {
    const auto& info = metric_info(static_cast<Metric>(i));
    py::list roles;
    for (int r = 0; r < kNumRoles; ++r) {
      if (metric_allowed(info.metric, static_cast<Role>(r))) roles.append(std::string(role_name(static_cast<Role>(r))));
    }
    py::dict row;
    row["name"] = std::string(info.name);
    row["description"] = std::string(info.description);
    row["lower_is_better"] = info.lower_is_better;
    row["is_count"] = info.is_count;
    row["is_rate"] = info.is_rate;
    row["roles"] = roles;
    metrics.append(row);
  }
  m.attr("METRICS") = metrics;

  m.def(
      "metric_actuals",
      [](py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> raw) {
        if (raw.ndim() < 1 || raw.shape(raw.ndim() - 1) != kNumRawSlots) {
          throw std::invalid_argument("raw: last axis must have " + std::to_string(kNumRawSlots) + " slots");
        }
        std::vector<py::ssize_t> shape(raw.shape(), raw.shape() + raw.ndim());
        shape.back() = kNumMetrics;
        py::array_t<double> out(shape);
        const std::int64_t* in = raw.data();
        double* dst = out.mutable_data();
        const auto rows = static_cast<std::size_t>(raw.size() / kNumRawSlots);
        {
          py::gil_scoped_release release;
          for (std::size_t i = 0; i < rows; ++i) {
            for (int k = 0; k < kNumMetrics; ++k) {
              dst[i * kNumMetrics + static_cast<std::size_t>(k)] =
                  metric_actual(static_cast<Metric>(k), in + i * kNumRawSlots);
            }
          }
        }
        return out;
      },
      py::arg("raw"), "Every metric's actual value for each row of raw accumulators.");
}

}  // namespace complab::bindings
