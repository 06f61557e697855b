#pragma once
/// \file kpi_ledger.hpp
/// The one writer of a trial's outputs (docs/model.md §6): the company's monthly series,
/// each rep's raw period slots, first-renewal churn by sale period, annual cohorts, skills
/// and effort. Every other part of the trial reports to it; nothing else touches
/// SimulationOutput, so each trial writes only its own slices.
#include <cstddef>
#include <cstdint>

#include "complab/engine.hpp"

namespace complab {

class KpiLedger {
 public:
  explicit KpiLedger(SimulationOutput& out) : out_(out) {}

  /// Points at trial `trial`'s slices and zeroes them.
  void start_trial(int trial);

  std::int64_t& series(int month, int field) {
    return monthly_[static_cast<std::size_t>(month) * kNumSeries + static_cast<std::size_t>(field)];
  }
  std::int64_t& raw(int rep, int period, int slot) {
    return rep_raw_[(static_cast<std::size_t>(rep) * static_cast<std::size_t>(out_.periods) +
                     static_cast<std::size_t>(period)) * kNumRawSlots + static_cast<std::size_t>(slot)];
  }
  /// An AE's account sold in `sold_period` churned at its first renewal (its booked ARR).
  void first_renewal_churn(int ae, int sold_period, std::int64_t booked) {
    std::int64_t* c = &churn_[(static_cast<std::size_t>(ae) * static_cast<std::size_t>(out_.periods) +
                               static_cast<std::size_t>(sold_period)) * 2];
    c[0] += booked;
    c[1] += 1;
  }
  /// One account of year `year`'s cohort in `segment`: its ARR at the year's start and end.
  void cohort_member(int year, int segment, std::int64_t start, std::int64_t end, bool churned) {
    std::int64_t* c = &cohorts_[(static_cast<std::size_t>(year) * static_cast<std::size_t>(out_.segments) +
                                 static_cast<std::size_t>(segment)) * kNumCohortFields];
    c[kCohortStartArr] += start;
    c[kCohortEndArr] += end;
    c[kCohortKeptArr] += start < end ? start : end;
    c[kCohortStartLogos] += 1;
    c[kCohortChurnedLogos] += churned ? 1 : 0;
  }
  void skill(int rep, double z) {
    out_.rep_skill[static_cast<std::size_t>(trial_) * static_cast<std::size_t>(out_.reps) + static_cast<std::size_t>(rep)] = z;
  }
  /// Seat `rep`'s pay terms in `period` (kNumTermFields values, payroll.hpp).
  double* terms(int rep, int period) {
    return &out_.rep_terms[((static_cast<std::size_t>(trial_) * static_cast<std::size_t>(out_.reps) +
                             static_cast<std::size_t>(rep)) * static_cast<std::size_t>(out_.periods) +
                            static_cast<std::size_t>(period)) * kNumTermFields];
  }
  /// The part of terms(rep, period) from months on a named rep's own terms.
  double* own_terms(int rep, int period) {
    return &out_.rep_own_terms[((static_cast<std::size_t>(trial_) * static_cast<std::size_t>(out_.reps) +
                                 static_cast<std::size_t>(rep)) * static_cast<std::size_t>(out_.periods) +
                                static_cast<std::size_t>(period)) * kNumTermFields];
  }
  /// The skill of seat `rep`'s rep (its last, when vacant) at period `period`'s end.
  void period_skill(int rep, int period, double z) {
    out_.rep_period_skill[(static_cast<std::size_t>(trial_) * static_cast<std::size_t>(out_.reps) +
                           static_cast<std::size_t>(rep)) * static_cast<std::size_t>(out_.periods) +
                          static_cast<std::size_t>(period)] = z;
  }
  /// Seat `rep`'s tenure in `month` (kVacant while vacant).
  std::int16_t& tenure(int rep, int month) {
    return out_.rep_tenure[(static_cast<std::size_t>(trial_) * static_cast<std::size_t>(out_.reps) +
                            static_cast<std::size_t>(rep)) * static_cast<std::size_t>(out_.months) +
                           static_cast<std::size_t>(month)];
  }
  /// Month `month`'s headcount fields of seat group `group` (kNumHeadcountFields values).
  std::int64_t* headcount(int month, int group) {
    return &out_.headcount[((static_cast<std::size_t>(trial_) * static_cast<std::size_t>(out_.months) +
                             static_cast<std::size_t>(month)) * static_cast<std::size_t>(out_.groups) +
                            static_cast<std::size_t>(group)) * kNumHeadcountFields];
  }
  /// Responsive mode: rep `rep`'s behaviour in `month` (a no-op in fixed mode).
  void effort(int rep, int month, double primary, double overpromise, double level) {
    if (out_.effort.empty()) return;
    const auto months = static_cast<std::size_t>(out_.months), reps = static_cast<std::size_t>(out_.reps);
    float* f = &out_.effort[((static_cast<std::size_t>(trial_) * reps + static_cast<std::size_t>(rep)) * months +
                             static_cast<std::size_t>(month)) * kNumEffortFields];
    f[kEffortPrimary] = static_cast<float>(primary);
    f[kEffortSecondary] = static_cast<float>(1.0 - primary);
    f[kEffortOverpromise] = static_cast<float>(overpromise);
    f[kEffortLevel] = static_cast<float>(level);
  }
  bool records_effort() const { return !out_.effort.empty(); }
  /// keep_accounts: the trial's account records, to fill.
  bool keeps_accounts() const { return !out_.accounts.empty(); }
  std::vector<AccountRecord>& account_records() { return out_.accounts[static_cast<std::size_t>(trial_)]; }
  int years() const { return out_.years; }

 private:
  SimulationOutput& out_;
  int trial_ = 0;
  std::int64_t* monthly_ = nullptr;
  std::int64_t* cohorts_ = nullptr;
  std::int64_t* rep_raw_ = nullptr;
  std::int64_t* churn_ = nullptr;
};

}  // namespace complab
