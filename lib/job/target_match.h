// Choosing the build command (mixmaster.ini(5) Projects): the longest key the
// target starts with, or with a task T the longest key K/T whose K the target
// starts with; target and key compared as full refs, so that branch keys
// match branches only and keys under refs/tags/ tags only. Project settings
// that differ per branch (`:name:<key>`) are chosen by the same rule.
#ifndef MIXMASTER_TARGET_MATCH_H_
#define MIXMASTER_TARGET_MATCH_H_

#include <string>

#include "job/config.h"

namespace mm {

struct TargetMatch {
  std::string key;      // the config key that matched
  std::string command;  // its build command
};

// The full ref a target or key names: one starting with refs/ as it is, any
// other the branch of that name (main: refs/heads/main).
std::string FullRef(const std::string& name);

// Finds the command for `target` (and `task`, when not empty) in `project`.
// On no match fills `err` with the message mixmaster.ini(5) Projects gives and
// returns false.
bool MatchTarget(const Project& project, const std::string& target,
                 const std::string& task, TargetMatch* match, std::string* err);

// The value of project setting `name` (without the colon) for a build of
// `target` (and `task`) in `project`: the `:name:<key>` whose key matches
// as a branch key would, else `:name`, else the `[_]` setting of the same
// name, else "". See mixmaster.ini(5) Project settings.
std::string ProjectSettingValue(const Config& config, const Project& project,
                                const std::string& name,
                                const std::string& target,
                                const std::string& task);

// The target whose last build is the project's badge (mmbridge(1) WEB
// VIEW): the project setting `:badge`, else the first key of its section
// taken as a target name; "" for a project without keys.
std::string BadgeTarget(const Project& project);

}  // namespace mm

#endif  // MIXMASTER_TARGET_MATCH_H_
