#include "log_retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "ini.h"
#include "job.h"
#include "paths.h"

namespace mm {
namespace {

bool IsLogName(const std::string& name) {
  return name.size() > 4 && name[0] != '.' &&
         name.compare(name.size() - 4, 4, ".log") == 0;
}

// The regular files `*.log` of the directory open as `dir`, sorted.
std::vector<std::string> LogNames(DIR* dir) {
  std::vector<std::string> names;
  while (struct dirent* d = readdir(dir)) {
    std::string name = d->d_name;
    struct stat st;
    if (!IsLogName(name) ||
        fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode))
      continue;
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

bool ReadLogFacts(const std::string& name, const std::string& text,
                  LogFacts* facts) {
  Job job;
  std::string err;
  if (!DecodeJob(text, name, &job, &err)) return false;
  facts->name = name;
  facts->target = job.target;
  // Every [log] line starts with a time, and job values are one line each:
  // a line `[result]` can only be the section.
  size_t result = text.find("\n[result]\n");
  facts->finished = result != std::string::npos;
  facts->success = false;
  IniDocument doc;
  if (facts->finished && ParseIni(text.substr(result + 1), name, &doc, &err)) {
    const IniSection* section = doc.Find("result");
    const IniEntry* status = section ? section->Find("status") : nullptr;
    facts->success = status && status->value == "success";
  }
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

bool PruneLogs(const std::string& project_dir, long keep,
               std::vector<std::string>* removed, std::string* err) {
  removed->clear();
  if (keep <= 0) return true;
  std::string jobs = JoinPath(project_dir, "JOBS");
  DIR* dir = opendir(jobs.c_str());
  if (!dir) {
    if (errno == ENOENT) return true;
    *err = "cannot read " + jobs + ": " + strerror(errno);
    return false;
  }
  std::vector<LogFacts> logs;
  for (const std::string& name : LogNames(dir)) {
    std::string text, why;
    LogFacts facts;
    if (ReadFile(JoinPath(jobs, name), &text, &why) &&
        ReadLogFacts(name, text, &facts))
      logs.push_back(facts);
  }
  bool ok = true;
  for (const std::string& name : LogsToRemove(logs, keep)) {
    if (unlinkat(dirfd(dir), name.c_str(), 0) == 0 || errno == ENOENT) {
      removed->push_back(name);
    } else if (ok) {
      *err = "cannot remove " + JoinPath(jobs, name) + ": " + strerror(errno);
      ok = false;
    }
  }
  closedir(dir);
  return ok;
}

}  // namespace mm
