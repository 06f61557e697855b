// The customer book: parallel arrays and live lists stay in step, churned accounts leave in
// order, and cohorts sum as worked by hand.
#include <gtest/gtest.h>

#include "complab/account_store.hpp"
#include "plan_test_util.hpp"
#include "world_test_util.hpp"

using namespace complab;

TEST(AccountStore, AddKeepsArraysAndLiveListsInStep) {
  AccountStore book(2, /*usage_priced=*/true);
  book.add(1, 5, 2, -1, 7u, 1000, 0.6, 0.1, 3, 4, -1);
  book.add(0, -1, -1, 2, 9u, 500, 0.4, 0.0, 0, 12, 6);
  ASSERT_EQ(book.size(), 2u);
  EXPECT_EQ(book.total_arr, 1500);
  EXPECT_EQ(book.arr_usage[0], 1000);  // usage-priced: ARR in the usage part
  EXPECT_EQ(book.arr_fixed[0], 0);
  EXPECT_EQ(book.live[1].account, std::vector<std::uint32_t>{0});
  EXPECT_EQ(book.live[1].renewal_month[0], 3);  // opened -1, next renewal 4 months on
  EXPECT_EQ(book.live[0].renewal_month[0], 18);
  EXPECT_EQ(book.opened[1], 6);
  book.clear();
  EXPECT_EQ(book.size(), 0u);
  EXPECT_EQ(book.total_arr, 0);
  EXPECT_TRUE(book.live[1].account.empty());
}

TEST(AccountStore, DroppingChurnedAccountsKeepsTheRestInOrder) {
  AccountStore book(1, false);
  for (std::uint32_t i = 0; i < 6; ++i) book.add(0, -1, -1, -1, 100 + i, 10 * (i + 1), 0.5, 0.0, 0, 12, -1);
  const std::uint32_t churned[] = {1, 2, 5};
  AccountStore::drop_churned(book.live[0], churned, 3);
  EXPECT_EQ(book.live[0].account, (std::vector<std::uint32_t>{0, 3, 4}));
  EXPECT_EQ(book.live[0].entity, (std::vector<std::uint32_t>{100, 103, 104}));
  EXPECT_EQ(book.live[0].arr_usage.size(), 3u);
}

TEST(AccountStore, PeriodCohortsSumAsWorkedByHand) {
  // Rep 0 (a CSM) holds accounts 0 and 1, rep 1 (their AE) both too; account 1 churns,
  // account 0 grows from 100 to 150 and expanded.
  AccountStore book(1, false);
  book.add(0, 0, 1, -1, 0u, 100, 0.5, 0.0, 0, 6, -1);
  book.add(0, 0, 1, -1, 1u, 40, 0.5, 0.0, 0, 6, -1);
  book.open_cohorts(0, 12, 2, 2);
  book.live_state_stored = false;
  book.arr_fixed[0] = 150;
  book.expanded[0] = 1;
  book.arr_fixed[1] = 0;
  book.active[1] = 0;
  book.store_live_state();
  std::int64_t slots[2][kNumRawSlots] = {};
  book.sum_period_cohorts([&](int rep) { return slots[rep]; });
  for (int rep : {0, 1}) {
    EXPECT_EQ(slots[rep][kBookStartArr], 140);
    EXPECT_EQ(slots[rep][kBookEndArr], 150);
    EXPECT_EQ(slots[rep][kBookKeptArr], 100);  // min(100, 150) + min(40, 0)
    EXPECT_EQ(slots[rep][kBookStartLogos], 2);
    EXPECT_EQ(slots[rep][kBookChurnedLogos], 1);
    EXPECT_EQ(slots[rep][kBookExpandedLogos], 1);
  }
}

TEST(AccountStore, TheCompanysArrLimitStopsTheRun) {
  AccountStore book(1, false);
  const std::int64_t big = std::int64_t{1} << 51;
  complab::testing::expect_invalid_argument(
      [&] {
        for (int i = 0; i < 40; ++i) book.add(0, -1, -1, -1, static_cast<std::uint32_t>(i), big, 0.5, 0.0, 0, 12, -1);
      },
      "total ARR passed");
}
