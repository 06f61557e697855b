#pragma once
/// \file money.hpp
/// Money in integer cents (docs/model.md §4): every accounting identity holds exactly. An
/// account's ARR stays below 2^52 cents and the company's below 2^56; a run that would pass
/// either stops with an error naming what to lower.
#include <cstdint>

#include "complab/account_pass.hpp"
#include "complab/scenario.hpp"

namespace complab {

/// The company's total ARR stays below 2^56 cents (about $720 trillion), so every sum of
/// ARR or of a year's flows fits in 64 bits.
inline constexpr std::int64_t kMaxTotalArrCents = std::int64_t{1} << 56;

/// Stops the run: an account of `seg` would reach kMaxArrCents.
[[noreturn]] void arr_limit_exceeded(const SegmentConfig& seg);
/// Stops the run: the company's ARR would reach kMaxTotalArrCents.
[[noreturn]] void total_arr_limit_exceeded();

/// A non-negative amount of an account of segment `seg` in cents, rounded half up.
inline std::int64_t to_cents(double amount, const SegmentConfig& seg) {
  const double cents = amount * 100.0 + 0.5;
  if (!(cents < kMaxArrCents)) arr_limit_exceeded(seg);
  return static_cast<std::int64_t>(cents);
}

}  // namespace complab
