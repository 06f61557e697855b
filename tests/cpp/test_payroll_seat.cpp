// One seat's payroll (docs/model.md §7): its pay terms, the annual true-up, draws for
// ramping reps and the quota ratchet, period by period. Every expected number is worked
// out by hand beside it.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "complab/behaviour.hpp"
#include "complab/payroll.hpp"
#include "plan_test_util.hpp"

namespace complab {
namespace {

using testing::curve;
using testing::expect_invalid_argument;
using testing::make_plan;
using testing::measure;

constexpr double kCent = 0.005;  // pay agrees to the cent

using Raw = std::array<std::int64_t, kNumRawSlots>;
using Pay = std::array<double, kNumPayFields>;

Raw new_arr(double dollars, std::int64_t logos = 0) {
  Raw r{};
  r[kNewArr] = static_cast<std::int64_t>(dollars * 100.0);
  r[kNewLogos] = logos;
  return r;
}

/// AE, OTE 120,000, 50/50: a quarter's base 15,000 and target variable V = 15,000. New ARR,
/// target 100,000 a quarter (400,000 a year), paying M = A up to 2.
Plan quarterly_ae() {
  return make_plan(Role::AE, 120'000.0, 0.5, {measure("new_arr", Metric::NewArr, 1.0, 100'000.0)});
}

/// Pays one seat through `raws` in order; `terms` and `tenure` per period (empty: none).
std::vector<Pay> pay_seat(const Plan& plan, int period_months, const std::vector<Raw>& raws,
                          const std::vector<std::array<double, kNumTermFields>>& terms = {},
                          const std::vector<std::int16_t>& tenure = {}) {
  plan.validate();
  SeatPayroll seat(plan, period_months);
  seat.reset();
  std::vector<Pay> out(raws.size());
  for (std::size_t p = 0; p < raws.size(); ++p) {
    seat.pay_period(static_cast<int>(p), raws[p].data(), terms.empty() ? nullptr : terms[p].data(),
                    tenure.empty() ? nullptr : tenure.data() + p * static_cast<std::size_t>(period_months), nullptr,
                    out[p].data(), nullptr);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Terms

TEST(SeatTerms, ScaleVolumeTargetsAndPayButNotRatesOrSpifs) {
  // New ARR (0.75, 100,000) and NRR (0.25, 1.0); a SPIF of 500 per new logo.
  Plan plan = make_plan(Role::AE, 120'000.0, 0.5,
                        {measure("new_arr", Metric::NewArr, 0.75, 100'000.0), measure("nrr", Metric::Nrr, 0.25, 1.0)});
  plan.spifs = {Spif{Metric::NewLogos, 500.0}};
  Raw r = new_arr(40'000.0, 2);
  r[kBookStartArr] = 100'000'000;  // 1,000,000 at the start
  r[kBookEndArr] = 110'000'000;    // 1,100,000 at the end: NRR 1.1
  // quota 0.5 (target 50,000, A = 0.8), OTE 0.8 (V = 12,000, base 12,000):
  // new_arr 12,000 * 0.75 * 0.8 = 7,200; nrr 12,000 * 0.25 * 1.1 = 3,300; SPIF 2 * 500 unscaled.
  const Pay p = pay_seat(plan, 3, {r}, {{0.5, 0.8}})[0];
  EXPECT_NEAR(p[kPayBase], 12'000.0, kCent);
  EXPECT_NEAR(p[kPayVariable], 10'500.0, kCent);
  EXPECT_NEAR(p[kPaySpif], 1'000.0, kCent);
  EXPECT_NEAR(p[kPayEarnings], 23'500.0, kCent);
  // No quota (a first month at a ramp of 0): the volume measure counts as attained,
  // 15,000 * 0.75 + 15,000 * 0.25 * 1.1 = 15,375.
  EXPECT_NEAR(pay_seat(plan, 3, {r}, {{0.0, 1.0}})[0][kPayVariable], 15'375.0, kCent);
  // A vacant seat-period pays nothing, SPIFs included.
  const Pay vacant = pay_seat(plan, 3, {r}, {{0.0, 0.0}})[0];
  for (int f = 0; f < kNumPayFields; ++f) {
    EXPECT_EQ(vacant[static_cast<std::size_t>(f)], f == kPayQuotaFactor ? 1.0 : 0.0) << f;
  }
}

TEST(SeatTerms, AResponsiveRepValuesItsActualsAtItsSeatsTerms) {
  // V = 15,000 a quarter, new ARR target 100,000, M = A: one more dollar pays 0.15. At quota
  // 0.5 and OTE 0.8: 15,000 * 0.8 / 50,000 = 0.24 a dollar; NRR's pay per unit is V' w / 1.
  const Plan plan = make_plan(Role::AE, 120'000.0, 0.5,
                              {measure("new_arr", Metric::NewArr, 0.75, 100'000.0), measure("nrr", Metric::Nrr, 0.25, 1.0)});
  const double projected[] = {80'000.0, 1.0};
  const auto plain = marginal_pay(plan, projected, 3, 0.0);
  EXPECT_NEAR(plain(static_cast<int>(Metric::NewArr)), 15'000.0 * 0.75 / 100'000.0, 1e-12);
  const auto seat = marginal_pay(plan, projected, 3, 0.0, SeatTerms{0.5, 0.8});
  EXPECT_NEAR(seat(static_cast<int>(Metric::NewArr)), 12'000.0 * 0.75 / 50'000.0, 1e-12);
  EXPECT_NEAR(seat(static_cast<int>(Metric::Nrr)), 12'000.0 * 0.25, 1e-9);
  EXPECT_EQ(marginal_pay(plan, projected, 3, 0.0, SeatTerms{0.5, 0.0}).norm(), 0.0);
}

TEST(SeatTerms, UnitTermsPayExactlyAsTheUnscaledPlan) {
  const Plan plan = quarterly_ae();
  const Raw r = new_arr(123'456.78);
  const Pay plain = pay_seat(plan, 3, {r})[0];
  const Pay unit = pay_seat(plan, 3, {r}, {{1.0, 1.0}})[0];
  EXPECT_EQ(plain, unit);
  EXPECT_NEAR(plain[kPayVariable], 15'000.0 * 1.2345678, kCent);
}

TEST(SeatTerms, NegativeOrNonFiniteScalesAreRejected) {
  const Plan plan = quarterly_ae();
  expect_invalid_argument([&] { pay_seat(plan, 3, {new_arr(1.0)}, {{-1.0, 1.0}}); }, "terms: quota_scale -1");
}

TEST(SeatPayroll, IsCausalAPeriodsPayIgnoresLaterPeriods) {
  Plan plan = quarterly_ae();
  plan.true_up = true;
  plan.draw = Draw{4'000.0, 6, true};
  plan.ratchet = Ratchet{0.5, 0.5};
  std::vector<Raw> raws;
  for (int p = 0; p < 8; ++p) raws.push_back(new_arr(30'000.0 * (p % 5)));
  std::vector<std::int16_t> tenure(24);
  for (int m = 0; m < 24; ++m) tenure[static_cast<std::size_t>(m)] = static_cast<std::int16_t>(m);
  const auto whole = pay_seat(plan, 3, raws, {}, tenure);
  for (std::size_t cut = 1; cut < raws.size(); ++cut) {
    std::vector<Raw> changed = raws;
    for (std::size_t p = cut; p < raws.size(); ++p) changed[p] = new_arr(999'999.0);
    const auto part = pay_seat(plan, 3, changed, {}, tenure);
    for (std::size_t p = 0; p < cut; ++p) EXPECT_EQ(part[p], whole[p]) << "cut " << cut << " period " << p;
  }
}

TEST(SeatPayroll, EvaluatePayrollPaysEachSeatAtItsOwnTermsAndTenure) {
  // 2 trials x 2 seats x 8 quarters; each seat's terms and tenure differ, and the run's
  // pay must equal each seat paid alone.
  Plan plan = quarterly_ae();
  plan.true_up = true;
  plan.draw = Draw{4'000.0, 9, true};
  plan.ratchet = Ratchet{0.5, 0.5};
  constexpr int kT = 2, kR = 2, kP = 8, kM = 24;
  std::vector<std::int64_t> raw(std::size_t{kT} * kR * kP * kNumRawSlots, 0);
  std::vector<double> terms(std::size_t{kT} * kR * kP * kNumTermFields);
  std::vector<std::int16_t> tenure(std::size_t{kT} * kR * kM);
  for (std::size_t i = 0; i < std::size_t{kT} * kR * kP; ++i) {
    raw[i * kNumRawSlots + kNewArr] = static_cast<std::int64_t>((i * 7919) % 23) * 1'000'000;
    terms[i * kNumTermFields + kTermQuotaScale] = 0.25 + 0.125 * static_cast<double>(i % 7);
    terms[i * kNumTermFields + kTermOteScale] = 0.5 + 0.1 * static_cast<double>(i % 5);
  }
  for (std::size_t s = 0; s < std::size_t{kT} * kR; ++s) {
    for (int m = 0; m < kM; ++m) {
      const int start = static_cast<int>(s) * 5;  // seat s's rep starts in month 5 s
      tenure[s * kM + static_cast<std::size_t>(m)] = static_cast<std::int16_t>(m < start ? kVacant : m - start);
    }
  }
  PayrollInput in;
  in.trials = kT;
  in.reps = kR;
  in.periods = kP;
  in.period_months = 3;
  in.months = kM;
  in.rep_raw = raw.data();
  in.rep_terms = terms.data();
  in.rep_tenure = tenure.data();
  in.rep_plan = {0, 0};
  std::vector<double> pay(std::size_t{kT} * kR * kP * kNumPayFields);
  PayrollOutput out{0, nullptr, pay.data()};
  evaluate_payroll({plan}, in, out, 0, kT);
  for (std::size_t s = 0; s < std::size_t{kT} * kR; ++s) {
    std::vector<Raw> raws(kP);
    std::vector<std::array<double, kNumTermFields>> seat_terms(kP);
    for (std::size_t p = 0; p < kP; ++p) {
      std::copy_n(&raw[(s * kP + p) * kNumRawSlots], kNumRawSlots, raws[p].begin());
      std::copy_n(&terms[(s * kP + p) * kNumTermFields], kNumTermFields, seat_terms[p].begin());
    }
    const auto alone = pay_seat(plan, 3, raws, seat_terms,
                                std::vector<std::int16_t>(tenure.begin() + static_cast<std::ptrdiff_t>(s * kM),
                                                          tenure.begin() + static_cast<std::ptrdiff_t>((s + 1) * kM)));
    for (std::size_t p = 0; p < kP; ++p) {
      for (std::size_t f = 0; f < kNumPayFields; ++f) {
        EXPECT_EQ(pay[(s * kP + p) * kNumPayFields + f], alone[p][f]) << "seat " << s << " period " << p << " field " << f;
      }
    }
  }
  // A vacant seat-period (ote scale 0 from the engine) pays nothing.
  terms[kTermOteScale] = 0.0;
  evaluate_payroll({plan}, in, out, 0, kT);
  EXPECT_EQ(pay[kPayEarnings], 0.0);
}

// ---------------------------------------------------------------------------------------
// True-up

/// Curve with an accelerator: M = A to 100%, then 2 more per unit, to 3 at 200%.
Plan accelerated_ae() {
  return make_plan(Role::AE, 120'000.0, 0.5,
                   {measure("new_arr", Metric::NewArr, 1.0, 100'000.0, curve({0.0, 1.0, 2.0}, {0.0, 1.0, 3.0}))});
}

TEST(TrueUp, TheYearsLastQuarterPaysTheAnnualPlanLessTheAdvances) {
  Plan plan = accelerated_ae();
  const std::vector<Raw> year = {new_arr(50'000.0), new_arr(150'000.0), new_arr(100'000.0), new_arr(100'000.0)};
  // Quarterly: A = 0.5, 1.5, 1, 1 pay 7,500, 30,000, 15,000, 15,000: 67,500.
  const auto plain = pay_seat(plan, 3, year);
  EXPECT_NEAR(plain[3][kPayVariable], 15'000.0, kCent);
  plan.true_up = true;
  // Annual: 400,000 of 400,000, A = 1, pays V = 60,000; advanced 52,500, so Q4 pays 7,500.
  const auto trued = pay_seat(plan, 3, year);
  EXPECT_NEAR(trued[0][kPayVariable], 7'500.0, kCent);
  EXPECT_NEAR(trued[1][kPayVariable], 30'000.0, kCent);
  EXPECT_NEAR(trued[2][kPayVariable], 15'000.0, kCent);
  EXPECT_NEAR(trued[3][kPayVariable], 7'500.0, kCent);
  EXPECT_EQ(trued[3][kPayTrueUpRecovery], 0.0);
  EXPECT_NEAR(trued[3][kPayEarnings], 15'000.0 + 7'500.0, kCent);
}

TEST(TrueUp, AdvancesAboveTheAnnualPlanAreRecovered) {
  Plan plan = accelerated_ae();
  plan.true_up = true;
  // Quarters at A = 2, 2, 0, 0 advance 45,000 twice; the year's A = 1 pays 60,000, so the
  // last quarter recovers 30,000.
  const auto pay = pay_seat(plan, 3, {new_arr(200'000.0), new_arr(200'000.0), new_arr(0.0), new_arr(0.0)});
  EXPECT_NEAR(pay[0][kPayVariable], 45'000.0, kCent);
  EXPECT_EQ(pay[3][kPayVariable], 0.0);
  EXPECT_NEAR(pay[3][kPayTrueUpRecovery], 30'000.0, kCent);
  EXPECT_NEAR(pay[3][kPayEarnings], 15'000.0 - 30'000.0, kCent);
}

TEST(TrueUp, UsesTheYearsMeanQuotaAndOteScales) {
  Plan plan = accelerated_ae();
  plan.true_up = true;
  // Quota scales 1, 1, 0.5, 0.5 (mean 0.75: annual target 300,000); OTE scales 1, 1, 1, 0.5
  // (mean 0.875). Quarters: A = 0.5, 1.5, 1 pay 7,500, 30,000, 15,000 (52,500). Year: 300,000
  // of 300,000, A = 1: 60,000 * 0.875 = 52,500, so Q4 pays 0 (its own evaluation: 7,500).
  const auto pay = pay_seat(plan, 3, {new_arr(50'000.0), new_arr(150'000.0), new_arr(50'000.0), new_arr(50'000.0)},
                            {{1.0, 1.0}, {1.0, 1.0}, {0.5, 1.0}, {0.5, 0.5}});
  EXPECT_NEAR(pay[2][kPayVariable], 15'000.0, kCent);
  EXPECT_NEAR(pay[3][kPayVariable], 0.0, kCent);
  EXPECT_NEAR(pay[3][kPayBase], 7'500.0, kCent);
  // The second year starts afresh.
  Plan two = plan;
  const auto pay2 = pay_seat(two, 3, {new_arr(100'000.0), new_arr(100'000.0), new_arr(100'000.0), new_arr(100'000.0),
                                      new_arr(100'000.0), new_arr(100'000.0), new_arr(100'000.0), new_arr(200'000.0)});
  // Year 2: 500,000 of 400,000, A = 1.25: M = 1.5, 90,000; advanced 45,000: Q4 pays 45,000.
  EXPECT_NEAR(pay2[7][kPayVariable], 45'000.0, kCent);
}

TEST(TrueUp, AYearEndingVacantStaysAsAdvanced) {
  Plan plan = accelerated_ae();
  plan.true_up = true;
  // The rep leaves after Q3: Q4 is vacant (OTE scale 0) and pays nothing, true-up included.
  const auto pay = pay_seat(plan, 3, {new_arr(200'000.0), new_arr(200'000.0), new_arr(0.0), new_arr(0.0)},
                            {{1.0, 1.0}, {1.0, 1.0}, {1.0, 1.0}, {0.0, 0.0}});
  for (int f = 0; f < kNumPayFields; ++f) {
    EXPECT_EQ(pay[3][static_cast<std::size_t>(f)], f == kPayQuotaFactor ? 1.0 : 0.0) << f;
  }
}

/// A year's tenure: the first rep (long tenured) until `leaves`, vacant, a new rep from `joins`.
std::vector<std::int16_t> backfill(int leaves, int joins, int months = 12) {
  std::vector<std::int16_t> t(static_cast<std::size_t>(months));
  for (int m = 0; m < months; ++m) {
    t[static_cast<std::size_t>(m)] =
        static_cast<std::int16_t>(m < leaves ? 30 + m : m < joins ? kVacant : m - joins);
  }
  return t;
}

TEST(TrueUp, ABackfillIsNotPaidThePreviousRepsYear) {
  Plan plan = accelerated_ae();
  plan.true_up = true;
  // The first rep works Q1 (400,000: A = 4, M = 3, 45,000) and Q2 (100,000: 15,000) and
  // leaves; Q3 is vacant; a new rep joins in month 9 and books nothing in Q4. Its part of
  // the year is Q4 alone: the plan for one quarter on 0 pays 0, and nothing was advanced.
  // (Settling the seat's year would pay it 300,000 target at the mean quota 0.75, A = 5/3,
  // M = 7/3 of V = 45,000: 105,000 less the first rep's 60,000 = 45,000.)
  const std::vector<std::array<double, kNumTermFields>> terms = {{1.0, 1.0}, {1.0, 1.0}, {0.0, 0.0}, {1.0, 1.0}};
  const auto pay = pay_seat(plan, 3, {new_arr(400'000.0), new_arr(100'000.0), new_arr(0.0), new_arr(0.0)}, terms,
                            backfill(6, 9));
  EXPECT_NEAR(pay[0][kPayVariable], 45'000.0, kCent);
  EXPECT_NEAR(pay[1][kPayVariable], 15'000.0, kCent);
  EXPECT_EQ(pay[3][kPayVariable], 0.0);
  EXPECT_EQ(pay[3][kPayTrueUpRecovery], 0.0);
  EXPECT_NEAR(pay[3][kPayEarnings], 15'000.0, kCent);
}

TEST(TrueUp, ABackfillIsNotChargedThePreviousRepsOverAdvance) {
  Plan plan = accelerated_ae();
  plan.true_up = true;
  plan.draw = Draw{4'000.0, 6, true};
  // The first rep advances 45,000 in Q1 (200,000: A = 2, M = 3) and 0 in Q2, and leaves; the
  // new rep joins in month 9 and books nothing: its Q4 pays 0 variable, recovers nothing,
  // and its three draw months top it up by 12,000, its balance. (Settling the seat's year,
  // 200,000 of 300,000 pays 30,000, would recover the first rep's 15,000 over-advance from
  // it and the draw would top that up too: top-up 27,000, balance 27,000.)
  const std::vector<std::array<double, kNumTermFields>> terms = {{1.0, 1.0}, {1.0, 1.0}, {0.0, 0.0}, {1.0, 1.0}};
  const auto pay =
      pay_seat(plan, 3, {new_arr(200'000.0), new_arr(0.0), new_arr(0.0), new_arr(0.0)}, terms, backfill(6, 9));
  EXPECT_NEAR(pay[0][kPayVariable], 45'000.0, kCent);
  EXPECT_EQ(pay[3][kPayVariable], 0.0);
  EXPECT_EQ(pay[3][kPayTrueUpRecovery], 0.0);
  EXPECT_NEAR(pay[3][kPayDrawTopUp], 12'000.0, kCent);
  EXPECT_NEAR(pay[3][kPayDrawBalance], 12'000.0, kCent);
  EXPECT_NEAR(pay[3][kPayEarnings], 27'000.0, kCent);
}

TEST(TrueUp, ARepJoiningMidYearIsSettledOnItsOwnPeriods) {
  Plan plan = accelerated_ae();
  plan.true_up = true;
  // The first rep works Q1 and Q2 (200,000 each: 45,000 each) and leaves; months 6 and 7 are
  // vacant; a new rep joins in month 8 (Q3 at quota and OTE scales 0.5: target 50,000, V
  // 7,500) and books 100,000 in Q3 (A = 2, M = 3: 22,500) and 0 in Q4. Its part is Q3 and
  // Q4: 100,000 of 2 x 100,000 x 0.75 = 150,000 (A = 2/3), V = 2 x 15,000 x 0.75 = 22,500, so
  // 15,000, less the 22,500 Q3 advanced: Q4 recovers 7,500. (The seat's year: 500,000 of
  // 350,000 pays 97,500 against 112,500 advanced: 15,000.)
  const std::vector<std::array<double, kNumTermFields>> terms = {{1.0, 1.0}, {1.0, 1.0}, {0.5, 0.5}, {1.0, 1.0}};
  const auto pay = pay_seat(plan, 3, {new_arr(200'000.0), new_arr(200'000.0), new_arr(100'000.0), new_arr(0.0)},
                            terms, backfill(6, 8));
  EXPECT_NEAR(pay[2][kPayVariable], 22'500.0, kCent);
  EXPECT_EQ(pay[3][kPayVariable], 0.0);
  EXPECT_NEAR(pay[3][kPayTrueUpRecovery], 7'500.0, kCent);
  EXPECT_NEAR(pay[3][kPayEarnings], 15'000.0 - 7'500.0, kCent);
}

TEST(TrueUp, ARepLeavingInTheYearsLastPeriodKeepsItsAdvances) {
  Plan plan = accelerated_ae();
  plan.true_up = true;
  // The rep advances 45,000 in Q1 and Q2 and leaves after month 9: no one holds the seat at
  // the year's end, so Q4 pays its own evaluation (0 new ARR: 0 variable, base 15,000 / 3)
  // and recovers nothing. (Settling would recover 20,000: 400,000 of 333,333, A = 1.2,
  // M = 1.4 of V = 50,000 is 70,000 against 90,000 advanced.)
  const std::vector<std::array<double, kNumTermFields>> terms = {
      {1.0, 1.0}, {1.0, 1.0}, {1.0, 1.0}, {1.0 / 3.0, 1.0 / 3.0}};
  const auto pay = pay_seat(plan, 3, {new_arr(200'000.0), new_arr(200'000.0), new_arr(0.0), new_arr(0.0)}, terms,
                            backfill(10, 12));
  EXPECT_EQ(pay[3][kPayVariable], 0.0);
  EXPECT_EQ(pay[3][kPayTrueUpRecovery], 0.0);
  EXPECT_NEAR(pay[3][kPayEarnings], 5'000.0, kCent);
}

// ---------------------------------------------------------------------------------------
// Draws

/// Tenure from `start` in month 0, one month a month.
std::vector<std::int16_t> tenure_from(int start, int months) {
  std::vector<std::int16_t> t(static_cast<std::size_t>(months));
  for (int m = 0; m < months; ++m) t[static_cast<std::size_t>(m)] = static_cast<std::int16_t>(start + m);
  return t;
}

TEST(Draw, RecoverableTopUpsAreRepaidFromPayAboveTheDraw) {
  Plan plan = quarterly_ae();
  plan.draw = Draw{4'000.0, 6, true};  // 12,000 a quarter in the first two quarters
  const auto pay = pay_seat(plan, 3, {new_arr(20'000.0), new_arr(100'000.0), new_arr(150'000.0)}, {},
                            tenure_from(0, 9));
  // Q1: variable 3,000 topped up by 9,000; balance 9,000.
  EXPECT_NEAR(pay[0][kPayVariable], 3'000.0, kCent);
  EXPECT_NEAR(pay[0][kPayDrawTopUp], 9'000.0, kCent);
  EXPECT_NEAR(pay[0][kPayDrawBalance], 9'000.0, kCent);
  EXPECT_NEAR(pay[0][kPayEarnings], 27'000.0, kCent);
  // Q2: variable 15,000 is 3,000 above the draw: recovers 3,000, balance 6,000.
  EXPECT_EQ(pay[1][kPayDrawTopUp], 0.0);
  EXPECT_NEAR(pay[1][kPayDrawRecovered], 3'000.0, kCent);
  EXPECT_NEAR(pay[1][kPayDrawBalance], 6'000.0, kCent);
  EXPECT_NEAR(pay[1][kPayEarnings], 27'000.0, kCent);
  // Q3: no draw; variable 22,500 repays the last 6,000.
  EXPECT_NEAR(pay[2][kPayDrawRecovered], 6'000.0, kCent);
  EXPECT_NEAR(pay[2][kPayDrawBalance], 0.0, kCent);
  EXPECT_NEAR(pay[2][kPayEarnings], 31'500.0, kCent);
}

TEST(Draw, NonRecoverableTopUpsAreKept) {
  Plan plan = quarterly_ae();
  plan.draw = Draw{4'000.0, 6, false};
  const auto pay = pay_seat(plan, 3, {new_arr(20'000.0), new_arr(100'000.0)}, {}, tenure_from(0, 6));
  EXPECT_NEAR(pay[0][kPayDrawTopUp], 9'000.0, kCent);
  EXPECT_EQ(pay[1][kPayDrawRecovered], 0.0);
  EXPECT_EQ(pay[1][kPayDrawBalance], 0.0);
  EXPECT_NEAR(pay[1][kPayEarnings], 30'000.0, kCent);
}

TEST(Draw, CountsTheMonthsInTheFirstMonthsOfTenureAndIsForgivenWhenTheRepChanges) {
  Plan plan = quarterly_ae();
  plan.draw = Draw{4'000.0, 6, true};
  // A rep starts in month 2 (one draw month in Q1: 4,000 due, variable 0: top-up 4,000),
  // works Q2 (12,000 due, variable 3,000: top-up 9,000, balance 13,000), and a new rep takes
  // the seat in month 7: the balance is forgiven; the old rep's month 4 and the new rep's
  // months 0 and 1 are 12,000 due, below Q3's variable 22,500, and nothing is recovered.
  const std::vector<std::int16_t> tenure = {kVacant, kVacant, 0, 1, 2, 3, 4, 0, 1};
  const auto pay = pay_seat(plan, 3, {new_arr(0.0), new_arr(20'000.0), new_arr(150'000.0)}, {}, tenure);
  EXPECT_NEAR(pay[0][kPayDrawTopUp], 4'000.0, kCent);
  EXPECT_NEAR(pay[1][kPayDrawTopUp], 9'000.0, kCent);
  EXPECT_NEAR(pay[1][kPayDrawBalance], 13'000.0, kCent);
  EXPECT_EQ(pay[2][kPayDrawTopUp], 0.0);
  EXPECT_EQ(pay[2][kPayDrawRecovered], 0.0);
  EXPECT_EQ(pay[2][kPayDrawBalance], 0.0);
  EXPECT_NEAR(pay[2][kPayEarnings], 15'000.0 + 22'500.0, kCent);
}

TEST(Draw, ALeaversBalanceIsForgivenInThePeriodItLeaves) {
  Plan plan = quarterly_ae();
  plan.draw = Draw{4'000.0, 6, true};
  // Q1: top-up 9,000 (balance 9,000). The rep leaves after month 3, Q2's first month: one
  // draw month, 4,000 due against variable 3,000 tops up 1,000, and the seat ends Q2
  // vacant: the 10,000 it still owed is forgiven, not reported as owed.
  const std::vector<std::int16_t> tenure = {0, 1, 2, 3, kVacant, kVacant};
  const auto pay = pay_seat(plan, 3, {new_arr(20'000.0), new_arr(20'000.0)}, {}, tenure);
  EXPECT_NEAR(pay[0][kPayDrawBalance], 9'000.0, kCent);
  EXPECT_NEAR(pay[1][kPayDrawTopUp], 1'000.0, kCent);
  EXPECT_EQ(pay[1][kPayDrawBalance], 0.0);
}

TEST(Draw, LongTenuredRepsGetNone) {
  Plan plan = quarterly_ae();
  plan.draw = Draw{4'000.0, 6, true};
  const auto pay = pay_seat(plan, 3, {new_arr(0.0)});  // no tenure: long-tenured
  EXPECT_EQ(pay[0][kPayDrawTopUp], 0.0);
  EXPECT_NEAR(pay[0][kPayEarnings], 15'000.0, kCent);
}

// ---------------------------------------------------------------------------------------
// Ratchet

/// AE paid annually: V = 60,000, new ARR target 400,000 a year, M = A up to 2.
Plan annual_ae() {
  return make_plan(Role::AE, 120'000.0, 0.5, {measure("new_arr", Metric::NewArr, 1.0, 400'000.0)});
}

TEST(Ratchet, MovesTheSeatsQuotaByTheYearsAttainment) {
  Plan plan = annual_ae();
  plan.ratchet = Ratchet{0.5, 0.25};
  const std::vector<Raw> years = {new_arr(600'000.0), new_arr(500'000.0), new_arr(250'000.0), new_arr(437'500.0)};
  const auto pay = pay_seat(plan, 12, years, {}, tenure_from(120, 48));
  // Year 1: A = 1.5 pays 90,000; f = 1 + 0.5 * 0.5 = 1.25.
  EXPECT_NEAR(pay[0][kPayVariable], 90'000.0, kCent);
  // Year 2: target 500,000, A = 1 pays 60,000; f stays 1.25.
  EXPECT_NEAR(pay[1][kPayVariable], 60'000.0, kCent);
  // Year 3: A = 0.5 pays 30,000; f = 1.25 (1 - 0.25 * 0.5) = 1.09375.
  EXPECT_NEAR(pay[2][kPayVariable], 30'000.0, kCent);
  // Year 4: target 437,500, A = 1.
  EXPECT_NEAR(pay[3][kPayVariable], 60'000.0, kCent);
  // Each year records the factor it was paid at.
  EXPECT_EQ(pay[0][kPayQuotaFactor], 1.0);
  EXPECT_EQ(pay[1][kPayQuotaFactor], 1.25);
  EXPECT_EQ(pay[2][kPayQuotaFactor], 1.25);
  EXPECT_DOUBLE_EQ(pay[3][kPayQuotaFactor], 1.09375);
  // Without the ratchet year 4 would be A = 1.09375.
  EXPECT_NEAR(pay_seat(annual_ae(), 12, years)[3][kPayVariable], 65'625.0, kCent);
}

TEST(Ratchet, ANewRepStartsAtThePlansQuota) {
  Plan plan = annual_ae();
  plan.ratchet = Ratchet{0.5, 0.25};
  std::vector<std::int16_t> tenure = tenure_from(120, 24);
  for (int m = 12; m < 24; ++m) tenure[static_cast<std::size_t>(m)] = static_cast<std::int16_t>(m - 12);
  // Year 1 at A = 1.5 would ratchet to 1.25, but a new rep starts year 2: target 400,000.
  const auto pay = pay_seat(plan, 12, {new_arr(600'000.0), new_arr(500'000.0)}, {}, tenure);
  EXPECT_NEAR(pay[1][kPayVariable], 75'000.0, kCent);
}

TEST(Ratchet, ARepHiredInTheYearsFirstMonthHoldsTheYear) {
  Plan plan = annual_ae();
  plan.ratchet = Ratchet{0.5, 0.25};
  // A new rep from month 12 holds all of year 2: 500,000 of 400,000 (A = 1.25) pays 75,000
  // and ratchets f = 1 + 0.5 x 0.25 = 1.125, so year 3's 500,000 is A = 500,000 / 450,000
  // and pays 60,000 x 10 / 9 = 66,666.67 (at f = 1: 75,000).
  std::vector<std::int16_t> tenure = tenure_from(120, 36);
  for (int m = 12; m < 36; ++m) tenure[static_cast<std::size_t>(m)] = static_cast<std::int16_t>(m - 12);
  const auto pay = pay_seat(plan, 12, {new_arr(600'000.0), new_arr(500'000.0), new_arr(500'000.0)}, {}, tenure);
  EXPECT_NEAR(pay[1][kPayVariable], 75'000.0, kCent);
  EXPECT_NEAR(pay[2][kPayVariable], 200'000.0 / 3.0, kCent);
  // Quarterly, after a vacant year 1: the rep joining in month 12 books 150,000 a quarter in
  // year 2 (A = 1.5, f = 1 + 1 x 0.5 = 1.5), so year 3's first quarter has target 150,000
  // and 150,000 pays 15,000 (at f = 1: 22,500).
  Plan quarterly = quarterly_ae();
  quarterly.ratchet = Ratchet{1.0, 0.0};
  std::vector<std::int16_t> joins(27, kVacant);
  for (int m = 12; m < 27; ++m) joins[static_cast<std::size_t>(m)] = static_cast<std::int16_t>(m - 12);
  std::vector<std::array<double, kNumTermFields>> terms(9, {1.0, 1.0});
  for (int p = 0; p < 4; ++p) terms[static_cast<std::size_t>(p)] = {0.0, 0.0};
  const auto q = pay_seat(quarterly, 3, std::vector<Raw>(9, new_arr(150'000.0)), terms, joins);
  EXPECT_NEAR(q[7][kPayVariable], 22'500.0, kCent);
  EXPECT_NEAR(q[8][kPayVariable], 15'000.0, kCent);
}

TEST(Ratchet, QuarterlyPlansRatchetOnTheYearsAttainment) {
  Plan plan = quarterly_ae();
  plan.ratchet = Ratchet{1.0, 0.0};
  // Year 1: 600,000 of 400,000, A = 1.5: f = 1.5, so year 2's quarters have target 150,000.
  std::vector<Raw> raws(4, new_arr(150'000.0));
  raws.push_back(new_arr(150'000.0));
  const auto pay = pay_seat(plan, 3, raws);
  EXPECT_NEAR(pay[3][kPayVariable], 22'500.0, kCent);
  EXPECT_NEAR(pay[4][kPayVariable], 15'000.0, kCent);
}

TEST(PlanExtensions, AreValidatedWithTheFieldTheValueAndWhatIsAllowed) {
  Plan plan = quarterly_ae();
  plan.ratchet = Ratchet{1.5, 0.0};
  expect_invalid_argument([&] { plan.validate(); }, "ratchet.up: 1.5 is not in [0, 1]");
  plan.ratchet = Ratchet{0.5, -0.1};
  expect_invalid_argument([&] { plan.validate(); }, "ratchet.down: -0.1 is not in [0, 1]");
  Plan rate = make_plan(Role::AE, 120'000.0, 0.5, {measure("nrr", Metric::Nrr, 1.0, 1.0)});
  rate.ratchet = Ratchet{0.5, 0.5};
  expect_invalid_argument([&] { rate.validate(); }, "ratchet: the first measure's metric 'nrr' is a rate");
  plan.ratchet.reset();
  plan.draw = Draw{-5.0, 3, true};
  expect_invalid_argument([&] { plan.validate(); }, "draw.amount: -5 is not a finite number >= 0");
  plan.draw = Draw{5.0, -3, true};
  expect_invalid_argument([&] { plan.validate(); }, "draw.months: -3 is not in 0..120");
}

}  // namespace
}  // namespace complab
