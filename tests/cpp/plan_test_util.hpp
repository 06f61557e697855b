#pragma once
// Builders and an exception matcher shared by the C++ tests.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "complab/plan.hpp"

namespace complab::testing {

inline PayoutCurve curve(std::vector<double> a, std::vector<double> m) {
  return PayoutCurve{std::move(a), std::move(m)};
}

/// Payout = attainment from 0 to 200%.
inline PayoutCurve linear2() { return curve({0.0, 2.0}, {0.0, 2.0}); }

inline Measure measure(std::string name, Metric metric, double weight, double target,
                       PayoutCurve c = linear2(), bool lower_is_better = false) {
  Measure m;
  m.name = std::move(name);
  m.metric = metric;
  m.weight = weight;
  m.target = target;
  m.lower_is_better = lower_is_better;
  m.curve = std::move(c);
  return m;
}

inline Plan make_plan(Role role, double ote, double base_share, std::vector<Measure> measures) {
  Plan p;
  p.name = std::string(role_name(role));
  p.role = role;
  p.ote = ote;
  p.base_share = base_share;
  p.measures = std::move(measures);
  return p;
}

/// Runs `fn` and checks it throws std::invalid_argument whose message contains `message`.
template <class Fn>
void expect_invalid_argument(Fn&& fn, const std::string& message) {
  try {
    fn();
    ADD_FAILURE() << "no exception; expected: " << message;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << "got: " << e.what();
  }
}

}  // namespace complab::testing
