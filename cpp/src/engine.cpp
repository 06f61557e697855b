#include "complab/engine.hpp"

#include <algorithm>
#include <bit>
#include <boost/random/lognormal_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <cassert>
#include <cmath>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "complab/account_pass.hpp"
#include "complab/behaviour.hpp"
#include "complab/identity.hpp"
#include "complab/random.hpp"
#include "complab/random_batch.hpp"
#include "complab/account_store.hpp"
#include "complab/book_source.hpp"
#include "complab/effort_policy.hpp"
#include "complab/kpi_ledger.hpp"
#include "complab/money.hpp"
#include "complab/pipeline.hpp"
#include "complab/processes.hpp"
#include "complab/steady_state.hpp"
#include "complab/streams.hpp"
#include "complab/workforce.hpp"

namespace complab {
namespace {

using identity::kNewAccountBit;
using identity::Source;

/// Simulates one trial at a time; owns every buffer so the month loop never allocates
/// (the account arrays grow only when a trial has more accounts than any before it).
class TrialSimulator {
 public:
  TrialSimulator(const Scenario& scenario, const RepRoster& roster, std::uint64_t key,
                 SimulationOutput& out, std::uint32_t first_trial, const std::atomic<bool>& cancel)
      : sc_(scenario), w_(scenario.world), first_trial_(first_trial), cancel_(cancel), streams_(key),
        ledger_(out), reps_(scenario, roster), pipeline_(scenario, reps_), churn_(scenario.world),
        accounts_(static_cast<int>(scenario.world.segments.size()), scenario.world.products[0].usage_priced),
        book_(scenario) {
    for (int s = 0; s < static_cast<int>(w_.segments.size()); ++s) {
      acceptance_.push_back(process::handoff_acceptance(sc_, s));
    }
    for (const auto& p : w_.products) usage_priced_.push_back(p.usage_priced);
    if (w_.behaviour.responsive()) effort_.emplace(sc_, acceptance_, accounts_, reps_, pipeline_, churn_, ledger_);
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
  double churn_probability(const LiveAccounts& live, std::size_t k) const {
    const std::uint32_t i = live.account[k];
    return churn_.p(accounts_.segment[i], accounts_.renewal_index[i], live.health[k], live.gap[k]);
  }

  /// A new account (AccountStore::add), opened this month, counted in its CSM's book.
  void add_account(int segment, int csm, int ae, int sold_period, std::uint32_t entity, std::int64_t arr, double health,
                   double gap, int renewal_index, int to_renewal) {
    accounts_.add(segment, csm, ae, sold_period, entity, arr, health, gap, renewal_index, to_renewal, opened_month_);
    if (csm >= 0) ++reps_.load[static_cast<std::size_t>(csm)];
  }


  /// The warm start's history (docs/model.md §4): the months before 0 create opportunities
  /// as every source would, and the initial book raises CSQLs at its starting health and its
  /// CSMs' effort; deals and accepted hand-offs still open at month 0 are in flight then.
  void warm_start() {
    const int hand_off_months = std::max(1, w_.expansion_cycle_months);
    for (int m = -pipeline_.longest_cycle(); m < 0; ++m) pipeline_.create(m, streams_, reps_, ledger_);
    for (int s = 0; s < static_cast<int>(accounts_.live.size()); ++s) {
      const auto& seg = w_.segments[static_cast<std::size_t>(s)];
      if (!(seg.csql_rate > 0)) continue;
      LiveAccounts& live = accounts_.live[static_cast<std::size_t>(s)];
      const std::uint32_t group = identity::account_group(s);
      for (int m = -hand_off_months; m < 0; ++m) {
        for (std::size_t k = 0; k < live.size(); ++k) {
          if (live.csm[k] < 0 || live.exp_close[k] >= 0) continue;
          // The Csql stream's words in the month pass's order: yes/no, kind, product, acceptance.
          auto words = streams_.stream(group, live.entity[k], m, Purpose::Csql);
          const double u = to_unit(words()), u_kind = to_unit(words());
          const double u_product = to_unit(words()), u_accept = to_unit(words());
          const double h = live.health[k];
          const double p = seg.csql_rate * reps_.expansion_effort[static_cast<std::size_t>(live.csm[k] + 1)] *
                           (w_.csql_health_exponent == 1.0 ? h : std::pow(h, w_.csql_health_exponent));
          if (u < p) raise_csql(live, k, m, 0, seg, u_kind, u_product, u_accept);
        }
      }
    }
  }

  int least_loaded_csm(int segment) const {
    int best = -1;
    for (int r : reps_.segment_csms[static_cast<std::size_t>(segment)]) {
      if (best < 0 || reps_.load[static_cast<std::size_t>(r)] < reps_.load[static_cast<std::size_t>(best)]) best = r;
    }
    return best;
  }

  void step(int t) {
    const int p = t / w_.period_months;
    accounts_.open_cohorts(t, w_.period_months, ledger_.years(), reps_.size());
    ledger_.series(t, kArrStart) = accounts_.total_arr;
    won_.clear();
    pipeline_.update_capacity(reps_);
    if (effort_) effort_->respond(t);
    if (ledger_.records_effort()) {
      for (int r = 0; r < reps_.size(); ++r) {
        const auto ri = static_cast<std::size_t>(r);
        ledger_.effort(r, t, reps_.share[ri], reps_.overpromise[ri], reps_.level[ri]);
      }
    }
    pipeline_.create(t, streams_, reps_, ledger_);
    pipeline_.decide(t, reps_, ledger_, won_);
    reps_.csm_efforts();

    // The segments' sums gathered here and added to the series once a month.
    MonthSums sums;
    for (std::size_t s = 0; s < accounts_.live.size(); ++s) segment_month(static_cast<int>(s), t, p, sums);
    accounts_.total_arr += sums.usage_up - sums.usage_down;
    ledger_.series(t, kAccountMonths) += sums.account_months;
    ledger_.series(t, kHealthMicros) += sums.health_micros;
    ledger_.series(t, kExpansionUsage) += sums.usage_up;
    ledger_.series(t, kContraction) += sums.usage_down;

    // The month's new accounts join the lists (segment_month dropped the churned ones).
    std::int64_t active = 0;
    opened_month_ = t;
    for (const Opportunity& opp : won_) {
      const auto& seg = w_.segments[static_cast<std::size_t>(opp.segment)];
      add_account(opp.segment, least_loaded_csm(opp.segment), opp.ae, p, kNewAccountBit | opp.id,
                  opp.value, seg.health_start, reps_.overpromise[static_cast<std::size_t>(opp.ae)], 0,
                  kContractMonths);
    }
    for (const auto& accounts : accounts_.live) active += static_cast<std::int64_t>(accounts.size());
    // A month's growth is at most a few times the total, so checking once a month keeps
    // every intermediate sum far inside 64 bits.
    if (accounts_.total_arr >= kMaxTotalArrCents) total_arr_limit_exceeded();
    ledger_.series(t, kArrEnd) = accounts_.total_arr;
    ledger_.series(t, kActiveLogos) = active;
    accounts_.close_cohorts(t, w_.period_months, ledger_);
  }

  struct MonthSums {
    std::int64_t account_months = 0, health_micros = 0, usage_up = 0, usage_down = 0;
  };

  /// docs/model.md §5 steps 1-5 for the accounts of segment `s` active at the month's start, which then
  /// leave its list if they churned. Accounts do not interact within a month and every sum
  /// is an integer, so taking the segments one after another, and each in passes, changes
  /// no result. Each pass reads its inputs in list order.
  void segment_month(int s, int t, int p, MonthSums& sums) {
    accounts_.live_state_stored = false;
    const auto& seg = w_.segments[static_cast<std::size_t>(s)];
    LiveAccounts& live = accounts_.live[static_cast<std::size_t>(s)];
    const std::uint32_t* const entity = live.entity.data();
    const std::uint32_t group = identity::account_group(s);
    const std::size_t n = live.size();
    if (n == 0) return;
    if (z_health_.size() < n) {
      z_health_.resize(n);
      z_usage_.resize(n);
      events_.resize(n);
    }

    // The health and usage normals share one AccountMonth block, a 64-bit word each (their
    // rare extra words come from their own streams). z = 0 where a segment has no noise.
    const bool health_noise = seg.health_noise > 0, usage_noise = seg.usage_noise > 0;
    if (health_noise || usage_noise) {
      streams_.blocks(group, entity, n, t, Purpose::AccountMonth, dynamics_blocks_);
    }
    if (health_noise) {
      streams_.unit_normals(dynamics_blocks_.first.data(), group, entity, n, t, Purpose::Health, z_health_.data());
    } else {
      std::fill_n(z_health_.begin(), n, 0.0);
    }
    if (usage_noise) {
      // Drawn for every account; used only where it holds usage-priced ARR.
      streams_.unit_normals(dynamics_blocks_.second.data(), group, entity, n, t, Purpose::Usage, z_usage_.data());
    } else {
      std::fill_n(z_usage_.begin(), n, 0.0);
    }

    const bool csql_possible = seg.csql_rate > 0;
    if (csql_possible) streams_.blocks(group, entity, n, t, Purpose::Csql, csql_blocks_);

    // One pass over the list (account_pass.hpp): the continuous dynamics (steps 1, 2),
    // whether a renewal is due and step 4's yes/no, listing the few accounts with an event this
    // month (a hand-off closing, a CSQL raised, a renewal due); a second loop handles only
    // those, in account order. An event touches only its own account and integer sums, so
    // the split changes no result.
    PassConstants c;
    c.month = t;
    c.health_base = seg.health_base, c.health_reversion = seg.health_reversion, c.health_noise = seg.health_noise;
    c.gap_effect = w_.health_gap_effect;
    c.usage_drift = seg.usage_drift, c.usage_noise = seg.usage_noise;
    c.csql_rate = seg.csql_rate, c.csql_health_exponent = w_.csql_health_exponent;
    const PassAccounts accounts{live.csm.data(), live.renewal_month.data(), live.exp_close.data(), live.gap.data(),
                                live.health.data(), live.arr_usage.data(), z_health_.data(), z_usage_.data(),
                                csql_possible ? csql_blocks_.first.data() : nullptr};
    const PassSums pass = account_pass(c, accounts, PassReps{reps_.health_shift.data(), reps_.expansion_effort.data()}, n,
                                       events_.data());
    const std::size_t num_events = pass.events, num_due = pass.due;
    sums.account_months += static_cast<std::int64_t>(n);
    sums.health_micros += pass.health_micros;
    sums.usage_up += pass.usage_up;
    sums.usage_down += pass.usage_down;
    if (pass.over_limit) arr_limit_exceeded(seg);
    if (num_events == 0) return;

    // The events' draws, a batch a purpose: the closing hand-offs' ExpansionWin blocks, the
    // CSQLs' second Csql blocks (kind, product and acceptance follow the yes/no word) and
    // the renewals' Renewal blocks.
    if (renewal_entity_.size() < num_events) {
      renewal_entity_.resize(num_events);
      csql_entity_.resize(num_events);
      closing_entity_.resize(num_events);
    }
    std::size_t num_csqls = 0, num_closing = 0;
    for (std::size_t e = 0, d = 0; e < num_events; ++e) {
      const std::size_t k = events_[e].position;
      if (live.exp_close[k] == t) closing_entity_[num_closing++] = entity[k];
      if (events_[e].csql) csql_entity_[num_csqls++] = entity[k];
      if (events_[e].due) renewal_entity_[d++] = entity[k];
    }
    streams_.blocks(group, closing_entity_.data(), num_closing, t, Purpose::ExpansionWin, expansion_win_blocks_);
    streams_.blocks(group, csql_entity_.data(), num_csqls, t, Purpose::Csql, csql_more_blocks_, 1);
    streams_.blocks(group, renewal_entity_.data(), num_due, t, Purpose::Renewal, renewal_blocks_);

    if (churned_positions_.size() < num_due) churned_positions_.resize(num_due);
    std::size_t num_churned = 0;
    for (std::size_t e = 0, d = 0, q = 0, h = 0; e < num_events; ++e) {
      const PassEvent& ev = events_[e];
      const std::size_t k = ev.position;
      // Step 3: an accepted hand-off reaching its close month.
      if (live.exp_close[k] == t) close_handoff(live, k, t, p, seg, to_unit(expansion_win_blocks_.first[h++]));
      // Step 4, CSQL: raised by the CSM, accepted or not by the account's AE. The Csql stream's
      // second word, then its second block.
      if (ev.csql) {
        raise_csql(live, k, t, p, seg, to_unit(csql_blocks_.second[k]), to_unit(csql_more_blocks_.first[q]),
                   to_unit(csql_more_blocks_.second[q]));
        ++q;
      }
      // Step 5, renewal.
      if (ev.due) {
        const bool churned = renew(live, k, t, to_unit(renewal_blocks_.first[d]));
        ++d;
        if (churned) churned_positions_[num_churned++] = static_cast<std::uint32_t>(k);
      }
    }
    if (num_churned > 0) AccountStore::drop_churned(live, churned_positions_.data(), num_churned);
  }

  /// u_win: the ExpansionWin stream's first uniform.
  void close_handoff(LiveAccounts& live, std::size_t k, int t, int p, const SegmentConfig& seg, double u_win) {
    const std::size_t i = live.account[k];
    ledger_.series(t, kExpansionsClosed) += 1;
    const int ae = accounts_.ae[i];
    const auto a = static_cast<std::size_t>(ae);
    const double p_win = std::min(1.0, process::follow_up_rate(seg, reps_.skill[a], reps_.level[a], live.health[k]) * reps_.follow_up_ratio(a));
    if (u_win < p_win) {
      const std::int64_t value = accounts_.exp_value[i];
      const int product = accounts_.exp_product[i];
      const bool usage = usage_priced_[static_cast<std::size_t>(product >= 0 ? product : 0)];
      std::int64_t& arr = usage ? live.arr_usage[k] : accounts_.arr_fixed[i];
      if (!(static_cast<double>(arr) + static_cast<double>(value) < kMaxArrCents)) arr_limit_exceeded(seg);
      arr += value;
      if (product >= 0) accounts_.products[i] |= 1u << product;
      accounts_.total_arr += value;
      ledger_.series(t, kExpansionCsql) += value;
      ledger_.series(t, kExpansionsWon) += 1;
      ledger_.raw(ae, p, kExpansionArr) += value;
      ledger_.raw(ae, p, kExpansionWins) += 1;
      if (accounts_.exp_csm[i] >= 0) {
        ledger_.raw(accounts_.exp_csm[i], p, kExpansionArr) += value;
        ledger_.raw(accounts_.exp_csm[i], p, kExpansionWins) += 1;
      }
      accounts_.expanded[i] = 1;
    }
    live.exp_close[k] = -1;
  }

  /// u_kind, u_product, u_accept: the Csql stream's uniforms after the yes/no.
  void raise_csql(LiveAccounts& live, std::size_t k, int t, int p, const SegmentConfig& seg, double u_kind,
                  double u_product, double u_accept) {
    const std::size_t i = live.account[k];
    const int nprod = static_cast<int>(w_.products.size());
    const int missing = nprod - std::popcount(accounts_.products[i]);
    int product = -1;
    std::int64_t value;
    if (missing > 0 && u_kind < w_.cross_sell_probability) {
      // Cross-sell the nth product the account does not hold (counting from 0).
      int nth = std::min(missing - 1, static_cast<int>(u_product * missing));
      for (int q = 0; q < nprod; ++q) {
        if (accounts_.products[i] & (1u << q)) continue;
        if (nth-- == 0) { product = q; break; }
      }
      value = to_cents(seg.acv_median * w_.products[static_cast<std::size_t>(product)].acv_scale, seg);
    } else {
      value = to_cents(seg.upsell_fraction * static_cast<double>(accounts_.arr_fixed[i] + live.arr_usage[k]) / 100.0, seg);
    }
    const int csm = accounts_.csm[i];
    const bool record = t >= 0;  // before month 0: the warm start's history
    if (record) {
      ledger_.raw(csm, p, kCsqlCount) += 1;
      ledger_.raw(csm, p, kCsqlPipeline) += value;
      ledger_.series(t, kCsqlRaised) += 1;
      ledger_.series(t, kCsqlValue) += value;
    }
    if (accounts_.ae[i] < 0 || !(u_accept < acceptance_[static_cast<std::size_t>(accounts_.segment[i])])) return;
    if (record) ledger_.series(t, kHandoffsAccepted) += 1;
    const int close = t + w_.expansion_cycle_months;
    // Closing this month is handled next month (the account has been processed already).
    const int when = std::max(close, t + 1);
    if (when < 0) return;  // closed before the start
    // Past the horizon it stays pending, as in a longer run: results do not depend on T.
    live.exp_close[k] = when;
    accounts_.exp_value[i] = value;
    accounts_.exp_product[i] = product;
    accounts_.exp_csm[i] = csm;
  }

  /// Step 5 for position k of `live`, u being its Renewal stream's first uniform; returns
  /// whether the account churned (its final health and zero usage ARR are then stored in
  /// the account arrays, for it leaves the list).
  bool renew(LiveAccounts& live, std::size_t k, int t, double u) {
    const std::size_t i = live.account[k];
    const int r = accounts_.renewal_index[i];
    const double p_churn = churn_probability(live, k);
    ledger_.series(t, kRenewalsDue) += 1;
    if (r == 0) ledger_.series(t, kFirstRenewalsDue) += 1;
    if (u < p_churn) {
      const std::int64_t lost = accounts_.arr_fixed[i] + live.arr_usage[k];
      ledger_.series(t, kChurnedArr) += lost;
      ledger_.series(t, kChurnedLogos) += 1;
      accounts_.total_arr -= lost;
      accounts_.arr_fixed[i] = accounts_.arr_usage[i] = live.arr_usage[k] = 0;
      accounts_.health[i] = live.health[k];
      accounts_.active[i] = 0;
      accounts_.churned[i] = t;
      live.exp_close[k] = -1;
      if (accounts_.csm[i] >= 0) --reps_.load[static_cast<std::size_t>(accounts_.csm[i])];
      if (r == 0) {
        ledger_.series(t, kFirstRenewalChurns) += 1;
        if (accounts_.sold_period[i] >= 0) {
          // The first renewal is 12 months after the sale, so the sale period fixes the churn's.
          ledger_.first_renewal_churn(accounts_.ae[i], accounts_.sold_period[i], accounts_.booked[i]);
        }
      }
      return true;
    }
    accounts_.renewal_index[i] = r + 1;
    live.gap[k] *= w_.gap_decay;
    live.renewal_month[k] = t + kContractMonths;
    return false;
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
  std::vector<double> acceptance_;  // per segment: hand-off acceptance
  std::vector<bool> usage_priced_;

  // Per trial.
  std::vector<Opportunity> won_;
  // segment_month's scratch, per position in a segment's list (renewals: per account due).
  TrialStreams::Blocks dynamics_blocks_, csql_blocks_, renewal_blocks_;
  TrialStreams::Blocks csql_more_blocks_, expansion_win_blocks_;  // the CSQLs' second blocks; hand-offs' wins
  std::vector<double> z_health_, z_usage_;
  std::vector<PassEvent> events_;  // the accounts with an event this month
  std::vector<std::uint32_t> renewal_entity_, csql_entity_, closing_entity_, churned_positions_;

  AccountStore accounts_;
  SteadyStateBook book_;
  int opened_month_ = -1;  // what add_account records as the opening month
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
