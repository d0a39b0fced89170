#include "base/clock.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(ClockTest, Formats) {
  struct timespec t = {1795608000, 5};  // 2026-11-25T12:00:00Z
  EXPECT_EQ(FormatIsoUtc(t), "2026-11-25T12:00:00Z");
  EXPECT_EQ(FormatIdStamp(t), "20261125-120000");
  EXPECT_EQ(FormatClock(t), "12:00:00");
}

TEST(ClockTest, MonotonicNeverGoesBack) {
  double a = MonotonicSeconds();
  double b = MonotonicSeconds();
  EXPECT_LE(a, b);
  EXPECT_GT(SystemClock().Now().tv_sec, 1700000000);
}

}  // namespace
}  // namespace mm
