#include "pybind11.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "complab/payroll.hpp"
#include "complab/plan.hpp"

namespace complab::bindings {
namespace {

using namespace pybind11::literals;

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int64Array = py::array_t<std::int64_t, py::array::c_style>;

std::string shape_str(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

/// Checks `a` has `ndim` dimensions and, where `expected[d] >= 0`, that extent.
void check_shape(const py::array& a, const char* name, const std::vector<py::ssize_t>& expected,
                 const char* meaning) {
  bool ok = a.ndim() == static_cast<py::ssize_t>(expected.size());
  for (std::size_t d = 0; ok && d < expected.size(); ++d) {
    ok = expected[d] < 0 || a.shape(static_cast<py::ssize_t>(d)) == expected[d];
  }
  if (!ok) throw py::value_error(std::string(name) + ": shape " + shape_str(a) + " is not " + meaning);
}

/// An int64 array, C-contiguous (copied only when it is not already).
Int64Array int64_array(const py::array& a, const char* name) {
  if (!py::isinstance<py::array_t<std::int64_t>>(a)) {
    throw py::value_error(std::string(name) + ": dtype " + std::string(py::str(a.dtype())) + " is not int64");
  }
  return Int64Array::ensure(a);
}

/// Applies `(curve.*Fn)(a)` elementwise over a float array of any shape, without the GIL.
template <double (PayoutCurve::*Fn)(double) const>
py::array_t<double> map_curve(const PayoutCurve& curve, const DoubleArray& a) {
  curve.validate("curve");
  py::array_t<double> out(std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim()));
  const double* in = a.data();
  double* res = out.mutable_data();
  const auto n = static_cast<std::size_t>(a.size());
  std::size_t i = 0;
  {
    py::gil_scoped_release release;
    for (; i < n && !std::isnan(in[i]); ++i) res[i] = (curve.*Fn)(in[i]);
  }
  if (i < n) throw py::value_error("attainment: element " + std::to_string(i) + " is NaN");
  return out;
}

template <double (PayoutCurve::*Fn)(double) const>
void def_curve_map(py::module_& m, const char* name, const char* doc) {
  m.def(name, &map_curve<Fn>, "curve"_a, "attainment"_a, doc);
}

py::dict plan_payout(const Plan& plan, const DoubleArray& actuals, int period_months,
                     const DoubleArray& spif_counts) {
  plan.validate();
  check_period_months(period_months);
  const auto n_inputs = static_cast<py::ssize_t>(plan.num_inputs());
  const auto n_measures = static_cast<py::ssize_t>(plan.measures.size());
  const auto n_spifs = static_cast<py::ssize_t>(plan.spifs.size());
  check_shape(actuals, "actuals", {-1, n_inputs},
              ("(n, " + std::to_string(n_inputs) + "): one column per measure" +
               (plan.multiplier ? ", then one for the multiplier's metric" : ""))
                  .c_str());
  const py::ssize_t n = actuals.shape(0);
  check_shape(spif_counts, "spif_counts", {n, n_spifs},
              ("(" + std::to_string(n) + ", " + std::to_string(n_spifs) + "): one row per actuals row, one column per SPIF")
                  .c_str());

  py::array_t<double> base(n), variable(n), spif(n), measures({n, n_measures});
  const double* a = actuals.data();
  const double* s = spif_counts.data();
  double* b = base.mutable_data();
  double* v = variable.mutable_data();
  double* sp = spif.mutable_data();
  double* mp = measures.mutable_data();
  {
    py::gil_scoped_release release;
    for (py::ssize_t i = 0; i < n; ++i) {
      const PeriodPayout p =
          evaluate_period(plan, a + i * n_inputs, period_months, s + i * n_spifs, mp + i * n_measures);
      b[i] = p.base;
      v[i] = p.variable;
      sp[i] = p.spif;
    }
  }
  return py::dict("base"_a = base, "variable"_a = variable, "spif"_a = spif, "measures"_a = measures);
}

py::tuple payroll(const std::vector<Plan>& plans, const py::array& rep_raw_in,
                  const std::optional<py::array>& churn_in, const std::vector<int>& rep_plan,
                  int period_months, const std::optional<py::array>& terms_in,
                  const std::optional<py::array>& tenure_in, int threads) {
  const Int64Array rep_raw = int64_array(rep_raw_in, "rep_raw");
  check_shape(rep_raw, "rep_raw", {-1, -1, -1, kNumRawSlots},
              ("(trials, reps, periods, " + std::to_string(kNumRawSlots) + ")").c_str());
  const py::ssize_t trials = rep_raw.shape(0), reps = rep_raw.shape(1), periods = rep_raw.shape(2);
  std::optional<Int64Array> churn;
  if (churn_in) {
    churn = int64_array(*churn_in, "first_renewal_churn");
    check_shape(*churn, "first_renewal_churn", {trials, reps, periods, 2},
                ("(" + std::to_string(trials) + ", " + std::to_string(reps) + ", " + std::to_string(periods) +
                 ", 2): (trials, reps, periods sold, [ARR cents, logos])")
                    .c_str());
  }
  if (static_cast<py::ssize_t>(rep_plan.size()) != reps) {
    throw py::value_error("rep_plan: has " + std::to_string(rep_plan.size()) + " entries for " +
                          std::to_string(reps) + " reps (rep_raw.shape[1])");
  }

  std::optional<DoubleArray> terms;
  if (terms_in) {
    terms = DoubleArray::ensure(*terms_in);
    if (!terms) throw py::value_error("rep_terms: not convertible to a float array");
    check_shape(*terms, "rep_terms", {trials, reps, periods, kNumTermFields},
                ("(" + std::to_string(trials) + ", " + std::to_string(reps) + ", " + std::to_string(periods) +
                 ", " + std::to_string(kNumTermFields) + "): (trials, reps, periods, [quota scale, OTE scale])")
                    .c_str());
  }
  std::optional<py::array_t<std::int16_t, py::array::c_style>> tenure;
  if (tenure_in) {
    if (!py::isinstance<py::array_t<std::int16_t>>(*tenure_in)) {
      throw py::value_error("rep_tenure: dtype " + std::string(py::str(tenure_in->dtype())) + " is not int16");
    }
    tenure = py::array_t<std::int16_t, py::array::c_style>::ensure(*tenure_in);
    check_shape(*tenure, "rep_tenure", {trials, reps, periods * period_months},
                ("(" + std::to_string(trials) + ", " + std::to_string(reps) + ", " +
                 std::to_string(periods * period_months) + "): (trials, reps, months)")
                    .c_str());
  }

  PayrollInput in;
  in.trials = static_cast<int>(trials);
  in.reps = static_cast<int>(reps);
  in.periods = static_cast<int>(periods);
  in.period_months = period_months;
  in.rep_raw = rep_raw.data();
  in.first_renewal_churn = churn ? churn->data() : nullptr;
  in.rep_plan = rep_plan;
  in.months = static_cast<int>(periods) * period_months;
  in.rep_terms = terms ? terms->data() : nullptr;
  in.rep_tenure = tenure ? tenure->data() : nullptr;

  std::size_t max_measures = 0;
  for (const Plan& p : plans) max_measures = std::max(max_measures, p.measures.size());
  const auto mm = static_cast<py::ssize_t>(max_measures);
  py::array_t<double> pay({trials, reps, periods, static_cast<py::ssize_t>(kNumPayFields)});
  py::array_t<double> measure_payout({trials, reps, periods, mm});
  PayrollOutput out{static_cast<int>(max_measures), measure_payout.mutable_data(), pay.mutable_data()};
  {
    py::gil_scoped_release release;
    evaluate_payroll_threaded(plans, in, out, threads);
  }
  return py::make_tuple(pay, measure_payout);
}

}  // namespace

void register_plans(py::module_& m) {
  py::enum_<Metric> metric(m, "Metric");
  for (int i = 0; i < kNumMetrics; ++i) {
    const MetricInfo& info = metric_info(static_cast<Metric>(i));
    metric.value(info.name.data(), info.metric);  // names are string literals
  }

  py::class_<PayoutCurve>(m, "PayoutCurve")
      .def(py::init<>())
      .def(py::init([](std::vector<double> a, std::vector<double> p) { return PayoutCurve{std::move(a), std::move(p)}; }),
           "attainment"_a, "payout"_a)
      .def_readwrite("attainment", &PayoutCurve::attainment)
      .def_readwrite("payout", &PayoutCurve::payout)
      .def("validate", &PayoutCurve::validate, "field"_a = "curve");

  py::class_<Gate>(m, "Gate")
      .def(py::init<>())
      .def(py::init([](int measure, double min_attainment) { return Gate{measure, min_attainment}; }), "measure"_a,
           "min_attainment"_a)
      .def_readwrite("measure", &Gate::measure)
      .def_readwrite("min_attainment", &Gate::min_attainment);

  py::class_<Measure>(m, "Measure")
      .def(py::init<>())
      .def_readwrite("name", &Measure::name)
      .def_readwrite("metric", &Measure::metric)
      .def_readwrite("weight", &Measure::weight)
      .def_readwrite("target", &Measure::target)
      .def_readwrite("lower_is_better", &Measure::lower_is_better)
      .def_readwrite("curve", &Measure::curve)
      .def_readwrite("gate", &Measure::gate);

  py::class_<Multiplier>(m, "Multiplier")
      .def(py::init<>())
      .def_readwrite("metric", &Multiplier::metric)
      .def_readwrite("target", &Multiplier::target)
      .def_readwrite("lower_is_better", &Multiplier::lower_is_better)
      .def_readwrite("curve", &Multiplier::curve);

  py::class_<Clawback>(m, "Clawback")
      .def(py::init<>())
      .def(py::init([](double share, int window) { return Clawback{share, window}; }), "share"_a, "window_months"_a)
      .def_readwrite("share", &Clawback::share)
      .def_readwrite("window_months", &Clawback::window_months);

  py::class_<Spif>(m, "Spif")
      .def(py::init<>())
      .def(py::init([](Metric metric, double amount) { return Spif{metric, amount}; }), "metric"_a, "amount"_a)
      .def_readwrite("metric", &Spif::metric)
      .def_readwrite("amount", &Spif::amount);

  py::class_<Draw>(m, "Draw")
      .def(py::init<>())
      .def(py::init([](double amount, int months, bool recoverable) { return Draw{amount, months, recoverable}; }),
           "amount"_a, "months"_a, "recoverable"_a)
      .def_readwrite("amount", &Draw::amount)
      .def_readwrite("months", &Draw::months)
      .def_readwrite("recoverable", &Draw::recoverable);

  py::class_<Ratchet>(m, "Ratchet")
      .def(py::init<>())
      .def(py::init([](double up, double down) { return Ratchet{up, down}; }), "up"_a, "down"_a)
      .def_readwrite("up", &Ratchet::up)
      .def_readwrite("down", &Ratchet::down);

  py::class_<Plan>(m, "Plan")
      .def(py::init<>())
      .def_readwrite("name", &Plan::name)
      .def_readwrite("role", &Plan::role)
      .def_readwrite("ote", &Plan::ote)
      .def_readwrite("base_share", &Plan::base_share)
      .def_readwrite("measures", &Plan::measures)
      .def_readwrite("multiplier", &Plan::multiplier)
      .def_readwrite("clawback", &Plan::clawback)
      .def_readwrite("spifs", &Plan::spifs)
      .def_readwrite("true_up", &Plan::true_up)
      .def_readwrite("draw", &Plan::draw)
      .def_readwrite("ratchet", &Plan::ratchet)
      .def("validate", &Plan::validate)
      .def("carries_nrr", &Plan::carries_nrr)
      .def("num_inputs", &Plan::num_inputs);

  m.def("attainment", &attainment, "actual"_a, "target"_a, "lower_is_better"_a);
  def_curve_map<&PayoutCurve::value>(m, "curve_value", "Payout multiple at each attainment (0 below the first point).");
  def_curve_map<&PayoutCurve::value_clamped>(m, "curve_value_clamped",
                                             "Like curve_value, but flat below the first point (multipliers).");
  def_curve_map<&PayoutCurve::slope>(m, "curve_slope", "Right derivative of the curve at each attainment.");
  m.def("plan_payout", &plan_payout, "plan"_a, "actuals"_a, "period_months"_a, "spif_counts"_a,
        "Evaluates one plan on rows of actuals[n, num_inputs] and spif_counts[n, n_spifs]; returns a "
        "dict of base, variable, spif (n,) and measures (n, n_measures).");
  m.def("evaluate_payroll", &payroll, "plans"_a, "rep_raw"_a, "first_renewal_churn"_a, "rep_plan"_a,
        "period_months"_a, "rep_terms"_a = py::none(), "rep_tenure"_a = py::none(), "threads"_a = 0,
        "Pays every rep-period; returns (pay[trials, reps, periods, NUM_PAY_FIELDS], "
        "measure_payout[trials, reps, periods, max_measures]). rep_terms[trials, reps, periods, 2] "
        "(float: quota and OTE scales) and rep_tenure[trials, reps, months] (int16, -1 vacant) "
        "may be None: scales 1, every seat held all along by a long-tenured rep. threads: 0 all "
        "cores (the values do not depend on it).");

  // Names of the PayField enum, in its order.
  constexpr std::array<const char*, kNumPayFields> kPayFieldNames{
      "base",           "variable",      "spif",          "clawback_due",  "clawback_applied", "clawback_carry",
      "earnings",       "true_up_recovery", "draw_top_up", "draw_recovered", "draw_balance",
      "quota_factor"};
  py::list fields;
  for (const char* f : kPayFieldNames) fields.append(f);
  m.attr("PAY_FIELDS") = fields;
  m.attr("NUM_PAY_FIELDS") = static_cast<int>(kNumPayFields);
}

}  // namespace complab::bindings
