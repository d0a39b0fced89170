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
#include "build/launcher.h"
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

// The log at `path` as far as its sections go (ReadLogEnds): through
// OpenRegularFile, so that a FIFO, a symlink, a device or a directory named
// *.log is passed over with `err` saying why, and a log of any size is read
// in constant memory.
bool ReadLog(const std::string& path, std::string* text, std::string* err) {
  UniqueFd fd = OpenRegularFile(path, err);
  return fd.ok() && ReadLogEnds(fd.get(), kLogEndBytes, text, err);
}

}  // namespace

namespace {

// The job of the log at `path` as its runner had it (the log is
// <project dir>/JOBS/<id>.log), resolved whether or not it could be built
// now.
bool ClaimedFromLog(const std::string& text, const std::string& path,
                    const Config& config, ClaimedJob* claimed,
                    JobSettings* settings, std::string* err) {
  if (!DecodeJob(text, path, &claimed->job, err)) return false;
  std::string ignored;
  ResolveJob(config, &claimed->job, settings, &ignored);
  claimed->id = IdOf(path);
  claimed->log_path = path;
  claimed->project_dir = DirName(DirName(path));
  return true;
}

// The --stop of the launcher that ran a dead runner's build (mmbuild(1)
// LAUNCHERS), with the job's environment, its lines in the log.
void StopLaunchedBuild(const std::string& text, const std::string& path,
                       const std::string& launcher, const Config& config,
                       BuildLog* log) {
  ClaimedJob claimed;
  JobSettings settings;
  std::string why;
  log->Line(marker::kStep, launcher + " --stop");
  if (!ClaimedFromLog(text, path, config, &claimed, &settings, &why)) {
    log->Line(marker::kStderr, "cannot run " + launcher + " --stop: " + why);
    return;
  }
  auto lines = [log](char stream, const std::string& line) {
    log->Line(stream, line);
  };
  if (!StopLaunched(launcher, JobEnv(claimed, claimed.job.commit),
                    WorkspaceOf(claimed), config.timeout, lines, &why))
    log->Line(marker::kStderr, why);
}

// The failure notifications of a build whose runner died (mmbuild(1)
// NOTIFICATIONS, COMMIT STATUSES), as the runner would have sent them.
void TellFailure(const std::string& text, const std::string& path,
                 const Config& config, BuildObserver* observer, BuildLog* log) {
  if (!observer) return;
  ClaimedJob claimed;
  const Job& job = claimed.job;
  JobSettings settings;
  std::string why;
  if (!ClaimedFromLog(text, path, config, &claimed, &settings, &why)) {
    log->Line(marker::kStderr, "no failure notification: " + why);
    return;
  }
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
  std::string started, launcher;
  if (!ReadLog(path, &text, err)) {
    *err = "passed over " + *err;
    return false;
  }
  if (HasResultSection(text) ||
      !ReadBuildSection(text, &pid, &started, &launcher) || ProcessAlive(pid))
    return false;
  UniqueFd lock;
  if (LogLockedByRunner(path, &lock, err) || !lock.ok()) return false;
  // Read again under the lock: another mmbuild may have just finished it.
  if (!ReadLog(path, &text, err) || HasResultSection(text)) return false;

  BuildLog log;
  if (!log.Open(path, clock, err)) return false;
  const std::string noticed = (cause.empty() ? "" : " (" + cause + ")") +
                              "; noticed at " + FormatIsoUtc(clock.Now()) +
                              " by mmbuild (pid " + std::to_string(getpid()) +
                              ")";
  const std::string runner = "the runner (pid " + std::to_string(pid) + ")";
  if (!launcher.empty()) StopLaunchedBuild(text, path, launcher, config, &log);
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
    // Without its reason the log is left as it was, unfinished and nothing
    // sent: the next mmbuild finishes it (mmbuild(1) KILLED RUNNER), rather
    // than an `error` no line explains.
    if (!log.ok()) {
      *err = log.error();
      return false;
    }
    TellFailure(text, path, config, observer, &log);
  }
  result.exit_code = -1;
  result.finished = clock.Now();
  result.duration_seconds = SecondsSince(started, result.finished);
  if (!log.EndBuild(result, err)) return false;
  if (!log.ok()) {
    *err = log.error();
    return false;
  }
  return true;
}

bool RequeueUnstartedJob(const std::string& path, const std::string& spool,
                         std::string* dest, std::string* err) {
  std::string text;
  // A claimed job's log starts as its job file, whole (job/build_log.h);
  // anything else named *.log is not a job and stays where it is.
  auto unstarted = [&text] {
    return text.compare(0, 6, "[job]\n") == 0 && !HasResultSection(text) &&
           text.find("\n[build]\n") == std::string::npos;
  };
  if (!ReadLog(path, &text, err) || !unstarted()) return false;
  UniqueFd lock;
  if (LockFile(path, "build log", &lock, err) != LockResult::kHeld)
    return false;
  // Read again under the lock: a runner may have started it meanwhile.
  if (!ReadLog(path, &text, err) || !unstarted()) return false;
  if (MoveIntoDir(path, spool, ClashNames(IdOf(path) + ".ini"), dest, err) !=
      MoveResult::kMoved)
    return false;
  SyncDir(spool);
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
      std::string err, dest;
      if (FinishOrphanLog(path, config, clock, observer, &err)) {
        report->finished.push_back("job " + IdOf(path) +
                                   ": its runner died; log finished as "
                                   "error: " +
                                   path);
      } else if (!err.empty()) {
        report->problems.push_back(err);
      } else if (RequeueUnstartedJob(path, config.spool, &dest, &err)) {
        report->requeued.push_back("job " + IdOf(path) +
                                   ": claimed, but its build never started; "
                                   "queued again as " +
                                   dest);
      } else if (!err.empty()) {
        report->problems.push_back(err);
      }
    }
  }
}

}  // namespace mm
