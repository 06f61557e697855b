#include "complab/money.hpp"

#include <stdexcept>

namespace complab {

void arr_limit_exceeded(const SegmentConfig& seg) {
  throw std::invalid_argument("world.segments." + seg.name +
                              ": an account's ARR passed the engine's limit of 2**52 cents (about $45 "
                              "trillion); lower acv_median, acv_log_sd, usage_drift, usage_noise or "
                              "upsell_fraction, or world.months");
}

void total_arr_limit_exceeded() {
  throw std::invalid_argument(
      "world: the company's total ARR passed the engine's limit of 2**56 cents (about $720 "
      "trillion); lower the segments' acv_median, initial_accounts or usage growth");
}

}  // namespace complab
