#include "job/target_match.h"

namespace mm {
namespace {

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

std::string FullRef(const std::string& name) {
  return StartsWith(name, "refs/") ? name : "refs/heads/" + name;
}

bool MatchTarget(const Project& project, const std::string& target,
                 const std::string& task, TargetMatch* match,
                 std::string* err) {
  // Both sides as full refs: a branch key (`re`, refs/heads/re) can then
  // never match a tag (refs/tags/...), nor a tag key a branch, whatever
  // the branch is called.
  const std::string ref = FullRef(target);
  const std::pair<std::string, std::string>* best = nullptr;
  size_t best_len = 0;
  std::string suffix = "/" + task;
  for (const auto& kv : project.targets) {
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

}  // namespace mm
