#include "job/target_match.h"

namespace mm {

bool MatchTarget(const Project& project, const std::string& target,
                 const std::string& task, TargetMatch* match,
                 std::string* err) {
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
    if (target.compare(0, prefix.size(), prefix) != 0) continue;
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
