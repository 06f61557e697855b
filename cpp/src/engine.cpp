#include "complab/engine.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "complab/account_dynamics.hpp"
#include "complab/account_store.hpp"
#include "complab/book_source.hpp"
#include "complab/effort_policy.hpp"
#include "complab/kpi_ledger.hpp"
#include "complab/pipeline.hpp"
#include "complab/processes.hpp"
#include "complab/streams.hpp"
#include "complab/workforce.hpp"

namespace complab {
namespace {

/// Simulates one trial at a time; owns every buffer so the month loop never allocates
/// (the account arrays grow only when a trial has more accounts than any before it).
class TrialSimulator {
 public:
  TrialSimulator(const Scenario& scenario, const RepRoster& roster, std::uint64_t key,
                 SimulationOutput& out, std::uint32_t first_trial, const std::atomic<bool>& cancel)
      : sc_(scenario), w_(scenario.world), first_trial_(first_trial), cancel_(cancel), streams_(key),
        ledger_(out), reps_(scenario, roster), pipeline_(scenario, reps_), churn_(scenario.world),
        accounts_(static_cast<int>(scenario.world.segments.size()), scenario.world.products[0].usage_priced),
        book_(scenario), dynamics_(scenario, accounts_, reps_, streams_, churn_, ledger_) {
    if (w_.behaviour.responsive()) effort_.emplace(sc_, accounts_, reps_, pipeline_, churn_, ledger_);
  }

  /// Simulates trial `trial`; false when a cancel stopped it first (its outputs are then
  /// partial and it must not be marked completed).
  bool run(int trial) {
    streams_.set_trial(first_trial_ + static_cast<std::uint32_t>(trial));
    ledger_.start_trial(trial);
    reps_.start_trial(streams_, ledger_);
    pipeline_.start_trial();
    accounts_.clear();
    book_.build(streams_, reps_, accounts_);
    reps_.csm_efforts();
    warm_start();
    for (int t = 0; t < w_.months; ++t) {
      // Ctrl-C waits at most a year of one trial, however long the horizon.
      if (t % kContractMonths == kContractMonths - 1 && cancel_.load(std::memory_order_relaxed)) return false;
      step(t);
    }
    if (ledger_.keeps_accounts()) {
      accounts_.store_live_state();
      accounts_.record(ledger_.account_records());
    }
    return true;
  }

 private:

  /// The warm start's history (docs/model.md §4): the months before 0 create opportunities
  /// as every source would, and the initial book raises CSQLs at its starting health and its
  /// CSMs' effort; deals and accepted hand-offs still open at month 0 are in flight then.
  void warm_start() {
    for (int m = -pipeline_.longest_cycle(); m < 0; ++m) pipeline_.create(m, streams_, reps_, ledger_);
    dynamics_.warm_handoffs();
  }

  /// One month, in docs/model.md §5's order.
  void step(int t) {
    const int p = t / w_.period_months;
    accounts_.open_cohorts(t, w_.period_months, ledger_.years(), reps_.size());
    ledger_.series(t, kArrStart) = accounts_.total_arr;
    pipeline_.update_capacity(reps_);
    if (effort_) effort_->respond(t);  // the responsive step
    if (ledger_.records_effort()) {
      for (int r = 0; r < reps_.size(); ++r) {
        const auto ri = static_cast<std::size_t>(r);
        ledger_.effort(r, t, reps_.share[ri], reps_.overpromise[ri], reps_.level[ri]);
      }
    }
    for (int r = 0; r < reps_.size(); ++r) ledger_.tenure(r, t) = static_cast<std::int16_t>(120 + t);  // provisional: every seat held by a ramped rep
    won_.clear();
    pipeline_.create(t, streams_, reps_, ledger_);  // new business
    pipeline_.decide(t, reps_, ledger_, won_);
    reps_.csm_efforts();
    dynamics_.month(t, p);  // each active account, steps 1-5
    dynamics_.open_accounts(t, p, won_);
    std::int64_t active = 0;
    for (const auto& list : accounts_.live) active += static_cast<std::int64_t>(list.size());
    ledger_.series(t, kArrEnd) = accounts_.total_arr;
    ledger_.series(t, kActiveLogos) = active;
    accounts_.close_cohorts(t, w_.period_months, ledger_);
  }

  const Scenario& sc_;
  const WorldConfig& w_;
  const std::uint32_t first_trial_;
  const std::atomic<bool>& cancel_;

  // The trial's parts (docs/model.md §5's order in step()).
  TrialStreams streams_;
  KpiLedger ledger_;
  Workforce reps_;
  Pipeline pipeline_;
  process::ChurnModel churn_;

  // Fixed per scenario.

  // Per trial.
  std::vector<Opportunity> won_;
  AccountStore accounts_;
  SteadyStateBook book_;
  AccountDynamics dynamics_;
  std::optional<ResponsiveEffort> effort_;  // responsive mode only
};

}  // namespace

RepRoster make_roster(const Scenario& scenario) {
  RepRoster roster;
  const auto& segs = scenario.world.segments;
  auto add = [&](Role role, int segment, int plan, int count) {
    for (int i = 0; i < count; ++i) {
      roster.role.push_back(role);
      roster.segment.push_back(segment);
      roster.plan.push_back(plan);
    }
  };
  for (int s = 0; s < static_cast<int>(segs.size()); ++s) {
    add(Role::AE, s, scenario.ae_plan[static_cast<std::size_t>(s)], segs[static_cast<std::size_t>(s)].ae_headcount);
  }
  add(Role::SDR, -1, scenario.sdr_plan, scenario.world.sdr_headcount);
  for (int s = 0; s < static_cast<int>(segs.size()); ++s) {
    add(Role::CSM, s, scenario.csm_plan[static_cast<std::size_t>(s)], segs[static_cast<std::size_t>(s)].csm_headcount);
  }
  return roster;
}

void allocate_output(const Scenario& scenario, const RunOptions& options, SimulationOutput& out) {
  if (options.trials < 1) {
    throw std::invalid_argument("trials: " + std::to_string(options.trials) + " is not an integer >= 1");
  }
  const auto& w = scenario.world;
  out.trials = options.trials;
  out.months = w.months;
  out.periods = w.periods();
  out.years = w.years();
  out.segments = static_cast<int>(w.segments.size());
  out.reps = make_roster(scenario).size();
  out.max_measures = 1;
  for (const auto& plan : scenario.plans) out.max_measures = std::max(out.max_measures, static_cast<int>(plan.measures.size()));
  const auto T = static_cast<std::size_t>(out.trials), R = static_cast<std::size_t>(out.reps),
             P = static_cast<std::size_t>(out.periods);
  out.monthly.assign(T * static_cast<std::size_t>(out.months) * kNumSeries, 0);
  out.cohorts.assign(T * static_cast<std::size_t>(out.years * out.segments) * kNumCohortFields, 0);
  out.rep_raw.assign(T * R * P * kNumRawSlots, 0);
  out.first_renewal_churn.assign(T * R * P * 2, 0);
  out.rep_skill.assign(T * R, 0.0);
  out.rep_terms.assign(T * R * P * kNumTermFields, 1.0);
  out.rep_tenure.assign(T * R * static_cast<std::size_t>(out.months), kVacant);
  out.pay.assign(T * R * P * kNumPayFields, 0.0);
  out.measure_payout.assign(T * R * P * static_cast<std::size_t>(out.max_measures), 0.0);
  out.completed.assign(T, 0);
  out.accounts.assign(options.keep_accounts ? T : 0, {});
  if (w.behaviour.responsive()) {
    out.effort.assign(T * R * static_cast<std::size_t>(out.months) * kNumEffortFields, 0.0f);
  } else {
    out.effort.clear();
  }
}

void pay_reps(const Scenario& scenario, SimulationOutput& out, int trial_begin, int trial_end) {
  PayrollInput in;
  in.trials = out.trials;
  in.reps = out.reps;
  in.periods = out.periods;
  in.period_months = scenario.world.period_months;
  in.rep_raw = out.rep_raw.data();
  in.first_renewal_churn = out.first_renewal_churn.data();
  in.months = out.months;
  in.rep_terms = out.rep_terms.data();
  in.rep_tenure = out.rep_tenure.data();
  in.rep_plan = make_roster(scenario).plan;
  PayrollOutput po;
  po.max_measures = out.max_measures;
  po.measure_payout = out.measure_payout.data();
  po.pay = out.pay.data();
  evaluate_payroll(scenario.plans, in, po, trial_begin, trial_end);
}

void run_simulation(const Scenario& scenario, const RunOptions& options, SimulationOutput& out,
                    RunControl& control) {
  scenario.validate();
  // Re-use the caller's buffers only when they have exactly this run's shape.
  {
    const auto& w = scenario.world;
    const bool same = out.trials == options.trials && out.months == w.months &&
                      out.periods == w.periods() && out.years == w.years() &&
                      out.segments == static_cast<int>(w.segments.size()) &&
                      out.reps == make_roster(scenario).size() &&
                      out.completed.size() == static_cast<std::size_t>(options.trials) &&
                      out.accounts.size() == (options.keep_accounts ? out.completed.size() : 0) &&
                      out.effort.empty() == !w.behaviour.responsive();
    int max_measures = 1;
    for (const auto& plan : scenario.plans) max_measures = std::max(max_measures, static_cast<int>(plan.measures.size()));
    if (!same || out.max_measures != max_measures) allocate_output(scenario, options, out);
  }
  if (options.threads < 0) {
    throw std::invalid_argument("threads: " + std::to_string(options.threads) + " is not >= 0 (0: all cores)");
  }
  if (static_cast<std::uint64_t>(options.first_trial) + static_cast<std::uint64_t>(options.trials) > (1ull << 32)) {
    throw std::invalid_argument("first_trial: trial keys must stay below 2**32");
  }
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = std::min(options.trials, options.threads > 0 ? options.threads : hw);
  const int batch = options.batch_size > 0 ? std::min(options.batch_size, std::max(options.trials, 1))
                                           : std::clamp(options.trials / (threads * 8), 1, 32);
  const int batches = static_cast<int>((std::int64_t{options.trials} + batch - 1) / batch);
  const RepRoster roster = make_roster(scenario);
  const std::uint64_t key = seed_key(options.seed);

  std::atomic<int> next_batch{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&]() {
    try {
      TrialSimulator sim(scenario, roster, key, out, options.first_trial, control.cancel);
      for (int b = next_batch.fetch_add(1); b < batches && !control.cancel.load(); b = next_batch.fetch_add(1)) {
        const int begin = b * batch, end = begin + std::min(batch, options.trials - begin);  // b * batch < trials
        // A cancel stops between trials and within long ones; what finished is paid and kept.
        int done = begin;
        while (done < end && !control.cancel.load() && sim.run(done)) ++done;
        pay_reps(scenario, out, begin, done);
        for (int trial = begin; trial < done; ++trial) out.completed[static_cast<std::size_t>(trial)] = 1;
        control.trials_done.fetch_add(done - begin);
        if (done < end) break;
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      control.cancel.store(true);
    }
  };
  if (threads == 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(static_cast<std::size_t>(threads));
    try {
      for (int i = 0; i < threads; ++i) pool.emplace_back(worker);
    } catch (const std::system_error& e) {
      // The system refused more threads: the ones running share the batches (the results do
      // not depend on how many); with none, report it.
      if (pool.empty()) {
        throw std::runtime_error(std::string("threads: could not start a worker thread (") + e.what() + ")");
      }
    }
    for (auto& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace complab
