// `mmsetup --check` (mmsetup(1) CHECKING THE CONFIGURATION): the
// configuration as every program reads it, shown back: each `[_]` setting's
// value (secrets only as set or not), each project's keys and settings,
// every warning with the setting it resembles, and, for a branch (and
// task), the key and command each project would run.
#ifndef MIXMASTER_CONFIG_CHECK_H_
#define MIXMASTER_CONFIG_CHECK_H_

#include <string>
#include <vector>

#include "job/config.h"

namespace mm {

// What to show besides the configuration itself.
struct CheckRequest {
  std::string branch;  // empty: no branch asked about
  std::string task;
};

struct CheckReport {
  std::string text;  // what is printed, lines ending in "\n"
  // The configuration's own warnings, then the check's: a `:badge` target
  // no key serves.
  std::vector<std::string> warnings;
  // Hints that need no change: a project key spelt like a project setting
  // without its colon (it is a branch key).
  std::vector<std::string> notes;
};

CheckReport CheckConfig(const Config& config, const CheckRequest& request);

}  // namespace mm

#endif  // MIXMASTER_CONFIG_CHECK_H_
