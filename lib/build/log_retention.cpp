#include "build/log_retention.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "base/paths.h"

namespace mm {

bool ReadLogFacts(const BuildSummary& summary, LogFacts* facts) {
  if (summary.project.empty() || summary.target.empty()) return false;
  facts->name = summary.id + ".log";
  facts->target = summary.target;
  facts->finished = summary.complete();
  facts->success = summary.status == "success";
  return true;
}

std::vector<std::string> LogsToRemove(std::vector<LogFacts> logs, long keep) {
  std::vector<std::string> remove;
  if (keep <= 0) return remove;
  // Only finished logs count: a running build's log is never removed and
  // does not take the place of one that is kept.
  logs.erase(std::remove_if(logs.begin(), logs.end(),
                            [](const LogFacts& log) { return !log.finished; }),
             logs.end());
  std::sort(logs.begin(), logs.end(), [](const LogFacts& a, const LogFacts& b) {
    return a.name < b.name;
  });
  std::map<std::string, std::string> last_success;  // target -> name
  for (const LogFacts& log : logs)
    if (log.success) last_success[log.target] = log.name;
  size_t older = logs.size() > static_cast<size_t>(keep)
                     ? logs.size() - static_cast<size_t>(keep)
                     : 0;
  for (size_t i = 0; i < older; ++i) {
    auto kept = last_success.find(logs[i].target);
    if (kept != last_success.end() && kept->second == logs[i].name) continue;
    remove.push_back(logs[i].name);
  }
  return remove;
}

bool PruneLogs(const std::string& build_root, const std::string& dir, long keep,
               std::vector<std::string>* removed, std::string* err) {
  removed->clear();
  if (keep <= 0) return true;
  const std::string jobs = JoinPath(JoinPath(build_root, dir), "JOBS");
  BuildHistory history;
  std::vector<std::string> ids;
  bool missing = false;
  if (!history.Open(build_root, err)) return false;
  if (!history.ListJobs(dir, &ids, &missing, err)) {
    // No JOBS/ yet: nothing to prune. One that is there but cannot be
    // opened is a problem to tell.
    if (missing && access(jobs.c_str(), F_OK) != 0 && errno == ENOENT)
      return true;
    *err = missing ? "cannot read " + jobs : jobs + ": " + *err;
    return false;
  }
  // Symlinks and other files that are not regular are not read (OpenLog):
  // like logs that are not jobs, they stay.
  std::vector<LogFacts> logs;
  for (const std::string& id : ids) {
    BuildSummary summary;
    LogFacts facts;
    if (history.ReadSummary(dir, id, &summary) && ReadLogFacts(summary, &facts))
      logs.push_back(facts);
  }
  bool ok = true;
  for (const std::string& name : LogsToRemove(logs, keep)) {
    std::string path = JoinPath(jobs, name);
    if (unlink(path.c_str()) == 0 || errno == ENOENT) {
      removed->push_back(name);
    } else if (ok) {
      *err = "cannot remove " + path + ": " + strerror(errno);
      ok = false;
    }
  }
  return ok;
}

}  // namespace mm
