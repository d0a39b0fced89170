// Time, behind an interface so tests can fix it.
#ifndef MIXMASTER_CLOCK_H_
#define MIXMASTER_CLOCK_H_

#include <time.h>

#include <string>

namespace mm {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (CLOCK_REALTIME).
  virtual struct timespec Now() const = 0;
};

// The system clock.
const Clock& SystemClock();

// 2026-11-25T12:00:00Z
std::string FormatIsoUtc(const struct timespec& t);
// 20261125-120000
std::string FormatIdStamp(const struct timespec& t);
// 12:00:00 (UTC, like every other time Mixmaster writes)
std::string FormatClock(const struct timespec& t);
// 25 Nov 2026 12:00 (UTC): a time for people, beside its ISO form.
std::string FormatReadable(const struct timespec& t);

// Reads FormatIsoUtc's form back; false for any other text.
bool ParseIsoUtc(const std::string& text, time_t* t);

// Seconds on CLOCK_MONOTONIC, for deadlines and durations.
double MonotonicSeconds();

}  // namespace mm

#endif  // MIXMASTER_CLOCK_H_
