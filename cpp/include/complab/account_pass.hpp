#pragma once
/// \file account_pass.hpp
/// The monthly pass over one segment's active accounts (docs/model.md §5: health, usage,
/// whether a renewal is due and the CSQL's yes/no), on state held in list order so it
/// loads contiguously.
/// The AVX2 and AVX-512 paths, chosen at run time (simd.hpp), do four or eight accounts at a
/// time with the scalar code's operations in the same order, so their results are the same
/// bit for bit; tests/cpp/test_account_pass.cpp compares them.
#include <cstddef>
#include <cstdint>

#include "complab/simd.hpp"

namespace complab {

/// An account's ARR stays below 2^52 cents (about $45 trillion): exact in a double, and
/// sums over thousands of accounts far inside 64 bits. The engine stops with an error
/// when an account would pass it.
inline constexpr double kMaxArrCents = 0x1p52;

/// x clipped to [0, 1] (health, probabilities).
inline double clip01(double x) { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }

/// A segment's constants for the month.
struct PassConstants {
  int month = 0;
  double health_base = 0, health_reversion = 0, health_noise = 0, gap_effect = 0;
  double usage_drift = 0, usage_noise = 0;
  double csql_rate = 0, csql_health_exponent = 1;  // csql_rate 0: no CSQL is possible
};

/// The accounts' state at positions [0, n) of the list, and the month's draws for them.
struct PassAccounts {
  const int* csm;            // rep index, -1: none
  const int* renewal_month;  // month of the next renewal
  const int* exp_close;      // close month of a pending hand-off, -1: none
  const double* gap;
  double* health;              // updated
  std::int64_t* arr_usage;     // usage-priced ARR in cents, >= 0; updated
  const double* z_health;      // unit normals (0 without health noise)
  const double* z_usage;       // unit normals (0 without usage noise)
  const std::uint32_t* csql_bits;  // the CSQL yes/no's 32-bit word (AccountMonth block); unused without CSQLs
};

/// The month's health-target shift and expansion effort E_e of each account's CSM, indexed
/// by rep index + 1: entry 0 is for accounts without a CSM (their shift; effort 0). The
/// offset lets the vector path load every lane without a branch.
struct PassReps {
  const double* health_shift;
  const double* expansion_effort;
};

/// An account with something to handle after the pass: a hand-off closing this month, a
/// CSQL raised, or a renewal due.
struct PassEvent {
  std::uint32_t position;  // in the list
  bool csql, due;          // a CSQL is raised; a renewal is due
};

/// The pass's sums over the accounts.
struct PassSums {
  std::int64_t health_micros = 0, usage_up = 0, usage_down = 0;
  std::size_t events = 0, due = 0;  // events written; renewals due among them
  bool over_limit = false;  // an account's usage ARR would reach kMaxArrCents (it is left as it was)
};

/// Runs the month for accounts [0, n): updates health and usage ARR, writes the accounts
/// with an event, in order, to `events` (room for n) and returns the sums.
PassSums account_pass(const PassConstants& c, const PassAccounts& a, const PassReps& reps, std::size_t n,
                      PassEvent* events);

namespace detail {
/// account_pass without SIMD, whatever the CPU (the tests compare the paths).
PassSums account_pass_portable(const PassConstants& c, const PassAccounts& a, const PassReps& reps,
                               std::size_t n, PassEvent* events);
/// account_pass on a given path; throws std::invalid_argument where the CPU lacks it.
PassSums account_pass_on(SimdPath path, const PassConstants& c, const PassAccounts& a, const PassReps& reps,
                         std::size_t n, PassEvent* events);
}  // namespace detail

}  // namespace complab
