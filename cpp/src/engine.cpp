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
      : sc_(scenario), w_(scenario.world), out_(out), first_trial_(first_trial), cancel_(cancel), streams_(key),
        ledger_(out), reps_(scenario, roster), pipeline_(scenario, reps_), churn_(scenario.world),
        accounts_(static_cast<int>(scenario.world.segments.size()), scenario.world.products[0].usage_priced),
        book_(make_book_source(scenario)), dynamics_(scenario, accounts_, reps_, streams_, churn_, ledger_) {
    if (w_.behaviour.responsive()) effort_.emplace(sc_, accounts_, reps_, pipeline_, churn_, ledger_);
  }

  /// Simulates trial `trial`; false when a cancel stopped it first (its outputs are then
  /// partial and it must not be marked completed).
  bool run(int trial) {
    streams_.set_trial(first_trial_ + static_cast<std::uint32_t>(trial));
    trial_ = trial;
    ledger_.start_trial(trial);
    reps_.start_trial(streams_, ledger_);
    pipeline_.start_trial();
    accounts_.clear();
    book_->build(streams_, reps_, accounts_);
    if (w_.workforce.quota_method == QuotaMethod::Territory) territory_quotas();
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

  /// QuotaMethod::Territory: each seat's quota in proportion to its share of the segment's
  /// book at month 0 (AEs: half that, half equal, for new business is routed evenly).
  void territory_quotas() {
    std::vector<double> owned(static_cast<std::size_t>(reps_.size()), 0.0);
    for (std::uint32_t i = 0; i < accounts_.size(); ++i) {
      const auto arr = static_cast<double>(accounts_.arr(i));
      if (accounts_.csm[i] >= 0) owned[static_cast<std::size_t>(accounts_.csm[i])] += arr;
      if (accounts_.ae[i] >= 0) owned[static_cast<std::size_t>(accounts_.ae[i])] += arr;
    }
    for (const auto* groups : {&reps_.segment_aes, &reps_.segment_csms}) {
      for (const auto& seats : *groups) {
        double total = 0.0;
        for (int r : seats) total += owned[static_cast<std::size_t>(r)];
        if (!(total > 0)) continue;
        for (int r : seats) {
          const double share = static_cast<double>(seats.size()) * owned[static_cast<std::size_t>(r)] / total;
          reps_.territory[static_cast<std::size_t>(r)] = reps_.role(r) == Role::AE ? 0.5 + 0.5 * share : share;
        }
      }
    }
  }

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
    reps_.begin_month(t, streams_, ledger_);
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
    reps_.end_month(t, streams_, ledger_);
    for (int rep : reps_.left()) {
      if (reps_.waits_for_backfill()) continue;
      if (reps_.role(rep) == Role::AE) pipeline_.reassign(t, rep, reps_.segment(rep), reps_);
      if (reps_.role(rep) == Role::CSM) dynamics_.reassign_book(rep);
    }
    if (w_.workforce.pay_attrition.enabled && (t + 1) % w_.period_months == 0) pay_attrition(p);
  }

  /// Pay-linked attrition (docs/model.md §9): each rep's hazard multiplier from its pay
  /// over the trailing months of its tenure, and for strong reps whether its plan's first
  /// measure is capped or decelerated at its attainment in the period just ended.
  void pay_attrition(int p) {
    pay_reps(sc_, out_, trial_, trial_ + 1);
    const PayAttrition& pa = w_.workforce.pay_attrition;
    const int P = w_.period_months;
    const int look_back = std::max(1, (pa.trailing_months + P - 1) / P);
    const auto R = static_cast<std::size_t>(out_.reps), periods = static_cast<std::size_t>(out_.periods);
    for (int r = 0; r < reps_.size(); ++r) {
      const auto ri = static_cast<std::size_t>(r);
      const int plan_index = reps_.plan(r);
      if (plan_index < 0 || !reps_.held(ri)) continue;
      const Plan& plan = sc_.plans[static_cast<std::size_t>(plan_index)];
      const int hired_period = std::max(0, ((p + 1) * P - reps_.tenure[ri]) / P);
      double earned = 0.0, ote = 0.0;
      for (int q = std::max(hired_period, p - look_back + 1); q <= p; ++q) {
        const std::size_t row = (static_cast<std::size_t>(trial_) * R + ri) * periods + static_cast<std::size_t>(q);
        earned += out_.pay[row * kNumPayFields + kPayEarnings];
        ote += plan.ote * P / 12.0 * out_.rep_terms[row * kNumTermFields + kTermOteScale];
      }
      const double shortfall = ote > 0 ? std::max(0.0, 1.0 - earned / ote) : 0.0;
      double m = 1.0 + pa.shortfall_effect * shortfall;
      if (reps_.skill[ri] > 1.0 && !plan.measures.empty() && !metric_info(plan.measures[0].metric).is_rate) {
        const std::size_t row = (static_cast<std::size_t>(trial_) * R + ri) * periods + static_cast<std::size_t>(p);
        const double scale = out_.rep_terms[row * kNumTermFields + kTermQuotaScale];
        const Measure& first = plan.measures[0];
        const double actual = metric_actual(first.metric, &out_.rep_raw[row * kNumRawSlots]);
        const double target = first.target * scale;
        if (target > 0) {
          const double a = attainment(actual, target, first.lower_is_better);
          // Capped or decelerated: past target, one more unit of attainment pays less than the average unit.
          if (a >= 1.0 && first.curve.slope(a) < first.curve.value(1.0)) m *= 1.0 + pa.capped_effect;
        }
      }
      reps_.pay_multiplier[ri] = m;
    }
  }

  const Scenario& sc_;
  const WorldConfig& w_;
  SimulationOutput& out_;
  int trial_ = 0;
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
  std::unique_ptr<BookSource> book_;
  AccountDynamics dynamics_;
  std::optional<ResponsiveEffort> effort_;  // responsive mode only
};

}  // namespace

RepRoster make_roster(const Scenario& scenario, bool with_people) {
  RepRoster roster;
  const auto& w = scenario.world;
  const auto& segs = w.segments;
  const int nseg = static_cast<int>(segs.size());
  const auto& wf = w.workforce;
  auto add_group = [&](Role role, int segment, int plan, int headcount) {
    int seats = 0;
    auto add = [&](int hired, double quota, double ote) {
      roster.role.push_back(role);
      roster.segment.push_back(segment);
      roster.plan.push_back(plan);
      roster.hired.push_back(hired);
      roster.quota_scale.push_back(quota);
      roster.ote_scale.push_back(ote);
      roster.group.push_back(roster.groups);
      ++seats;
    };
    // The named reps' seats first, then the headcount's other seats at month 0.
    int named_now = 0;
    if (with_people) {
      for (const SeatConfig& seat : wf.roster) {
        if (seat.role != role || seat.segment != segment) continue;
        named_now += seat.hired <= 0 ? 1 : 0;
        add(seat.hired, seat.quota_scale, seat.ote_scale);
      }
    }
    for (int i = named_now; i < headcount; ++i) add(kHeadcountSeat, 1.0, 1.0);
    if (with_people) {
      int most = 0;
      for (const HiringStep& step : wf.hiring) {
        if (step.role == role && step.segment == segment) most = std::max(most, step.headcount);
      }
      while (seats < most) add(kHiringSeat, 1.0, 1.0);
    }
    ++roster.groups;
  };
  for (int s = 0; s < nseg; ++s) {
    add_group(Role::AE, s, scenario.ae_plan[static_cast<std::size_t>(s)], segs[static_cast<std::size_t>(s)].ae_headcount);
  }
  add_group(Role::SDR, -1, scenario.sdr_plan, w.sdr_headcount);
  for (int s = 0; s < nseg; ++s) {
    add_group(Role::CSM, s, scenario.csm_plan[static_cast<std::size_t>(s)], segs[static_cast<std::size_t>(s)].csm_headcount);
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
  out.rep_period_skill.assign(T * R * P, 0.0);
  out.rep_terms.assign(T * R * P * kNumTermFields, 1.0);
  out.rep_own_terms.assign(T * R * P * kNumTermFields, 0.0);
  out.rep_tenure.assign(T * R * static_cast<std::size_t>(out.months), kVacant);
  out.groups = 2 * out.segments + 1;
  out.headcount.assign(T * static_cast<std::size_t>(out.months * out.groups) * kNumHeadcountFields, 0);
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
  // Batches of trials, taken in turn by the threads. Without a set size they shrink towards the
  // end (to a quarter of what is left per thread), so the threads finish together: the last
  // batch a thread takes is short. The results do not depend on the split.
  const int batch = options.batch_size > 0 ? std::min(options.batch_size, std::max(options.trials, 1))
                                           : std::clamp(options.trials / (threads * 8), 1, 32);
  std::vector<int> batch_start;
  for (int t = 0; t < options.trials;) {
    batch_start.push_back(t);
    const int left = options.trials - t;
    t += options.batch_size > 0 ? std::min(batch, left) : std::clamp(left / (threads * 4), 1, batch);
  }
  batch_start.push_back(options.trials);
  const int batches = static_cast<int>(batch_start.size()) - 1;
  const RepRoster roster = make_roster(scenario);
  const std::uint64_t key = seed_key(options.seed);

  std::atomic<int> next_batch{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&]() {
    try {
      TrialSimulator sim(scenario, roster, key, out, options.first_trial, control.cancel);
      for (int b = next_batch.fetch_add(1); b < batches && !control.cancel.load(); b = next_batch.fetch_add(1)) {
        const int begin = batch_start[static_cast<std::size_t>(b)], end = batch_start[static_cast<std::size_t>(b) + 1];
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
