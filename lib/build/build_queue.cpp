#include "build/build_queue.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/ini.h"
#include "base/paths.h"
#include "build/job_guard.h"
#include "build/log_retention.h"
#include "build/orphan_log.h"
#include "build/spool_reader.h"
#include "build/supersede.h"
#include "job/build_history.h"
#include "job/build_log.h"

namespace mm {
namespace {

volatile sig_atomic_t g_stop = 0;
// The job processes running now (0: a free slot), for the handler to pass
// signals on; only ever changed with the stop signals blocked.
volatile sig_atomic_t g_children[kMaxParallelJobs];

void OnStopSignal(int sig) {
  g_stop = 1;
  for (int i = 0; i < kMaxParallelJobs; ++i) {
    pid_t child = g_children[i];
    if (child > 0) kill(child, sig);
  }
}

void SetChild(pid_t old_pid, pid_t new_pid) {
  for (int i = 0; i < kMaxParallelJobs; ++i) {
    if (g_children[i] == old_pid) {
      g_children[i] = new_pid;
      return;
    }
  }
}

// Holds SIGTERM and SIGINT back while it lives: a signal that comes while a
// job is claimed and its process started is handled once the process is in
// g_children, so it is stopped like every other running build.
class StopSignalsBlocked {
 public:
  StopSignalsBlocked() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    sigprocmask(SIG_BLOCK, &stop_signals, &old_mask_);
  }
  ~StopSignalsBlocked() { Release(); }
  StopSignalsBlocked(const StopSignalsBlocked&) = delete;
  StopSignalsBlocked& operator=(const StopSignalsBlocked&) = delete;
  void Release() {
    if (released_) return;
    released_ = true;
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  const sigset_t& old_mask() const { return old_mask_; }

 private:
  sigset_t old_mask_;
  bool released_ = false;
};

bool ReadStdin(std::string* out, std::string* err) {
  char buf[16384];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = std::string("stdin: ") + strerror(errno);
      return false;
    }
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

// Completes the log of a job whose process died before its build started
// (no [build] yet: it could not fork, or died at once), under the log's
// lock (ours still, when it could not fork): another mmbuild may be queueing
// it again (mmbuild(1) KILLED RUNNER). A log with [build] is finished only
// by FinishOrphanLog, under the lock too, so that two mmbuilds never both
// append [result].
void CompleteDeadJobLog(const ClaimedJob& job, pid_t pid,
                        const std::string& why, const Journal& journal) {
  std::string text, err;
  UniqueFd lock;
  if (!job.lock.ok() &&
      LockFile(job.log_path, "build log", &lock, &err) != LockResult::kHeld)
    return;
  UniqueFd fd = OpenRegularFile(job.log_path, &err);
  if (!fd.ok() || !ReadLogEnds(fd.get(), kLogEndBytes, &text, &err) ||
      HasResultSection(text) || HasBuildSection(text))
    return;
  BuildLog log;
  if (!log.Open(job.log_path, SystemClock(), &err)) {
    journal.Error(err);
    return;
  }
  // Without its [build] the rest would not parse; left as it is, the log
  // is a job never started, which the next mmbuild queues again.
  if (!log.BeginBuild(pid, SystemClock().Now(), &err)) {
    journal.Error(err);
    return;
  }
  LogClosingLine(BuildStatus::kError, why, &log);
  // Without its reason, no [result]: with its [build] and no process, the
  // log is finished by the next mmbuild's pass over dead runners.
  if (!log.ok()) {
    journal.Error(log.error());
    return;
  }
  BuildResult result;
  result.finished = SystemClock().Now();
  if (!log.EndBuild(result, &err)) journal.Error(err);
}

// The runner's guard holds the log's lock until it has stopped what the
// runner left running, within its own bound (the kill grace and 5 s,
// build_runner.cpp): waited for, so that the log of a runner that just died
// is finished now, not left to the next mmbuild.
void WaitForTheGuard(const std::string& log_path) {
  double until = MonotonicSeconds() + RunnerOptions().kill_grace_seconds + 6;
  for (;;) {
    UniqueFd lock;
    std::string err;
    if (LockFile(log_path, "build log", &lock, &err) != LockResult::kBusy ||
        MonotonicSeconds() >= until)
      return;
    usleep(20 * 1000);
  }
}

// The job process: today's single build, then _exit (never returns).
[[noreturn]] void RunJobProcess(const ClaimedJob& job,
                                const QueueOptions& options, pid_t mmbuild) {
  const Journal& journal = *options.journal;
  RunnerOptions runner;
  runner.config = options.config;
  runner.observer = options.observer;
  runner.stop_requested = &g_stop;
  runner.mmbuild_pid = mmbuild;
  BuildResult result;
  std::string err;
  if (!RunBuild(job, runner, &result, &err)) {
    journal.Error("job " + job.id + ": " + err);
    _exit(4);
  }
  journal.Info("job " + job.id + " (" + job.job.project + " " + job.job.target +
               "): " + BuildStatusName(result.status) + ", log " +
               job.log_path);
  _exit(0);
}

// Forks the process of one claimed job; call it with the stop signals
// blocked (`blocked`). 0 when it cannot fork (the log is then completed).
pid_t StartJobProcess(const ClaimedJob& job, const QueueOptions& options,
                      const StopSignalsBlocked& blocked) {
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Not the parent's children to signal: the build has its own group.
    for (int i = 0; i < kMaxParallelJobs; ++i) g_children[i] = 0;
    // A parent killed outright (SIGKILL) cannot pass a stop on: the build
    // then stops as if it had (mmbuild(1) QUEUE), instead of running on
    // unowned.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) g_stop = 1;
    sigprocmask(SIG_SETMASK, &blocked.old_mask(), nullptr);
    RunJobProcess(job, options, parent);
  }
  if (pid < 0) {
    options.journal->Error("cannot fork for job " + job.id + ": " +
                           strerror(errno));
    CompleteDeadJobLog(job, getpid(), "mmbuild could not fork",
                       *options.journal);
    return 0;
  }
  SetChild(0, pid);
  return pid;
}

// Applies keepBuilds to the project of `job` (after it ended), with a
// journal line for what was removed.
void PruneProjectLogs(const ClaimedJob& job, const QueueOptions& options) {
  std::vector<std::string> removed;
  std::string err;
  if (!PruneLogs(options.config->build_root, SafeName(job.job.project),
                 options.config->keep_builds, &removed, &err))
    options.journal->Error("keepBuilds: " + err);
  if (!removed.empty())
    options.journal->Info("keepBuilds: removed " +
                          std::to_string(removed.size()) + " old log(s) of " +
                          OneLine(job.job.project));
}

// After a job's process `pid` ended (reaped) with wait status `status`: its
// slot freed for the stop handler, its log completed if the process could
// not, then keepBuilds applied to its project. False on a system error of
// ours (the process could not write the log).
bool JobProcessEnded(const ClaimedJob& job, pid_t pid, int status,
                     const QueueOptions& options) {
  {
    StopSignalsBlocked blocked;
    SetChild(pid, 0);
  }
  const Journal& journal = *options.journal;
  bool ok = true;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cause =
        WIFSIGNALED(status)
            ? "killed by signal " + std::to_string(WTERMSIG(status))
            : "exit status " + std::to_string(WEXITSTATUS(status));
    std::string why = "the build process ended (" + cause + ")";
    journal.Error("job " + job.id + ": " + why);
    // A runner that died mid-build: its log finished as mmbuild(1) KILLED
    // RUNNER says, failure mail included (unless another mmbuild holds its
    // lock: that one finishes it); else (no [build] yet) here.
    std::string err;
    WaitForTheGuard(job.log_path);
    if (!FinishOrphanLog(job.log_path, *options.config, SystemClock(),
                         options.observer, &err, cause)) {
      if (!err.empty()) journal.Error(err);
      CompleteDeadJobLog(job, pid, why, journal);
    }
    // A crash is that job's problem; a log that cannot be written is ours.
    ok = WIFSIGNALED(status);
  }
  PruneProjectLogs(job, options);
  return ok;
}

}  // namespace

void InstallStopHandlers() {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
}

JobScheduler::JobScheduler(const QueueOptions& options)
    : options_(options),
      reader_(*options.config, SystemClock(), *options.journal) {
  max_jobs_ = options.config->jobs < 1 ? 1 : options.config->jobs;
  if (max_jobs_ > kMaxParallelJobs) {
    options.journal->Warning("jobs = " + std::to_string(max_jobs_) +
                             ": at most " + std::to_string(kMaxParallelJobs) +
                             " builds run at once");
    max_jobs_ = kMaxParallelJobs;
  }
}

bool JobScheduler::CanClaim() const {
  return !g_stop && !claim_failed_ &&
         running_.size() < static_cast<size_t>(max_jobs_);
}

bool JobScheduler::WorkspaceBusy(const ClaimedJob& job) const {
  const std::string workspace = WorkspaceOf(job);
  for (const auto& entry : running_)
    if (WorkspaceOf(entry.second) == workspace) return true;
  return false;
}

bool JobScheduler::TakeNext() {
  const Journal& journal = *options_.journal;
  StopSignalsBlocked blocked;
  if (g_stop) return false;
  std::string claimed_name;
  auto wanted = [this, &claimed_name](const std::string& name,
                                      const ClaimedJob& job) {
    if (WorkspaceBusy(job)) return false;
    claimed_name = name;
    return true;
  };
  ClaimedJob job;
  bool claimed = false;
  std::string err;
  if (!reader_.ClaimNext(wanted, &job, &claimed, &err)) {
    journal.Error(err);
    claim_failed_ = true;
    return false;
  }
  if (!claimed) return false;
  if (options_.config->supersede) {
    std::vector<std::string> names;
    reader_.List(&names, &err);
    std::string by = FindSupersedingJob(options_.config->spool, names,
                                        claimed_name, job.job);
    if (!by.empty()) {
      blocked.Release();
      FinishAsSuperseded(job, by);
      return true;
    }
  }
  // A job that could not start is taken all the same: its log is complete.
  pid_t pid = StartJobProcess(job, options_, blocked);
  job.lock.Reset();  // the runner holds it now
  if (pid == 0) {
    failed_ = true;
    return true;
  }
  running_.emplace(pid, std::move(job));
  return true;
}

void JobScheduler::FinishAsSuperseded(const ClaimedJob& job,
                                      const std::string& by) {
  std::string err;
  if (!FinishSuperseded(job, by, *options_.config, options_.observer, &err)) {
    options_.journal->Error("job " + job.id + ": " + err);
    failed_ = true;
  } else {
    options_.journal->Info("job " + job.id + " (" + job.job.project + " " +
                           job.job.target + "): superseded by " + OneLine(by) +
                           ", log " + job.log_path);
  }
  PruneProjectLogs(job, options_);
}

bool JobScheduler::ReapOne(bool block) {
  int status = 0;
  pid_t pid = waitpid(-1, &status, block ? 0 : WNOHANG);
  if (pid == 0 || (pid < 0 && errno == EINTR)) return false;
  if (pid < 0) {  // ECHILD: none left, whatever running_ thought
    running_.clear();
    return false;
  }
  auto entry = running_.find(pid);
  if (entry == running_.end()) return true;
  if (!JobProcessEnded(entry->second, pid, status, options_)) failed_ = true;
  running_.erase(entry);
  return true;
}

QueueStatus JobScheduler::Run() {
  for (;;) {
    while (CanClaim()) {
      if (!TakeNext()) break;
    }
    if (running_.empty()) break;
    if (CanClaim()) {
      // A slot is free: look at the spool again soon, for jobs that arrive
      // while the others build.
      if (!ReapOne(false)) {
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, nullptr);
      }
    } else {
      ReapOne(true);
    }
  }
  if (g_stop) {
    std::vector<std::string> left;
    std::string err;
    reader_.List(&left, &err);
    options_.journal->Info("stopped; " + std::to_string(left.size()) +
                           " job(s) left in the spool");
    return QueueStatus::kDone;
  }
  return failed_ || claim_failed_ ? QueueStatus::kSystemError
                                  : QueueStatus::kDone;
}

QueueStatus RunSpool(const QueueOptions& options) {
  JobScheduler scheduler(options);
  return scheduler.Run();
}

QueueStatus RunGivenJob(const std::string& path, const QueueOptions& options) {
  const Journal& journal = *options.journal;
  const bool from_stdin = path == "-";
  const std::string name = from_stdin ? "stdin" : path;
  std::string text, err;
  if (!(from_stdin ? ReadStdin(&text, &err) : ReadFile(path, &text, &err))) {
    journal.Error("cannot read job " + err);
    return QueueStatus::kBadJob;
  }
  ClaimedJob job;
  if (!PrepareJob(text, name, *options.config, true, &job, &err)) {
    journal.Error(err);
    return QueueStatus::kBadJob;
  }
  if (!StoreJob(text, SystemClock(), &job, &err)) {
    journal.Error(err);
    return QueueStatus::kSystemError;
  }
  pid_t pid;
  {
    StopSignalsBlocked blocked;
    pid = StartJobProcess(job, options, blocked);
  }
  job.lock.Reset();  // the runner holds it now
  if (pid == 0) return QueueStatus::kSystemError;
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  if (!JobProcessEnded(job, pid, wait_status, options))
    return QueueStatus::kSystemError;
  return QueueStatus::kDone;
}

}  // namespace mm
