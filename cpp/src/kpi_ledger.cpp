#include "complab/kpi_ledger.hpp"

#include <algorithm>

namespace complab {

void KpiLedger::start_trial(int trial) {
  trial_ = trial;
  const auto t = static_cast<std::size_t>(trial);
  const auto months = static_cast<std::size_t>(out_.months) * kNumSeries;
  const auto cohorts = static_cast<std::size_t>(out_.years * out_.segments) * kNumCohortFields;
  const auto raw = static_cast<std::size_t>(out_.reps * out_.periods) * kNumRawSlots;
  const auto churn = static_cast<std::size_t>(out_.reps * out_.periods) * 2;
  // Pointer arithmetic, not &v[i]: a slice may be empty (no whole year, no reps).
  monthly_ = out_.monthly.data() + t * months;
  cohorts_ = out_.cohorts.data() + t * cohorts;
  rep_raw_ = out_.rep_raw.data() + t * raw;
  churn_ = out_.first_renewal_churn.data() + t * churn;
  std::fill_n(monthly_, months, 0);
  std::fill_n(cohorts_, cohorts, 0);
  std::fill_n(rep_raw_, raw, 0);
  std::fill_n(churn_, churn, 0);
  const auto seats = static_cast<std::size_t>(out_.reps);
  std::fill_n(out_.rep_terms.data() + t * seats * static_cast<std::size_t>(out_.periods) * kNumTermFields,
              seats * static_cast<std::size_t>(out_.periods) * kNumTermFields, 1.0);
  std::fill_n(out_.rep_own_terms.data() + t * seats * static_cast<std::size_t>(out_.periods) * kNumTermFields,
              seats * static_cast<std::size_t>(out_.periods) * kNumTermFields, 0.0);
  const auto hc = static_cast<std::size_t>(out_.months * out_.groups) * kNumHeadcountFields;
  std::fill_n(out_.headcount.data() + t * hc, hc, 0);
  std::fill_n(out_.rep_tenure.data() + t * seats * static_cast<std::size_t>(out_.months),
              seats * static_cast<std::size_t>(out_.months), kVacant);
}

}  // namespace complab
