#pragma once
/// \file portable_exp.hpp
/// e^x in plain IEEE operations, in a fixed order and without branches: the same bits in
/// scalar code and in any vector width the compiler makes of a loop over it, on every CPU
/// (the project compiles with -ffp-contract=off, so nothing fuses into FMA). libm's exp is
/// scalar, and its vector versions (libmvec) round differently from it; this one lets the
/// churn chances of many accounts be computed a vector at a time and still equal the
/// scalar ones bit for bit. tests/cpp/test_portable_exp.cpp checks its error against
/// std::exp (within 2 ulp) and vector against scalar.
#include <bit>
#include <cstdint>

namespace complab {

/// e^x within 2 ulp for x in [-708, 709]; x is clamped to that range first (e^-708 is
/// 3.3e-308, the smallest normal results; e^709 8.2e307), and NaN stays NaN.
inline double portable_exp(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  // ln 2 split so that k * kLn2Hi is exact for |k| < 2^11 (fdlibm's constants).
  constexpr double kLn2Hi = 6.93147180369123816490e-01, kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kShifter = 0x1.8p52;  // adding it rounds to an integer, kept in the low bits
  x = x < -708.0 ? -708.0 : x;
  x = x > 709.0 ? 709.0 : x;
  const double shifted = x * kLog2e + kShifter;
  const double k = shifted - kShifter;
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // |r| <= ln(2)/2
  // e^r by its Taylor series to r^13 / 13!: the first term left out is below 2^-57.
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r * r + r;  // r + r^2 (...): the small terms first, then the leading ones
  p = p + 1.0;
  // 2^k from its exponent bits: k is in [-1022, 1023] after the clamp.
  const std::int64_t kbits = std::bit_cast<std::int64_t>(shifted) - std::bit_cast<std::int64_t>(kShifter);
  return p * std::bit_cast<double>((kbits + 1023) << 52);
}

}  // namespace complab
