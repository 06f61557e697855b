#pragma once
/// \file engine.hpp
/// The Monte Carlo engine: simulates trials of the world month by month (docs/model.md §5),
/// records company series, annual cohorts and per-rep KPI actuals, and pays reps through
/// the payroll. Trials run on worker threads that pull batches; every trial writes only
/// its own slices, so the output is the same for any thread count.
#include <atomic>
#include <cstdint>
#include <vector>

#include "complab/payroll.hpp"
#include "complab/scenario.hpp"

namespace complab {

/// Company series per month, the last axis of SimulationOutput::monthly. Money in cents.
enum Series : int {
  kArrStart = 0,
  kArrEnd,
  kNewArrFlow,
  kExpansionUsage,
  kExpansionCsql,
  kContraction,
  kChurnedArr,
  kNewLogosFlow,
  kChurnedLogos,
  kActiveLogos,  ///< at the month's end
  kOpportunitiesFlow,
  kDealsClosed,  ///< new-business opportunities reaching their close month
  kCsqlRaised,
  kCsqlValue,
  kHandoffsAccepted,
  kExpansionsClosed,  ///< accepted hand-offs reaching their close month
  kExpansionsWon,
  kRenewalsDue,
  kFirstRenewalsDue,
  kFirstRenewalChurns,
  kAccountMonths,  ///< active accounts simulated this month (work done)
  kHealthMicros,   ///< sum of active accounts' health after the month's update, in 1e-6
  kNumSeries
};

/// Annual cohort per year and segment (years aligned to month 0), cents and counts.
enum CohortField : int {
  kCohortStartArr = 0,
  kCohortEndArr,   ///< same accounts a year later, 0 if churned
  kCohortKeptArr,  ///< sum of min(end, start): GRR's numerator
  kCohortStartLogos,
  kCohortChurnedLogos,
  kNumCohortFields
};

/// Behaviour per rep and month (responsive mode), the last axis of SimulationOutput::effort.
enum EffortField : int {
  kEffortPrimary = 0,  ///< CSM: adoption share; AE: new-business share; SDR: 1
  kEffortSecondary,    ///< CSM: expansion share; AE: expansion follow-up share; SDR: 0
  kEffortOverpromise,  ///< AE: over-promising level o; others 0
  kEffortLevel,        ///< AE and CSM: effort level l (1 at nominal effort); SDR: 1
  kNumEffortFields
};

/// RepRoster::hired for seats that are not named reps.
inline constexpr int kHeadcountSeat = -(1 << 30);  ///< a seat of the headcount, held at month 0
inline constexpr int kHiringSeat = kHeadcountSeat + 1;  ///< a seat the hiring plan adds, vacant until wanted

/// Who each rep is: seats are AEs by segment, then SDRs, then CSMs by segment (each group
/// its headcount's or named reps' seats, then the hiring plan's).
struct RepRoster {
  std::vector<Role> role;
  std::vector<int> segment;  ///< -1 for SDRs
  std::vector<int> plan;     ///< index into Scenario::plans, -1 unpaid
  std::vector<int> hired;    ///< a named rep's hire month, or kHeadcountSeat / kHiringSeat
  std::vector<double> quota_scale, ote_scale;  ///< a named rep's own terms (1: its plan's)
  std::vector<int> group;    ///< headcount group: AEs by segment, SDRs, CSMs by segment
  int groups = 0;
  int size() const { return static_cast<int>(role.size()); }
};
/// The seats; with_people = false: the world's headcounts only (a history's staffing).
RepRoster make_roster(const Scenario& scenario, bool with_people = true);

/// Headcount per month and seat group, the last axis of SimulationOutput::headcount.
enum HeadcountField : int {
  kHcHeld = 0,            ///< seats held this month
  kHcRamping,             ///< of which by a rep below full productivity
  kHcVacant,              ///< seats whose rep left, still wanted (open requisitions)
  kHcHired,               ///< reps who started this month
  kHcLeft,                ///< reps who left at the month's end
  kHcRegretted,           ///< of which above median skill
  kHcCapacityMicros,      ///< sum of held seats' productivity, in 1e-6 (ramped-rep equivalents)
  kHcLostOpportunities,   ///< opportunities routed to a vacant seat and lost
  kNumHeadcountFields
};

struct RunOptions {
  int trials = 1000;
  std::uint64_t seed = 0;
  int threads = 0;           ///< 0: all hardware threads
  int batch_size = 0;        ///< trials per work unit; 0: chosen from trials and threads
  std::uint32_t first_trial = 0;  ///< trial keys start here, so runs can be split and joined
  bool keep_accounts = false;     ///< also return every account's final state (memory grows with accounts)
};

/// One account at the end of a trial (RunOptions::keep_accounts).
struct AccountRecord {
  std::uint32_t entity;  ///< stream key: initial accounts count from 0, won ones carry the deal's id
  std::int16_t segment;
  std::int16_t opened;       ///< month it was won, -1 for the initial book
  std::int16_t churned;      ///< month it churned, -1 if still a customer
  std::int16_t renewals;     ///< renewals passed
  std::int32_t csm, ae;      ///< rep indices, -1 for none
  std::int64_t arr;          ///< final ARR (cents; 0 once churned)
  std::int64_t booked;       ///< ARR when won or at the start (cents)
  double health;
  std::uint32_t products;    ///< bit k: holds product k
};

/// Everything a run returns, C-contiguous, trial-major.
struct SimulationOutput {
  int trials = 0, months = 0, periods = 0, years = 0, segments = 0, reps = 0, max_measures = 0;
  std::vector<std::int64_t> monthly;              ///< [trials][months][kNumSeries]
  std::vector<std::int64_t> cohorts;              ///< [trials][years][segments][kNumCohortFields]
  std::vector<std::int64_t> rep_raw;              ///< [trials][reps][periods][kNumRawSlots]
  std::vector<std::int64_t> first_renewal_churn;  ///< [trials][reps][periods sold][2] (payroll.hpp)
  std::vector<double> rep_skill;                  ///< [trials][reps]
  std::vector<double> rep_period_skill;           ///< [trials][reps][periods]: skill of the seat's rep at the period's end
  std::vector<double> rep_terms;                  ///< [trials][reps][periods][kNumTermFields]
  /// The part of each term from months a named rep held its seat on its own terms (the rest
  /// is on the plan's): what re-paying under other plans rescales. Same shape as rep_terms.
  std::vector<double> rep_own_terms;
  std::vector<std::int16_t> rep_tenure;           ///< [trials][reps][months]: tenure or kVacant
  std::vector<std::int64_t> headcount;            ///< [trials][months][groups][kNumHeadcountFields]
  int groups = 0;
  std::vector<double> pay;                        ///< [trials][reps][periods][kNumPayFields]
  std::vector<double> measure_payout;             ///< [trials][reps][periods][max_measures]
  std::vector<std::uint8_t> completed;            ///< [trials]: 1 once the trial is done
  /// Responsive mode only (else empty): [trials][reps][months][kNumEffortFields].
  std::vector<float> effort;
  /// keep_accounts only: per trial, every account that was a customer during the trial.
  std::vector<std::vector<AccountRecord>> accounts;
};

/// Cancellation and progress shared with the caller's thread.
struct RunControl {
  std::atomic<bool> cancel{false};
  std::atomic<std::int64_t> trials_done{0};
};

/// Allocates `out` for the scenario and options.
void allocate_output(const Scenario& scenario, const RunOptions& options, SimulationOutput& out);

/// Runs all trials (validating first). Returns when done or, after `control.cancel` is set,
/// once the batches in flight finish; `out.completed` tells which trials are whole.
void run_simulation(const Scenario& scenario, const RunOptions& options, SimulationOutput& out,
                    RunControl& control);

/// Pays every completed trial of `out` under the scenario's plans (fixed mode: the world
/// does not depend on the plans, so new plans re-use the simulated actuals, docs/model.md §7).
void pay_reps(const Scenario& scenario, SimulationOutput& out, int trial_begin, int trial_end);

}  // namespace complab
