#pragma once
/// \file book_terms.hpp
/// Responsive mode's pass over a segment's accounts (docs/model.md §8): what each account adds
/// to its CSM's sensitivities this month. AVX-512 where the CPU has it, chosen at run time,
/// with the scalar code's operations in the same order, so the same bits;
/// tests/cpp/test_book_terms.cpp compares the paths.
#include <cstddef>
#include <cstdint>

#include "complab/simd.hpp"

namespace complab {

/// One segment's accounts, for their CSMs' terms (ResponsiveEffort::gather_book).
struct BookTermsIn {
  std::size_t n;
  int t, last;
  const std::uint32_t* account;  // list order
  const int *csm, *renewal_month, *exp_close;
  const double *health, *health_power;  // h, and h^gamma (h itself when gamma = 1)
  const std::int64_t* arr_usage;
  const std::int64_t* arr_fixed;  // by account
  const int* ae;                  // by account
  const double* churn_p;          // the churn chance now, list order
  const double* renewal_reach;    // by months to the renewal, 1..12
  const double *follow_up, *follow_up_ratio;  // by AE (entry 0 stands in for none)
  double lambda_h, usage_drift, usage_reach, csql_rate, upsell_fraction, acceptance;
  bool csql_window;
};
/// Each account's terms, in list order (0 where a term does not apply).
struct BookTermsOut {
  double *churn_arr, *churn_logos, *usage, *csql, *csql_value, *csql_wins, *csql_win_value;
};

/// Sets out's columns at positions [0, n).
void book_terms(const BookTermsIn& in, const BookTermsOut& out);

namespace detail {
/// book_terms on `path` (the tests compare the paths); throws where the CPU lacks it.
void book_terms_on(SimdPath path, const BookTermsIn& in, const BookTermsOut& out);
}  // namespace detail

}  // namespace complab
