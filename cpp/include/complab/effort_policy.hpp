#pragma once
/// \file effort_policy.hpp
/// Responsive behaviour (docs/model.md §8): at each month's start every AE and CSM with a
/// plan projects its period-end attainment, values one more month of each activity under
/// its plan, re-splits its effort, chooses its effort level and (AEs) how much to
/// over-promise. Fixed mode (beta = 0) never calls it: every rep keeps the scenario's shares.
#include <array>
#include <cstdint>
#include <vector>

#include "complab/account_store.hpp"
#include "complab/behaviour.hpp"
#include "complab/kpi_ledger.hpp"
#include "complab/payroll.hpp"
#include "complab/pipeline.hpp"
#include "complab/processes.hpp"
#include "complab/workforce.hpp"

namespace complab {

class ResponsiveEffort {
 public:
  /// Reads the trial's book, pipeline and ledger and sets the workforce's efforts; the
  /// references must outlive it (the trial simulator owns them all).
  ResponsiveEffort(const Scenario& scenario, AccountStore& accounts,
                   Workforce& reps, const Pipeline& pipeline, const process::ChurnModel& churn, KpiLedger& ledger);

  /// Month t's response: every paid AE's and CSM's shares, level and over-promising.
  void respond(int t);

 private:
/// What a rep sees at a month's start in responsive mode: its book so far this period and
  /// how its metrics respond to its activities (docs/model.md §8).
    struct BookState {
    std::array<std::int64_t, kNumRawSlots> raw{};  // book slots of the period-start cohort so far
    // CSM, per unit change of the health target: ARR and logos kept at renewals this period,
    // usage ARR gained over the rest of the period.
    double churn_arr = 0, churn_logos = 0, usage = 0;
    // CSM, per unit of expansion effort E_e: CSQLs, their value, and expansions won this period.
    double csql = 0, csql_value = 0, csql_wins = 0, csql_win_value = 0;
    // AE, per unit of new-business share: deals closing this month (value, count).
    double deals_value = 0, deals = 0;
    // AE, per unit of over-promising: wins gained (value, count) and first-renewal churn exposure.
    double promise_value = 0, promise_count = 0, churn_exposure_value = 0, churn_exposure_count = 0;
    // AE, per unit of follow-up share: expansions closing this month (value, count).
    double expansion_value = 0, expansions = 0;
  };

  Productivity csm_productivity(std::size_t r, bool with_push = true) const;
  Productivity ae_productivity(std::size_t r) const;
  static double project(Metric metric, double so_far, int elapsed, int months);
  double clawback_cost(const Plan& plan, const BookState& b, int period_months, SeatTerms terms);
  double ratchet_cost(int r, const Plan& plan, int p, double factor, double ote_scale);
  void settle_ratchets(int period);
  void gather_book(int t, int left, int last);
  void gather_deals(int t, int last);

  const Scenario& sc_;
  const WorldConfig& w_;
  std::vector<double> acceptance_;  // per segment (process::handoff_acceptance)
  AccountStore& accounts_;
  Workforce& reps_;
  const Pipeline& pipeline_;
  const process::ChurnModel& churn_;
  KpiLedger& ledger_;
  std::vector<BookState> book_;  // what each rep sees at the month's start
  // gather_book's scratch: a segment's accounts' CSM terms (list order), their churn chances
  // and h^gamma.
  std::vector<double> term_churn_arr_, term_churn_logos_, term_usage_, term_csql_, term_csql_value_, term_csql_wins_,
      term_csql_win_value_;
  std::vector<int> churn_index_;  // the accounts renewing this period: index, health, gap, chance
  std::vector<std::uint32_t> churn_position_;
  std::vector<double> churn_health_, churn_gap_, churn_renewing_;
  std::vector<double> churn_p_, health_power_;  // by position
  std::vector<double> ae_follow_up_, ae_follow_up_ratio_;  // per AE, for the segment in hand
  std::vector<double> actuals_, projected_, spif_counts_, measure_payout_;  // per-plan scratch
  // Reps on ratcheting plans: their seat payroll, paid at each period's end, gives their
  // quota factor (docs/model.md §7); ratchet_seat_[rep] indexes ratchet_seats_, or -1.
  std::vector<SeatPayroll> ratchet_seats_;
  std::vector<int> ratchet_seat_;
  std::array<double, kNumPayFields> pay_scratch_{};
};

}  // namespace complab
