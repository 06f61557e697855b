#pragma once
/// \file workforce.hpp
/// A trial's reps (docs/model.md §3, §9). Each roster entry is a seat: its role, segment,
/// ordinal and stream identity are fixed; who holds it is not. A seat is vacant or held by
/// a rep with a tenure and a skill; reps ramp, leave (at their tenure band's hazard, raised
/// by poor pay when pay-linked attrition is on) and are replaced after the backfill lag,
/// and the hiring plan fills new seats. Also each seat's effort this month: shares,
/// over-promising, effort level, and the CSMs' book sizes and the efforts their accounts see.
#include <climits>
#include <cstdint>
#include <vector>

#include "complab/engine.hpp"
#include "complab/kpi_ledger.hpp"
#include "complab/streams.hpp"

namespace complab {

class Workforce {
 public:
  Workforce(const Scenario& scenario, const RepRoster& roster, bool with_people = true);

  /// Draws every seat's first rep — skill (recorded in the ledger), tenure, whether it is
  /// held at month 0 — and puts efforts at the scenario's fixed values; the second form
  /// records nothing (a history's reps, book_source.hpp: always the scenario's headcount,
  /// all held, ramped).
  void start_trial(const TrialStreams& streams, KpiLedger& ledger);
  void start_trial(const TrialStreams& streams);

  /// Month t's start: seats whose start or backfill month has come are filled; records
  /// tenure, the headcount and, at a period's start, each seat's projected pay terms.
  void begin_month(int t, const TrialStreams& streams, KpiLedger& ledger);
  /// Month t's end: each rep leaves at its hazard; leavers are listed in `left()`. At a
  /// period's end records the period's pay terms. Tenures advance.
  void end_month(int t, const TrialStreams& streams, KpiLedger& ledger);
  /// Seats whose rep left at the end of this month (for the pipeline and the accounts).
  const std::vector<int>& left() const { return left_; }
  /// Pay-linked attrition: each seat's hazard multiplier from its pay so far (set at
  /// period ends by the trial simulator).
  std::vector<double> pay_multiplier;

  int size() const { return static_cast<int>(skill.size()); }
  Role role(int rep) const { return roster_.role[static_cast<std::size_t>(rep)]; }
  int segment(int rep) const { return roster_.segment[static_cast<std::size_t>(rep)]; }
  /// The plan that pays rep `rep` (index into Scenario::plans, -1: unpaid).
  int plan(int rep) const { return roster_.plan[static_cast<std::size_t>(rep)]; }
  bool held(std::size_t r) const { return held_[r] != 0; }
  /// Vacant because its rep left (not a seat yet to be filled for the first time): under
  /// Vacancy::Wait its territory still draws leads, which are lost.
  bool vacated(std::size_t r) const { return vacated_[r] != 0; }
  /// The seat's productivity this month: its rep's ramp at its tenure, 0 when vacant.
  double productivity(std::size_t r) const { return productivity_[r]; }
  /// Whether every seat is held at full productivity this month (the model without people).
  bool all_ramped() const { return all_ramped_; }
  bool waits_for_backfill() const { return wait_; }
  /// Multiplies seat r's quota (QuotaMethod::Territory; 1 otherwise), set after the book is built.
  std::vector<double> territory;

  /// CSM r's attention per account with a book of `book`: z l g f(c / B) (docs/model.md §3).
  double csm_attention(std::size_t r, int book) const;
  /// Sets CSM r's health shift and E_e for a book of `book`; csm_efforts: every CSM at its
  /// load. A vacant CSM's accounts get the care of accounts without a CSM.
  void csm_effort(std::size_t r, int book);
  void csm_efforts();
  /// dE_e/de for CSM r: its attention over the reference expansion share.
  double expansion_effort_per_share(std::size_t r) const;
  /// AE a's new-business and follow-up share ratios n / n_ref and (1 - n) / (1 - n_ref).
  double new_business_ratio(std::size_t ae) const { return share[ae] / w_.effort.ae_new_business_ref; }
  double follow_up_ratio(std::size_t ae) const {
    return (1.0 - share[ae]) / (1.0 - w_.effort.ae_new_business_ref);
  }

  // Who: fixed per scenario.
  std::vector<std::vector<int>> segment_aes, segment_csms;  // rep indices per segment
  std::vector<int> sdrs;
  std::vector<std::uint32_t> stream_id;  // per rep (identity.hpp)
  std::vector<int> ordinal;              // per rep, among its role and segment
  // Per trial and month.
  std::vector<double> skill;
  std::vector<double> share;        // CSM adoption or AE new-business share
  std::vector<double> overpromise;  // AE over-promising level
  std::vector<double> level;        // effort level l (1 in fixed mode)
  std::vector<int> load;            // CSM: accounts in its book
  std::vector<int> tenure;          // months the seat's rep has worked before this one (held seats)
  // Per CSM + 1, for account_pass (entry 0: accounts without a CSM).
  std::vector<double> health_shift, expansion_effort;

 private:
  static constexpr int kNever = INT_MAX;
  void start_trial_reps(const TrialStreams& streams, bool people);
  void hire(std::size_t r, int t, const TrialStreams& streams);
  bool wanted(std::size_t r, int t) const;
  int first_wanted(std::size_t r) const;
  int draw_tenure(std::size_t r, const TrialStreams& streams) const;
  void update_productivity();
  /// Period `p`'s terms from its months on the named rep's own terms and on the plan's (the
  /// quota shares and months of each); the own part also goes to ledger.own_terms.
  void write_terms(std::size_t r, int p, const double (&own)[2], const double (&plan)[2], KpiLedger& ledger) const;
  bool on_own_terms(std::size_t r) const;  // a named rep holds (or is to take) the seat on its own terms
  int group(std::size_t r) const;  // headcount group: AEs by segment, SDRs, CSMs by segment

  const WorldConfig& w_;
  const WorkforceConfig& wf_;
  const RepRoster& roster_;
  const bool people_;  // the workforce can change (WorkforceConfig::active)
  const bool wait_;
  std::vector<std::uint8_t> held_, own_terms_, vacated_;
  std::vector<int> fill_month_;        // vacant seats: when the next rep starts (kNever: none planned)
  std::vector<double> productivity_;
  bool all_ramped_ = true;
  // This period so far, per seat: the quota shares and months held on the named rep's own
  // terms, and on the plan's.
  std::vector<double> period_quota_own_, period_held_own_, period_quota_plan_, period_held_plan_;
  std::vector<std::vector<double>> tenure_cdf_;     // per role: the stationary tenure distribution
  std::vector<std::vector<int>> group_steps_;       // per seat group: hiring steps (month, headcount), by month
  std::vector<int> group_base_;                     // per seat group: seats wanted before any step
  std::vector<int> left_;
};

}  // namespace complab
