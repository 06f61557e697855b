#pragma once
/// \file account_dynamics.hpp
/// What happens to the accounts each month (docs/model.md §5 steps 1–5): health and usage
/// (the vectorised pass, account_pass.hpp), hand-offs closing, CSQLs raised and handed off,
/// renewals and churn, one segment at a time; and the warm start's hand-offs in flight.
#include <cstdint>
#include <vector>

#include "complab/account_pass.hpp"
#include "complab/account_store.hpp"
#include "complab/kpi_ledger.hpp"
#include "complab/pipeline.hpp"
#include "complab/processes.hpp"
#include "complab/streams.hpp"
#include "complab/workforce.hpp"

namespace complab {

class AccountDynamics {
 public:
  /// The references must outlive it (the trial simulator owns them all).
  AccountDynamics(const Scenario& scenario, AccountStore& accounts, Workforce& reps, TrialStreams& streams,
                  const process::ChurnModel& churn, KpiLedger& ledger);

  /// Steps 1–5 for every account active at month t's start (period p), segment by
  /// segment; the churned leave the lists, the month's usage flows enter the series.
  void month(int t, int p);
  /// The month's won deals become accounts at its end: ARR the deal's value, health h0,
  /// gap the AE's over-promising, owned by the AE, served by the segment's least-loaded CSM
  /// (lowest index on ties), first renewal 12 months on.
  void open_accounts(int t, int p, const std::vector<Opportunity>& won);
  /// The warm start (docs/model.md §4): each initial account raises CSQLs in the months
  /// before 0 at its starting health and its CSM's effort; accepted hand-offs still open at
  /// month 0 stay pending.
  void warm_handoffs();
  /// A departed CSM's accounts move, one by one, to the segment's least-loaded held CSM
  /// (Vacancy::Reassign).
  void reassign_book(int leaver);

 private:
  struct MonthSums {
    std::int64_t account_months = 0, health_micros = 0, usage_up = 0, usage_down = 0;
  };
  void segment_month(int s, int t, int p, MonthSums& sums);
  int least_loaded_csm(int segment) const;
  /// Who closes account i's hand-off: its AE, or while that seat is vacant a held AE of the
  /// segment (Vacancy::Reassign); -1: nobody.
  int acting_ae(std::size_t i) const;
  void close_handoff(LiveAccounts& live, std::size_t k, int t, int p, const SegmentConfig& seg, double u_win);
  void raise_csql(LiveAccounts& live, std::size_t k, int t, int p, const SegmentConfig& seg, double u_kind,
                  double u_product, double u_accept);
  /// u: the Renewal stream's first uniform; p_churn: the account's churn chance now.
  bool renew(LiveAccounts& live, std::size_t k, int t, double u, double p_churn);

  const WorldConfig& w_;
  AccountStore& accounts_;
  Workforce& reps_;
  TrialStreams& streams_;
  const process::ChurnModel& churn_;
  KpiLedger& ledger_;
  std::vector<double> acceptance_;  // per segment (process::handoff_acceptance)
  std::vector<bool> usage_priced_;  // per product
  // segment_month's scratch, per position in a segment's list (renewals: per account due).
  TrialStreams::Blocks dynamics_blocks_, csql_blocks_, renewal_blocks_;
  TrialStreams::Blocks csql_more_blocks_, expansion_win_blocks_;  // the CSQLs' second blocks; hand-offs' wins
  std::vector<double> z_health_, z_usage_;
  std::vector<std::uint32_t> csql_bits_;  // the CSQL yes/no's words (AccountMonth blocks)
  std::vector<PassEvent> events_;  // the accounts with an event this month
  std::vector<std::uint32_t> renewal_entity_, csql_entity_, closing_entity_, churned_positions_;
  std::vector<std::uint32_t> warm_positions_, warm_entity_;
  std::vector<int> due_index_;  // the renewals due: renewal index, health, gap, churn chance
  std::vector<double> due_health_, due_gap_, due_churn_;  // warm_handoffs: a month's eligible accounts
};

}  // namespace complab
