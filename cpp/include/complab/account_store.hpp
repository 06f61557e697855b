#pragma once
/// \file account_store.hpp
/// The customer book of one trial (docs/model.md §4–6): every account that was a customer,
/// as structure of arrays, one owner per field; each segment's active accounts in account
/// order with the state the monthly pass reads and writes (LiveAccounts); and the period and
/// year cohorts whose sums the KPI ledger records.
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "complab/engine.hpp"
#include "complab/kpi_ledger.hpp"

namespace complab {

/// A segment's active accounts in account order: add() appends, drop_churned() removes the
/// churned ones after the month's events, so between months they are the accounts active
/// at the next start. The state the monthly pass reads and writes sits here, in list order,
/// so the pass loads it contiguously. Health and usage ARR are kept here while an account
/// is active (store_live_state() copies them to the account arrays); the gap, the next
/// renewal's month and a pending hand-off's close month matter only while it is.
struct LiveAccounts {
  std::vector<std::uint32_t> account, entity;      // index in the account arrays; stream identity
  std::vector<int> csm, renewal_month, exp_close;  // exp_close: -1 if no hand-off is pending
  std::vector<double> health, gap;
  std::vector<std::int64_t> arr_usage;
  std::size_t size() const { return account.size(); }
  void clear();
};

class AccountStore {
 public:
  AccountStore(int segments, bool usage_priced) : live(static_cast<std::size_t>(segments)), usage_priced_(usage_priced) {}

  /// No accounts: the next trial's book starts here.
  void clear();
  /// A new account of `segment`, opened in month `opened` (-1: the initial book), whose
  /// next renewal falls `to_renewal` months after `opened`; ARR goes to the usage-priced
  /// part when the first product is usage-priced. Returns its index.
  std::uint32_t add(int segment, int csm, int ae, int sold_period, std::uint32_t entity, std::int64_t arr,
                    double health, double gap, int renewal_index, int to_renewal, int opened);
  /// Copies the active accounts' health and usage ARR from the live lists to the account
  /// arrays, for the code that reads them by account index (cohorts, account records).
  void store_live_state();
  /// Copies only the usage ARR: all that the cohorts' sums (sum_period_cohorts) read.
  void store_live_usage();
  /// Removes the accounts at `positions[0..count)` (increasing) from `list`, keeping the
  /// order: the runs between them move down.
  static void drop_churned(LiveAccounts& list, const std::uint32_t* positions, std::size_t count);
  /// Every account as the run returns it (keep_accounts).
  void record(std::vector<AccountRecord>& records) const;

  /// Cohorts (docs/model.md §6): at a period's start each rep's book is the accounts active
  /// now (a CSM's, and the AE's who owns them); at a year's start the company's. Their start
  /// ARR is recorded here; the sums go to the ledger when they close.
  void open_cohorts(int t, int period_months, int years, int reps);
  void close_cohorts(int t, int period_months, KpiLedger& ledger);
  /// Adds each rep's period-start cohort as it stands (the book slots) to `slots(rep)`.
  template <class Slots>
  void sum_period_cohorts(Slots slots) const;

  std::int64_t arr(std::uint32_t i) const { return arr_fixed[i] + arr_usage[i]; }
  std::size_t size() const { return segment.size(); }

  // Accounts, structure of arrays. An active account's health and usage ARR are current in
  // `live`, and here only after store_live_state, until the next monthly pass.
  std::vector<int> segment, csm, ae, sold_period, renewal_index, exp_product, exp_csm;
  std::vector<int> opened, churned;  // month won (-1: initial book) and month churned (-1: none)
  std::vector<std::uint32_t> entity, products;
  std::vector<std::int64_t> arr_fixed, arr_usage, booked, exp_value;
  std::vector<std::int64_t> period_start, year_start;  // ARR at the start, for the current cohorts' members
  std::vector<double> health;
  std::vector<std::uint8_t> active, expanded;
  std::vector<LiveAccounts> live;  // per segment
  std::int64_t total_arr = 0;
  bool live_state_stored = true;  // whether the account arrays hold the live lists' health and usage ARR
  bool live_usage_stored = true;  // whether they hold the live lists' usage ARR

 private:
  void list_period_cohorts(int reps);

  bool usage_priced_;
  // The reps' period-start cohorts, grouped by rep: rep r's are
  // cohort_account_[cohort_offset_[r] .. cohort_offset_[r + 1]).
  std::vector<std::size_t> cohort_offset_, cohort_fill_;
  std::vector<std::uint32_t> cohort_account_;
  std::vector<std::uint32_t> year_account_;  // the year's cohort: the accounts active at its start
};

template <class Slots>
void AccountStore::sum_period_cohorts(Slots slots) const {
  // A rep's sums run over its own list in registers; they are integers, so the order
  // changes nothing.
  assert(live_usage_stored);
  for (std::size_t r = 0; r + 1 < cohort_offset_.size(); ++r) {
    if (cohort_offset_[r] == cohort_offset_[r + 1]) continue;
    std::int64_t start_arr = 0, end_arr = 0, kept_arr = 0, churned_logos = 0, expanded_logos = 0;
    for (std::size_t j = cohort_offset_[r]; j < cohort_offset_[r + 1]; ++j) {
      const std::uint32_t i = cohort_account_[j];
      const std::int64_t start = period_start[i], end = arr_fixed[i] + arr_usage[i];
      start_arr += start;
      end_arr += end;
      kept_arr += start < end ? start : end;
      churned_logos += active[i] ? 0 : 1;
      expanded_logos += expanded[i];
    }
    std::int64_t* const raw_book = slots(static_cast<int>(r));
    raw_book[kBookStartArr] += start_arr;
    raw_book[kBookEndArr] += end_arr;
    raw_book[kBookKeptArr] += kept_arr;
    raw_book[kBookStartLogos] += static_cast<std::int64_t>(cohort_offset_[r + 1] - cohort_offset_[r]);
    raw_book[kBookChurnedLogos] += churned_logos;
    raw_book[kBookExpandedLogos] += expanded_logos;
  }
}

}  // namespace complab
