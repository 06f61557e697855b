#include "pybind11.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "complab/engine.hpp"
#include "complab/identity.hpp"
#include "complab/random_batch.hpp"
#include "complab/simd.hpp"

namespace complab::bindings {
namespace {

/// Hands a vector's buffer to NumPy without copying: the array owns the vector.
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& data, std::vector<py::ssize_t> shape) {
  auto* owner = new std::vector<T>(std::move(data));
  py::capsule free_when_done(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, owner->data(), free_when_done);
}

/// Every kept account as columns (one row per trial and account).
py::dict accounts_to_dict(const std::vector<std::vector<AccountRecord>>& per_trial) {
  std::size_t n = 0;
  for (const auto& records : per_trial) n += records.size();
  std::vector<std::int32_t> trial, segment, opened, churned, renewals, csm, ae;
  std::vector<std::uint32_t> entity, products;
  std::vector<std::int64_t> arr, booked;
  std::vector<double> health;
  for (auto* v : {&trial, &segment, &opened, &churned, &renewals, &csm, &ae}) v->reserve(n);
  for (auto* v : {&entity, &products}) v->reserve(n);
  for (auto* v : {&arr, &booked}) v->reserve(n);
  health.reserve(n);
  for (std::size_t t = 0; t < per_trial.size(); ++t) {
    for (const AccountRecord& a : per_trial[t]) {
      trial.push_back(static_cast<std::int32_t>(t));
      entity.push_back(a.entity);
      segment.push_back(a.segment);
      opened.push_back(a.opened);
      churned.push_back(a.churned);
      renewals.push_back(a.renewals);
      csm.push_back(a.csm);
      ae.push_back(a.ae);
      arr.push_back(a.arr);
      booked.push_back(a.booked);
      health.push_back(a.health);
      products.push_back(a.products);
    }
  }
  const auto len = static_cast<py::ssize_t>(n);
  py::dict d;
  d["trial"] = to_numpy(std::move(trial), {len});
  d["entity"] = to_numpy(std::move(entity), {len});
  d["segment"] = to_numpy(std::move(segment), {len});
  d["opened"] = to_numpy(std::move(opened), {len});
  d["churned"] = to_numpy(std::move(churned), {len});
  d["renewals"] = to_numpy(std::move(renewals), {len});
  d["csm"] = to_numpy(std::move(csm), {len});
  d["ae"] = to_numpy(std::move(ae), {len});
  d["arr_cents"] = to_numpy(std::move(arr), {len});
  d["booked_cents"] = to_numpy(std::move(booked), {len});
  d["health"] = to_numpy(std::move(health), {len});
  d["products"] = to_numpy(std::move(products), {len});
  return d;
}

py::dict output_to_dict(SimulationOutput&& out) {
  using S = py::ssize_t;
  const S T = out.trials, R = out.reps, P = out.periods;
  py::dict d;
  d["monthly"] = to_numpy(std::move(out.monthly), {T, out.months, kNumSeries});
  d["cohorts"] = to_numpy(std::move(out.cohorts), {T, out.years, out.segments, kNumCohortFields});
  d["rep_raw"] = to_numpy(std::move(out.rep_raw), {T, R, P, kNumRawSlots});
  d["first_renewal_churn"] = to_numpy(std::move(out.first_renewal_churn), {T, R, P, 2});
  d["rep_skill"] = to_numpy(std::move(out.rep_skill), {T, R});
  d["rep_period_skill"] = to_numpy(std::move(out.rep_period_skill), {T, R, P});
  d["rep_terms"] = to_numpy(std::move(out.rep_terms), {T, R, P, kNumTermFields});
  d["rep_own_terms"] = to_numpy(std::move(out.rep_own_terms), {T, R, P, kNumTermFields});
  d["rep_tenure"] = to_numpy(std::move(out.rep_tenure), {T, R, out.months});
  d["headcount"] = to_numpy(std::move(out.headcount), {T, out.months, out.groups, kNumHeadcountFields});
  d["pay"] = to_numpy(std::move(out.pay), {T, R, P, kNumPayFields});
  d["measure_payout"] = to_numpy(std::move(out.measure_payout), {T, R, P, out.max_measures});
  d["completed"] = to_numpy(std::move(out.completed), {T});
  if (!out.accounts.empty()) d["accounts"] = accounts_to_dict(out.accounts);
  const S months = out.effort.empty() ? 0 : out.months;
  d["effort"] = to_numpy(std::move(out.effort), {T, R, months, kNumEffortFields});
  return d;
}

/// Runs the simulation on its own thread while this one, holding the GIL only briefly,
/// reports progress and checks for Ctrl-C (signal handlers run on the main thread).
py::dict simulate(const Scenario& scenario_in, const RunOptions& options_in, const py::object& progress) {
  // Copies: the run reads them without the GIL, while Python code could change the originals.
  const Scenario scenario = scenario_in;
  const RunOptions options = options_in;
  scenario.validate();
  SimulationOutput out;
  allocate_output(scenario, options, out);
  RunControl control;
  std::mutex mutex;
  std::condition_variable cv;
  bool done = false;
  std::exception_ptr error;
  std::thread runner([&] {
    try {
      run_simulation(scenario, options, out, control);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
    cv.notify_all();
  });
  auto finish = [&] {
    control.cancel.store(true);
    py::gil_scoped_release release;
    runner.join();
  };
  py::object interrupt = py::none();
  std::int64_t reported = -1;
  while (true) {
    bool finished;
    {
      py::gil_scoped_release release;
      std::unique_lock<std::mutex> lock(mutex);
      finished = cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return done; });
    }
    if (PyErr_CheckSignals() != 0) {
      // Keep what is finished: the caller gets the completed trials and the exception.
      py::error_already_set signal_error;
      finish();
      interrupt = signal_error.value();
      break;
    }
    const std::int64_t now = control.trials_done.load();
    if (!progress.is_none() && now != reported) {
      try {
        progress(now);
      } catch (py::error_already_set& e) {
        finish();
        // Ctrl-C landing in the callback is still an interrupt that keeps what finished.
        if (!e.matches(PyExc_KeyboardInterrupt)) throw;
        interrupt = e.value();
        break;
      } catch (...) {
        finish();
        throw;
      }
      reported = now;
    }
    if (finished) {
      py::gil_scoped_release release;
      runner.join();
      break;
    }
  }
  if (error) std::rethrow_exception(error);
  py::dict d = output_to_dict(std::move(out));
  d["interrupt"] = interrupt;
  return d;
}

}  // namespace

void register_engine(py::module_& m) {
#define COMPLAB_FIELD(cls, name) .def_readwrite(#name, &cls::name)
  py::class_<ProductConfig>(m, "ProductConfig")
      .def(py::init<>())
      COMPLAB_FIELD(ProductConfig, name) COMPLAB_FIELD(ProductConfig, acv_scale)
      COMPLAB_FIELD(ProductConfig, usage_priced);

  py::class_<SegmentConfig>(m, "SegmentConfig")
      .def(py::init<>())
      COMPLAB_FIELD(SegmentConfig, name) COMPLAB_FIELD(SegmentConfig, initial_accounts)
      COMPLAB_FIELD(SegmentConfig, acv_median) COMPLAB_FIELD(SegmentConfig, acv_log_sd)
      COMPLAB_FIELD(SegmentConfig, renewal_hazard) COMPLAB_FIELD(SegmentConfig, csm_coverage)
      COMPLAB_FIELD(SegmentConfig, health_start) COMPLAB_FIELD(SegmentConfig, health_base)
      COMPLAB_FIELD(SegmentConfig, health_reversion) COMPLAB_FIELD(SegmentConfig, health_noise)
      COMPLAB_FIELD(SegmentConfig, usage_drift) COMPLAB_FIELD(SegmentConfig, usage_noise)
      COMPLAB_FIELD(SegmentConfig, csql_rate) COMPLAB_FIELD(SegmentConfig, upsell_fraction)
      COMPLAB_FIELD(SegmentConfig, sales_cycle_months) COMPLAB_FIELD(SegmentConfig, win_rate)
      COMPLAB_FIELD(SegmentConfig, expansion_win_rate) COMPLAB_FIELD(SegmentConfig, opportunity_share)
      COMPLAB_FIELD(SegmentConfig, inbound_opportunities) COMPLAB_FIELD(SegmentConfig, ae_prospecting)
      COMPLAB_FIELD(SegmentConfig, ae_capacity)
      COMPLAB_FIELD(SegmentConfig, ae_headcount) COMPLAB_FIELD(SegmentConfig, csm_headcount);

  py::class_<EffortConfig>(m, "EffortConfig")
      .def(py::init<>())
      COMPLAB_FIELD(EffortConfig, csm_adoption) COMPLAB_FIELD(EffortConfig, csm_adoption_ref)
      COMPLAB_FIELD(EffortConfig, ae_new_business) COMPLAB_FIELD(EffortConfig, ae_new_business_ref)
      COMPLAB_FIELD(EffortConfig, ae_overpromise);

  py::class_<BehaviourConfig>(m, "BehaviourConfig")
      .def(py::init<>())
      COMPLAB_FIELD(BehaviourConfig, incentive_sensitivity)
      COMPLAB_FIELD(BehaviourConfig, projection_uncertainty)
      COMPLAB_FIELD(BehaviourConfig, effort_cost_ae) COMPLAB_FIELD(BehaviourConfig, effort_cost_csm)
      COMPLAB_FIELD(BehaviourConfig, effort_elasticity) COMPLAB_FIELD(BehaviourConfig, max_effort_level)
      COMPLAB_FIELD(BehaviourConfig, csm_productivity) COMPLAB_FIELD(BehaviourConfig, ae_productivity);

  py::class_<RoleStaffing>(m, "RoleStaffing")
      .def(py::init<>())
      COMPLAB_FIELD(RoleStaffing, ramp) COMPLAB_FIELD(RoleStaffing, quota_ramp)
      COMPLAB_FIELD(RoleStaffing, attrition_from) COMPLAB_FIELD(RoleStaffing, attrition_hazard)
      COMPLAB_FIELD(RoleStaffing, backfill_lag);
  py::class_<SeatConfig>(m, "SeatConfig")
      .def(py::init<>())
      COMPLAB_FIELD(SeatConfig, role) COMPLAB_FIELD(SeatConfig, segment) COMPLAB_FIELD(SeatConfig, hired)
      COMPLAB_FIELD(SeatConfig, quota_scale) COMPLAB_FIELD(SeatConfig, ote_scale);
  py::class_<HiringStep>(m, "HiringStep")
      .def(py::init<>())
      COMPLAB_FIELD(HiringStep, role) COMPLAB_FIELD(HiringStep, segment) COMPLAB_FIELD(HiringStep, month)
      COMPLAB_FIELD(HiringStep, headcount);
  py::class_<PayAttrition>(m, "PayAttritionConfig")
      .def(py::init<>())
      COMPLAB_FIELD(PayAttrition, enabled) COMPLAB_FIELD(PayAttrition, shortfall_effect)
      COMPLAB_FIELD(PayAttrition, capped_effect) COMPLAB_FIELD(PayAttrition, trailing_months);
  py::enum_<Vacancy>(m, "Vacancy").value("reassign", Vacancy::Reassign).value("wait", Vacancy::Wait);
  py::enum_<QuotaMethod>(m, "QuotaMethod").value("equal", QuotaMethod::Equal).value("territory", QuotaMethod::Territory);
  py::class_<WorkforceConfig>(m, "WorkforceConfig")
      .def(py::init<>())
      COMPLAB_FIELD(WorkforceConfig, roles) COMPLAB_FIELD(WorkforceConfig, roster) COMPLAB_FIELD(WorkforceConfig, hiring)
      COMPLAB_FIELD(WorkforceConfig, vacancy) COMPLAB_FIELD(WorkforceConfig, quota_method)
      COMPLAB_FIELD(WorkforceConfig, pay_attrition)
      .def("active", &WorkforceConfig::active);

  py::class_<WorldConfig>(m, "WorldConfig")
      .def(py::init<>())
      COMPLAB_FIELD(WorldConfig, months) COMPLAB_FIELD(WorldConfig, period_months)
      COMPLAB_FIELD(WorldConfig, segments) COMPLAB_FIELD(WorldConfig, products)
      COMPLAB_FIELD(WorldConfig, sdr_headcount) COMPLAB_FIELD(WorldConfig, opportunities_per_sdr)
      COMPLAB_FIELD(WorldConfig, skill_log_sd) COMPLAB_FIELD(WorldConfig, overpromise_win_uplift)
      COMPLAB_FIELD(WorldConfig, health_adoption_effect) COMPLAB_FIELD(WorldConfig, health_gap_effect)
      COMPLAB_FIELD(WorldConfig, health_push_effect) COMPLAB_FIELD(WorldConfig, csql_health_exponent)
      COMPLAB_FIELD(WorldConfig, cross_sell_probability) COMPLAB_FIELD(WorldConfig, handoff_acceptance)
      COMPLAB_FIELD(WorldConfig, shared_nrr_acceptance_uplift)
      COMPLAB_FIELD(WorldConfig, expansion_cycle_months) COMPLAB_FIELD(WorldConfig, churn_health_effect)
      COMPLAB_FIELD(WorldConfig, churn_gap_effect) COMPLAB_FIELD(WorldConfig, gap_decay) COMPLAB_FIELD(WorldConfig, csm_max_effort) COMPLAB_FIELD(WorldConfig, book_age_years)
      COMPLAB_FIELD(WorldConfig, effort) COMPLAB_FIELD(WorldConfig, behaviour) COMPLAB_FIELD(WorldConfig, workforce)
      .def("validate", &WorldConfig::validate);

  py::class_<BookAccount>(m, "BookAccount")
      .def(py::init<>())
      COMPLAB_FIELD(BookAccount, segment) COMPLAB_FIELD(BookAccount, arr_cents)
      COMPLAB_FIELD(BookAccount, renewal_index) COMPLAB_FIELD(BookAccount, months_to_renewal)
      COMPLAB_FIELD(BookAccount, csm_seat) COMPLAB_FIELD(BookAccount, ae_seat)
      COMPLAB_FIELD(BookAccount, health) COMPLAB_FIELD(BookAccount, products);

  py::class_<Scenario>(m, "Scenario")
      .def(py::init<>())
      COMPLAB_FIELD(Scenario, world) COMPLAB_FIELD(Scenario, plans) COMPLAB_FIELD(Scenario, ae_plan)
      COMPLAB_FIELD(Scenario, csm_plan) COMPLAB_FIELD(Scenario, sdr_plan) COMPLAB_FIELD(Scenario, history)
      COMPLAB_FIELD(Scenario, book)
      .def("validate", &Scenario::validate)
      .def("shared_nrr", &Scenario::shared_nrr, py::arg("segment"));
#undef COMPLAB_FIELD

  py::class_<RunOptions>(m, "RunOptions")
      .def(py::init<>())
      .def_readwrite("trials", &RunOptions::trials)
      .def_readwrite("seed", &RunOptions::seed)
      .def_readwrite("threads", &RunOptions::threads)
      .def_readwrite("batch_size", &RunOptions::batch_size)
      .def_readwrite("first_trial", &RunOptions::first_trial)
      .def_readwrite("keep_accounts", &RunOptions::keep_accounts);

  m.def("roster", [](const Scenario& scenario) {
    const RepRoster r = make_roster(scenario);
    py::list roles;
    for (Role role : r.role) roles.append(std::string(role_name(role)));
    return py::make_tuple(roles, r.segment, r.plan, r.hired, r.group, r.quota_scale, r.ote_scale);
  });

  m.def("simulate", &simulate, py::arg("scenario"), py::arg("options"), py::arg("progress") = py::none(),
        "Run the Monte Carlo engine; returns a dict of NumPy arrays.");

  py::list series;
  for (const char* name : {"arr_start", "arr_end", "new_arr", "expansion_usage", "expansion_csql",
                           "contraction", "churned_arr", "new_logos", "churned_logos", "active_logos",
                           "opportunities", "deals_closed", "csql_raised", "csql_value",
                           "handoffs_accepted", "expansions_closed", "expansions_won", "renewals_due",
                           "first_renewals_due", "first_renewal_churns", "account_months",
                           "health_micros"}) {
    series.append(name);
  }
  if (py::len(series) != kNumSeries) throw std::logic_error("series names out of date");
  m.attr("SERIES") = series;
  // The vector paths the engine's kernels take on this CPU, "avx512", "avx2" or "none" (same
  // results on each): the benchmarks record it.
  m.attr("SIMD") = detail::simd_path_name(detail::simd_path());
  // For the benchmarks: the paths this CPU has, and a switch between them (results are the
  // same on each; not while a run is going).
  m.def("_simd_paths", [] {
    py::list names;
    for (const auto path : {detail::SimdPath::avx512, detail::SimdPath::avx2, detail::SimdPath::none}) {
      if (detail::simd_path_supported(path)) names.append(detail::simd_path_name(path));
    }
    return names;
  }, "The vector paths this CPU has, widest first (SIMD is the default, the widest).");
  m.def("_use_simd_path", [](const std::string& name) {
    for (const auto path : {detail::SimdPath::avx512, detail::SimdPath::avx2, detail::SimdPath::none}) {
      if (name != detail::simd_path_name(path)) continue;
      if (!detail::simd_path_supported(path)) throw py::value_error("simd path: this CPU has no " + name + " path");
      detail::force_simd_path(path);
      return;
    }
    throw py::value_error("simd path: '" + name + "' is not one of avx512, avx2, none");
  }, py::arg("name"), "Makes the engine's kernels take path `name` from now on (benchmarks; SIMD keeps the default).");
  // The streams' identity limits (identity.hpp), for validation before a run.
  m.attr("MAX_OPPORTUNITIES_PER_SOURCE_MONTH") = identity::kMaxOpportunitiesPerSourceMonth;
  m.attr("HEADCOUNT_FIELDS") = py::make_tuple("held", "ramping", "vacant", "hired", "left", "regretted",
                                              "capacity_micros", "lost_opportunities");
  if (py::len(m.attr("HEADCOUNT_FIELDS")) != kNumHeadcountFields) throw std::logic_error("headcount names out of date");
  m.attr("HEADCOUNT_SEAT") = kHeadcountSeat;
  m.attr("HIRING_SEAT") = kHiringSeat;
  m.attr("EFFORT_FIELDS") = py::make_tuple("primary", "secondary", "overpromise", "level");
  m.attr("COHORT_FIELDS") = py::make_tuple("start_arr", "end_arr", "kept_arr", "start_logos", "churned_logos");
  m.attr("RAW_SLOTS") = py::make_tuple("new_arr", "new_logos", "expansion_arr", "expansion_wins",
                                       "opportunities", "pipeline", "sourced_wins", "csql_count",
                                       "csql_pipeline", "book_start_arr", "book_end_arr", "book_kept_arr",
                                       "book_start_logos", "book_churned_logos", "book_expanded_logos");
}

}  // namespace complab::bindings
