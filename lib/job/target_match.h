// Choosing the build command (mixmaster.ini(5) Projects): the longest key the
// target starts with, or with a task T the longest key K/T whose K the target
// starts with.
#ifndef MIXMASTER_TARGET_MATCH_H_
#define MIXMASTER_TARGET_MATCH_H_

#include <string>

#include "job/config.h"

namespace mm {

struct TargetMatch {
  std::string key;      // the config key that matched
  std::string command;  // its build command
};

// Finds the command for `target` (and `task`, when not empty) in `project`.
// On no match fills `err` with the message mixmaster.ini(5) Projects gives and
// returns false.
bool MatchTarget(const Project& project, const std::string& target,
                 const std::string& task, TargetMatch* match, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_TARGET_MATCH_H_
