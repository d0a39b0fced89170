#include "build_queue.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build_log.h"
#include "ini.h"
#include "spool_reader.h"

namespace mm {
namespace {

volatile sig_atomic_t g_stop = 0;
// The job process running now (0: none), for the handler to pass signals on.
volatile sig_atomic_t g_child = 0;

void OnStopSignal(int sig) {
  g_stop = 1;
  pid_t child = g_child;
  if (child > 0) kill(child, sig);
}

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

// Completes the log of a job whose process died before writing [result].
void CompleteDeadJobLog(const ClaimedJob& job, pid_t pid,
                        const std::string& why, const Journal& journal) {
  std::string text, err;
  if (!ReadFile(job.log_path, &text, &err) || HasResultSection(text)) return;
  BuildLog log;
  if (!log.Open(job.log_path, SystemClock(), &err)) {
    journal.Error(err);
    return;
  }
  if (text.find("\n[log]\n") == std::string::npos)
    log.BeginBuild(pid, SystemClock().Now(), &err);
  log.Line(marker::kMixmaster, "Build error: " + why);
  BuildResult result;
  result.finished = SystemClock().Now();
  if (!log.EndBuild(result, &err)) journal.Error(err);
}

// Runs one claimed job in a child process and waits for it. False on a
// system error (no fork, a log that cannot be written).
bool RunInChild(const ClaimedJob& job, const QueueOptions& options) {
  const Journal& journal = *options.journal;
  // Signals wait until g_child is set, so none is lost in between.
  sigset_t stop_signals, old_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigprocmask(SIG_BLOCK, &stop_signals, &old_mask);
  pid_t pid = fork();
  if (pid == 0) {
    g_child = 0;
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    RunnerOptions runner;
    runner.config = options.config;
    runner.observer = options.observer;
    runner.stop_requested = &g_stop;
    BuildResult result;
    std::string err;
    if (!RunBuild(job, runner, &result, &err)) {
      journal.Error("job " + job.id + ": " + err);
      _exit(4);
    }
    journal.Info("job " + job.id + " (" + job.job.project + " " +
                 job.job.target + "): " + BuildStatusName(result.status) +
                 ", log " + job.log_path);
    _exit(0);
  }
  if (pid < 0) {
    int saved = errno;
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
    journal.Error("cannot fork for job " + job.id + ": " + strerror(saved));
    CompleteDeadJobLog(job, getpid(), "mmbuild could not fork", journal);
    return false;
  }
  g_child = pid;
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child = 0;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  std::string why = WIFSIGNALED(status)
                        ? "the build process died of signal " +
                              std::to_string(WTERMSIG(status))
                        : "the build process failed (exit status " +
                              std::to_string(WEXITSTATUS(status)) + ")";
  journal.Error("job " + job.id + ": " + why);
  CompleteDeadJobLog(job, pid, why, journal);
  // A crash is that job's problem; a log that cannot be written is ours.
  return WIFSIGNALED(status);
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

QueueStatus RunSpool(const QueueOptions& options) {
  const Journal& journal = *options.journal;
  SpoolReader reader(*options.config, SystemClock(), journal);
  QueueStatus status = QueueStatus::kDone;
  while (!g_stop) {
    ClaimedJob job;
    bool claimed = false;
    std::string err;
    if (!reader.ClaimNext(&job, &claimed, &err)) {
      journal.Error(err);
      return QueueStatus::kSystemError;
    }
    if (!claimed) break;
    if (!RunInChild(job, options)) status = QueueStatus::kSystemError;
  }
  if (g_stop) {
    std::vector<std::string> left;
    std::string err;
    reader.List(&left, &err);
    journal.Info("stopped; " + std::to_string(left.size()) +
                 " job(s) left in the spool");
    return QueueStatus::kDone;
  }
  return status;
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
  if (!RunInChild(job, options)) return QueueStatus::kSystemError;
  return QueueStatus::kDone;
}

}  // namespace mm
