#include "job/target_match.h"

#include <utility>
#include <vector>

#include "base/text.h"

namespace mm {
namespace {

using KeyedValues = std::vector<std::pair<std::string, std::string>>;

// The entry of `keyed` whose key matches `target` (and `task`) by the rule
// of mixmaster.ini(5) Projects, or null. Both sides are compared as full
// refs: a branch key (`re`, refs/heads/re) can then never match a tag
// (refs/tags/...), nor a tag key a branch, whatever the branch is called.
const std::pair<std::string, std::string>* LongestKeyMatch(
    const KeyedValues& keyed, const std::string& target,
    const std::string& task) {
  const std::string ref = FullRef(target);
  const std::pair<std::string, std::string>* best = nullptr;
  size_t best_len = 0;
  std::string suffix = "/" + task;
  for (const auto& kv : keyed) {
    std::string prefix = kv.first;
    if (!task.empty()) {
      if (prefix.size() < suffix.size() ||
          prefix.compare(prefix.size() - suffix.size(), suffix.size(),
                         suffix) != 0)
        continue;
      prefix.resize(prefix.size() - suffix.size());
    }
    prefix = FullRef(prefix);
    if (!StartsWith(ref, prefix)) continue;
    if (!best || prefix.size() > best_len) {
      best = &kv;
      best_len = prefix.size();
    }
  }
  return best;
}

}  // namespace

std::string FullRef(const std::string& name) {
  return StartsWith(name, "refs/") ? name : "refs/heads/" + name;
}

bool MatchTarget(const Project& project, const std::string& target,
                 const std::string& task, TargetMatch* match,
                 std::string* err) {
  const auto* best = LongestKeyMatch(project.targets, target, task);
  if (!best) {
    *err = task.empty()
               ? "no build configured for " + target
               : "no build configured for task " + task + " on " + target;
    return false;
  }
  match->key = best->first;
  match->command = best->second;
  return true;
}

std::string ProjectSettingValue(const Config& config, const Project& project,
                                const std::string& name,
                                const std::string& target,
                                const std::string& task) {
  KeyedValues per_branch;
  const ProjectSetting* whole = nullptr;
  for (const ProjectSetting& s : project.settings) {
    if (s.name != name) continue;
    if (s.branch_key.empty())
      whole = &s;
    else
      per_branch.emplace_back(s.branch_key, s.value);
  }
  if (const auto* best = LongestKeyMatch(per_branch, target, task))
    return best->second;
  if (whole) return whole->value;
  return GlobalSettingText(config, name);
}

std::string BadgeTarget(const Project& project) {
  for (const ProjectSetting& s : project.settings)
    if (s.name == "badge") return s.value;
  return project.targets.empty() ? "" : project.targets[0].first;
}

}  // namespace mm
