#include "complab/account_store.hpp"

#include <algorithm>
#include <cassert>

#include "complab/money.hpp"
#include "complab/plan.hpp"

namespace complab {

void LiveAccounts::clear() {
  for (auto* v : {&account, &entity}) v->clear();
  for (auto* v : {&csm, &renewal_month, &exp_close}) v->clear();
  for (auto* v : {&health, &gap}) v->clear();
  arr_usage.clear();
}

void AccountStore::clear() {
  for (auto* v : {&segment, &csm, &ae, &sold_period, &renewal_index, &exp_product, &exp_csm, &opened, &churned}) {
    v->clear();
  }
  entity.clear(), products.clear();
  for (auto* v : {&arr_fixed, &arr_usage, &booked, &exp_value, &period_start, &year_start}) v->clear();
  health.clear(), active.clear(), expanded.clear();
  for (auto& v : live) v.clear();
  cohort_offset_.clear();
  cohort_account_.clear();
  year_account_.clear();
  total_arr = 0;
  live_state_stored = live_usage_stored = true;  // no account yet; add writes both copies
}

std::uint32_t AccountStore::add(int seg, int csm_rep, int ae_rep, int sold, std::uint32_t id, std::int64_t arr,
                                double h, double gap, int index, int to_renewal, int opened_month) {
  segment.push_back(seg);
  csm.push_back(csm_rep);
  ae.push_back(ae_rep);
  sold_period.push_back(sold);
  entity.push_back(id);
  arr_fixed.push_back(usage_priced_ ? 0 : arr);
  arr_usage.push_back(usage_priced_ ? arr : 0);
  booked.push_back(arr);
  health.push_back(h);
  renewal_index.push_back(index);
  products.push_back(1u);
  active.push_back(1);
  exp_value.push_back(0);
  exp_product.push_back(-1);
  exp_csm.push_back(-1);
  period_start.push_back(0);
  expanded.push_back(0);
  year_start.push_back(0);
  opened.push_back(opened_month);
  churned.push_back(-1);
  total_arr += arr;  // arr < 2^52 and the total below 2^56 before it: no overflow
  if (total_arr >= kMaxTotalArrCents) total_arr_limit_exceeded();
  const auto i = static_cast<std::uint32_t>(segment.size() - 1);
  LiveAccounts& list = live[static_cast<std::size_t>(seg)];
  list.account.push_back(i);
  list.entity.push_back(id);
  list.csm.push_back(csm_rep);
  list.renewal_month.push_back(opened_month + to_renewal);  // counting from the next month
  list.exp_close.push_back(-1);
  list.health.push_back(h);
  list.gap.push_back(gap);
  list.arr_usage.push_back(arr_usage.back());
  return i;
}

void AccountStore::store_live_state() {
  if (live_state_stored) return;
  live_state_stored = live_usage_stored = true;
  for (const LiveAccounts& list : live) {
    for (std::size_t k = 0; k < list.size(); ++k) {
      health[list.account[k]] = list.health[k];
      arr_usage[list.account[k]] = list.arr_usage[k];
    }
  }
}

void AccountStore::store_live_usage() {
  if (live_usage_stored) return;
  live_usage_stored = true;
  for (const LiveAccounts& list : live) {
    for (std::size_t k = 0; k < list.size(); ++k) arr_usage[list.account[k]] = list.arr_usage[k];
  }
}

void AccountStore::drop_churned(LiveAccounts& list, const std::uint32_t* positions, std::size_t count) {
  const std::size_t n = list.size();
  auto drop = [&](auto& v) {
    std::size_t kept = positions[0];
    for (std::size_t c = 0; c < count; ++c) {
      const std::size_t from = positions[c] + 1;
      const std::size_t to = c + 1 < count ? positions[c + 1] : n;
      std::copy(v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(to),
                v.begin() + static_cast<std::ptrdiff_t>(kept));
      kept += to - from;
    }
    v.resize(kept);
  };
  drop(list.account), drop(list.entity), drop(list.csm), drop(list.renewal_month), drop(list.exp_close);
  drop(list.health), drop(list.gap), drop(list.arr_usage);
}

void AccountStore::record(std::vector<AccountRecord>& records) const {
  assert(live_state_stored);
  records.clear();
  records.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    records.push_back(AccountRecord{entity[i], static_cast<std::int16_t>(segment[i]), static_cast<std::int16_t>(opened[i]),
                                    static_cast<std::int16_t>(churned[i]), static_cast<std::int16_t>(renewal_index[i]),
                                    csm[i], ae[i], arr_fixed[i] + arr_usage[i], booked[i], health[i], products[i]});
  }
}

void AccountStore::open_cohorts(int t, int period_months, int years, int reps) {
  // Members' start ARR is recorded; other accounts' entries are left as they are, for only
  // members are read.
  if (t % period_months == 0) {
    for (const LiveAccounts& list : live) {
      for (std::size_t k = 0; k < list.size(); ++k) {
        const std::uint32_t i = list.account[k];
        period_start[i] = arr_fixed[i] + list.arr_usage[k];
        expanded[i] = 0;
      }
    }
    list_period_cohorts(reps);
  }
  if (t % kContractMonths == 0 && t / kContractMonths < years) {
    year_account_.clear();
    for (const LiveAccounts& list : live) {
      for (std::size_t k = 0; k < list.size(); ++k) {
        const std::uint32_t i = list.account[k];
        year_start[i] = arr_fixed[i] + list.arr_usage[k];
        year_account_.push_back(i);
      }
    }
  }
}

void AccountStore::list_period_cohorts(int reps) {
  const auto nrep = static_cast<std::size_t>(reps);
  cohort_offset_.assign(nrep + 1, 0);
  for (const LiveAccounts& list : live) {
    for (std::size_t k = 0; k < list.size(); ++k) {
      for (int rep : {list.csm[k], ae[list.account[k]]}) {
        if (rep >= 0) ++cohort_offset_[static_cast<std::size_t>(rep) + 1];
      }
    }
  }
  for (std::size_t r = 0; r < nrep; ++r) cohort_offset_[r + 1] += cohort_offset_[r];
  cohort_account_.resize(cohort_offset_[nrep]);
  cohort_fill_.assign(cohort_offset_.begin(), cohort_offset_.end() - 1);
  for (const LiveAccounts& list : live) {
    for (std::size_t k = 0; k < list.size(); ++k) {
      for (int rep : {list.csm[k], ae[list.account[k]]}) {
        if (rep >= 0) cohort_account_[cohort_fill_[static_cast<std::size_t>(rep)]++] = list.account[k];
      }
    }
  }
}

void AccountStore::close_cohorts(int t, int period_months, KpiLedger& ledger) {
  const bool year_closes = (t + 1) % kContractMonths == 0 && t / kContractMonths < ledger.years();
  if ((t + 1) % period_months == 0 || year_closes) store_live_state();
  if ((t + 1) % period_months == 0) {
    const int p = t / period_months;
    sum_period_cohorts([&ledger, p](int rep) { return &ledger.raw(rep, p, 0); });
  }
  if (year_closes) {
    const int y = t / kContractMonths;
    for (const std::uint32_t i : year_account_) {
      ledger.cohort_member(y, segment[i], year_start[i], arr_fixed[i] + arr_usage[i], !active[i]);
    }
  }
}

}  // namespace complab
