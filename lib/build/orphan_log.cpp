#include "build/orphan_log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "base/fsutil.h"
#include "base/ini.h"
#include "base/paths.h"
#include "build/job_guard.h"
#include "job/build_history.h"
#include "job/build_log.h"
#include "job/claimed_job.h"
#include "job/job.h"
#include "job/job_settings.h"
#include "process/process.h"

namespace mm {
namespace {

// Seconds from `started` (as FormatIsoUtc writes it) to `now`; 0 when it
// cannot be read.
double SecondsSince(const std::string& started, const struct timespec& now) {
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char* end = strptime(started.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (!end || *end) return 0;
  double seconds = difftime(now.tv_sec, timegm(&tm));
  return seconds > 0 ? seconds : 0;
}

std::string IdOf(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return name.substr(0, name.size() - 4);  // without ".log"
}

// True when the log holds its [result] section, which is short and last:
// most logs are complete, and this spares reading them whole at every
// start of mmbuild.
bool EndsWithResult(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  return fd.ok() && LogHasResult(fd.get());
}

}  // namespace

namespace {

// The failure notifications of a build whose runner died (mmbuild(1)
// NOTIFICATIONS, COMMIT STATUSES), as the runner would have sent them.
void TellFailure(const std::string& text, const std::string& path,
                 const Config& config, BuildObserver* observer, BuildLog* log) {
  if (!observer) return;
  // The job as the runner had it: its log is <project dir>/JOBS/<id>.log.
  ClaimedJob claimed;
  Job& job = claimed.job;
  std::string why;
  if (!DecodeJob(text, path, &job, &why)) {
    log->Line(marker::kStderr, "no failure notification: " + why);
    return;
  }
  // The failure is told whether or not the job could be built now.
  JobSettings settings;
  ResolveJob(config, &job, &settings, &why);
  claimed.id = IdOf(path);
  claimed.log_path = path;
  claimed.project_dir = DirName(DirName(path));
  std::vector<std::string> env = JobEnv(claimed, job.commit);
  BuildReport report{
      BuildEvent::kFail,   job, settings, claimed.id, job.commit, path, env,
      BuildStatus::kError, -1};
  report.runner_died = true;
  observer->OnEvent(report, log);
}

}  // namespace

bool FinishOrphanLog(const std::string& path, const Config& config,
                     const Clock& clock, BuildObserver* observer,
                     std::string* err, const std::string& cause) {
  std::string text;
  pid_t pid = 0;
  std::string started;
  if (EndsWithResult(path) || !ReadFile(path, &text, err)) return false;
  if (HasResultSection(text) || !ReadBuildSection(text, &pid, &started) ||
      ProcessAlive(pid))
    return false;
  UniqueFd lock;
  if (LogLockedByRunner(path, &lock, err) || !lock.ok()) return false;
  // Read again under the lock: another mmbuild may have just finished it.
  if (!ReadFile(path, &text, err) || HasResultSection(text)) return false;

  BuildLog log;
  if (!log.Open(path, clock, err)) return false;
  const std::string noticed = (cause.empty() ? "" : " (" + cause + ")") +
                              "; noticed at " + FormatIsoUtc(clock.Now()) +
                              " by mmbuild (pid " + std::to_string(getpid()) +
                              ")";
  const std::string runner = "the runner (pid " + std::to_string(pid) + ")";
  BuildResult result;
  // A closing line written before the runner died: its notifications were
  // under way already.
  if (ClosingLineStatus(text, &result.status)) {
    log.Line(marker::kMixmaster, runner + " died after the build ended" +
                                     noticed +
                                     "; its notifications are not sent again");
  } else {
    result.status = BuildStatus::kError;
    LogClosingLine(BuildStatus::kError,
                   runner + " died before the build ended" + noticed, &log);
    TellFailure(text, path, config, observer, &log);
  }
  result.exit_code = -1;
  result.finished = clock.Now();
  result.duration_seconds = SecondsSince(started, result.finished);
  if (!log.EndBuild(result, err)) return false;
  if (!log.ok()) {
    *err = "cannot write build log " + path;
    return false;
  }
  return true;
}

void FinishOrphanLogs(const Config& config, const Clock& clock,
                      BuildObserver* observer, OrphanReport* report) {
  for (const Project& project : config.projects) {
    std::string dir =
        JoinPath(JoinPath(config.build_root, SafeName(project.name)), "JOBS");
    DIR* jobs = opendir(dir.c_str());
    if (!jobs) {
      if (errno != ENOENT)
        report->problems.push_back("cannot read " + dir + ": " +
                                   strerror(errno));
      continue;
    }
    std::vector<std::string> logs;
    while (struct dirent* d = readdir(jobs)) {
      std::string name = d->d_name;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".log") == 0)
        logs.push_back(JoinPath(dir, name));
    }
    closedir(jobs);
    std::sort(logs.begin(), logs.end());
    for (const std::string& path : logs) {
      std::string err;
      if (FinishOrphanLog(path, config, clock, observer, &err)) {
        report->finished.push_back("job " + IdOf(path) +
                                   ": its runner died; log finished as "
                                   "error: " +
                                   path);
      } else if (!err.empty()) {
        report->problems.push_back(err);
      }
    }
  }
}

}  // namespace mm
