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
}

}  // namespace complab::bindings
