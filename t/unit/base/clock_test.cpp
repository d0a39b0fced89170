#include "base/clock.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(ClockTest, Formats) {
  struct timespec t = {1795608000, 5};  // 2026-11-25T12:00:00Z
  EXPECT_EQ(FormatIsoUtc(t), "2026-11-25T12:00:00Z");
  EXPECT_EQ(FormatIdStamp(t), "20261125-120000");
  EXPECT_EQ(FormatClock(t), "12:00:00");
  EXPECT_EQ(FormatReadable(t), "25 Nov 2026 12:00");
}

TEST(ClockTest, MonotonicNeverGoesBack) {
  double a = MonotonicSeconds();
  double b = MonotonicSeconds();
  EXPECT_LE(a, b);
  EXPECT_GT(SystemClock().Now().tv_sec, 1700000000);
}

TEST(ClockTest, IsoTimesReadBack) {
  time_t t = 0;
  ASSERT_TRUE(ParseIsoUtc("2026-11-25T12:00:00Z", &t));
  EXPECT_EQ(FormatIsoUtc({t, 0}), "2026-11-25T12:00:00Z");
  EXPECT_FALSE(ParseIsoUtc("2026-11-25 12:00:00", &t));
  EXPECT_FALSE(ParseIsoUtc("2026-11-25T12:00:00Z junk", &t));
  EXPECT_FALSE(ParseIsoUtc("", &t));
}

}  // namespace
}  // namespace mm
