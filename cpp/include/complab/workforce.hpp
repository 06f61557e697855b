#pragma once
/// \file workforce.hpp
/// A trial's reps (docs/model.md §3): who they are — role, segment, ordinal and stream
/// identity, from the roster — their skill, and their effort this month: shares,
/// over-promising, effort level, and the CSMs' book sizes and the efforts their accounts see.
#include <cstdint>
#include <vector>

#include "complab/engine.hpp"
#include "complab/kpi_ledger.hpp"
#include "complab/streams.hpp"

namespace complab {

class Workforce {
 public:
  Workforce(const Scenario& scenario, const RepRoster& roster);

  /// Draws every rep's skill (recorded in the ledger) and puts efforts at the scenario's
  /// fixed values; the second form records nothing (a history's reps, book_source.hpp).
  void start_trial(const TrialStreams& streams, KpiLedger& ledger);
  void start_trial(const TrialStreams& streams);

  int size() const { return static_cast<int>(skill.size()); }
  Role role(int rep) const { return roster_.role[static_cast<std::size_t>(rep)]; }
  /// The plan that pays rep `rep` (index into Scenario::plans, -1: unpaid).
  int plan(int rep) const { return roster_.plan[static_cast<std::size_t>(rep)]; }

  /// CSM r's attention per account with a book of `book`: z l f(c / B) (docs/model.md §3).
  double csm_attention(std::size_t r, int book) const;
  /// Sets CSM r's health shift and E_e for a book of `book`; csm_efforts: every CSM at its load.
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
  // Per CSM + 1, for account_pass (entry 0: accounts without a CSM).
  std::vector<double> health_shift, expansion_effort;

 private:
  const WorldConfig& w_;
  const RepRoster& roster_;
};

}  // namespace complab
