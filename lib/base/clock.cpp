#include "base/clock.h"

namespace mm {
namespace {

class RealClock : public Clock {
 public:
  struct timespec Now() const override {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t;
  }
};

std::string Format(const struct timespec& t, const char* format) {
  struct tm tm;
  gmtime_r(&t.tv_sec, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

}  // namespace

const Clock& SystemClock() {
  static const RealClock clock;
  return clock;
}

std::string FormatIsoUtc(const struct timespec& t) {
  return Format(t, "%Y-%m-%dT%H:%M:%SZ");
}
std::string FormatIdStamp(const struct timespec& t) {
  return Format(t, "%Y%m%d-%H%M%S");
}
std::string FormatClock(const struct timespec& t) {
  return Format(t, "%H:%M:%S");
}
std::string FormatReadable(const struct timespec& t) {
  return Format(t, "%-d %b %Y %H:%M");
}

bool ParseIsoUtc(const std::string& text, time_t* t) {
  struct tm tm = {};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end != '\0' || text.size() != 20) return false;
  *t = timegm(&tm);
  return true;
}

double MonotonicSeconds() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace mm
