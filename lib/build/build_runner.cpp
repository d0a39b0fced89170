#include "build/build_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "base/journal.h"
#include "base/paths.h"
#include "base/redact.h"
#include "build/job_guard.h"
#include "build/launcher.h"
#include "git/git_checkout.h"
#include "git/git_remote_auth.h"
#include "git/ssh_agent.h"
#include "job/job_settings.h"
#include "process/spawn.h"

namespace mm {

// The build's output goes into the log as it comes: a child's stream is
// its line's marker (mmbuild(1) BUILD LOG).
static_assert(kStdoutStream == marker::kStdout &&
                  kStderrStream == marker::kStderr,
              "process streams are build log markers");

namespace {

struct Outcome {
  BuildStatus status = BuildStatus::kError;
  int exit_code = -1;
  std::string message;  // for the closing line of the log
};

Outcome Error(const std::string& message) {
  return Outcome{BuildStatus::kError, -1, message};
}
Outcome Killed(const std::string& message, int exit_code = -1) {
  return Outcome{BuildStatus::kKilled, exit_code, message};
}

bool Stopped(const volatile sig_atomic_t* flag) { return flag && *flag; }

// One build at a time per workspace: two mmbuild processes may run at once
// (the service and a person), and a checkout must not change under a build.
// Move-only through its UniqueFd; the lock goes with the descriptor.
class WorkspaceLock {
 public:
  // Waits for the lock, looking at the stop flag every 100 ms. `waiting` is
  // called once if it has to wait.
  bool Acquire(const std::string& path, const volatile sig_atomic_t* stop,
               const std::function<void()>& waiting, bool* stopped,
               std::string* err) {
    *stopped = false;
    fd_ = UniqueFd(
        open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd_.ok()) {
      *err = "cannot open lock " + path + ": " + strerror(errno);
      return false;
    }
    bool told = false;
    while (flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR) {
        *err = "cannot lock " + path + ": " + strerror(errno);
        return false;
      }
      if (Stopped(stop)) {
        *stopped = true;
        return false;
      }
      if (!told) waiting();
      told = true;
      struct timespec pause = {0, 100 * 1000 * 1000};
      nanosleep(&pause, nullptr);
    }
    return true;
  }

 private:
  UniqueFd fd_;
};

class BuildRun {
 public:
  BuildRun(const ClaimedJob& claimed, const RunnerOptions& options,
           const std::string& launcher, BuildLog* log)
      : claimed_(claimed),
        options_(options),
        config_(*options.config),
        log_(log),
        job_(claimed.job),
        workspace_(WorkspaceOf(claimed)),
        launcher_(launcher) {
    ResolveJob(config_, &job_, &settings_, &resolve_error_);
    commit_ = job_.commit;
    env_ = JobEnv(Resolved(), commit_);
  }

  const Job& job() const { return job_; }
  const JobSettings& settings() const { return settings_; }
  const std::vector<std::string>& env() const { return env_; }
  const std::string& commit() const { return commit_; }
  const std::string& workspace() const { return workspace_; }

  Outcome Execute() {
    if (!resolve_error_.empty()) return Error(resolve_error_);
    // mixmaster.ini(5) Project settings: a pinned repository is the one
    // fetched from, whatever the job named.
    if (!settings_.other_repository.empty())
      log_->Line(marker::kMixmaster,
                 "repositoryUrl " + RedactUrl(settings_.other_repository) +
                     " is not the one configured for " + job_.project +
                     "; fetching from " + RedactUrl(job_.repository_url));
    if (job_.scm != "git")
      return Error("unsupported scm `" + job_.scm + "`: only git is supported");
    CheckoutRequest request;
    request.repository_url = job_.repository_url;
    request.target = job_.target;
    request.commit = job_.commit;
    request.workspace = workspace_;
    request.project_dir = claimed_.project_dir;
    request.known_hosts = options_.known_hosts.empty()
                              ? JoinPath(HomeDir(), ".ssh/known_hosts")
                              : options_.known_hosts;
    request.dry_run = settings_.mode == JobMode::kDryRun;
    request.stop_requested = options_.stop_requested;
    std::string why;
    auto checkout_log = [this](char marker, const std::string& text) {
      log_->Line(marker, text);
    };
    if (request.dry_run) {
      if (!config_.ssh_key.empty()) Step("ssh-add " + config_.ssh_key);
      CheckoutResult ignored;
      if (!CheckOut(request, checkout_log, &ignored, &why)) return Error(why);
      Step(job_.build_command);
      return Outcome{BuildStatus::kSuccess, 0, ""};
    }

    WorkspaceLock lock;
    bool stopped = false;
    // Hidden beside the workspace it guards, not among the logs in JOBS/
    // (mmbuild(1) FILES).
    std::string lock_path =
        JoinPath(claimed_.project_dir, "." + SafeName(job_.target) + ".lock");
    auto waiting = [this] {
      log_->Line(marker::kMixmaster, "waiting for another build in " +
                                         ContractHome(workspace_, HomeDir()));
    };
    if (!lock.Acquire(lock_path, options_.stop_requested, waiting, &stopped,
                      &why))
      return stopped ? Killed("stopped while waiting for the workspace")
                     : Error(why);

    SshAgent agent;
    if (!agent.PlanSocket(&why)) return Error("cannot start ssh-agent: " + why);
    // A runner killed outright leaves the agent's directory to its guard,
    // told of it before the agent exists.
    GuardRemovesSocketDir(agent.planned_socket());
    if (!agent.Launch(&why)) return Error("cannot start ssh-agent: " + why);
    GitLibrary git;  // set up while the agent starts
    if (!agent.WaitUntilReady(&why))
      return Error("cannot start ssh-agent: " + why);
    ScopedEnv agent_env("SSH_AUTH_SOCK", agent.socket());
    if (!config_.ssh_key.empty()) {
      Step("ssh-add " + config_.ssh_key);
      auto lines = [this](char, const std::string& text) {
        log_->Line(marker::kMixmaster, "ssh-add: " + text);
      };
      if (!agent.AddKey(config_.ssh_key, lines, &why)) return Error(why);
    }

    CheckoutResult checkout;
    if (!CheckOut(request, checkout_log, &checkout, &why))
      return checkout.stopped ? Killed("stopped during the checkout")
                              : Error(why);
    commit_ = checkout.commit;
    env_ = JobEnv(Resolved(), commit_);
    return RunCommand(agent.socket());
  }

 private:
  void Step(const std::string& text) { log_->Line(marker::kStep, text); }

  // The claimed job as ResolveJob settled it (a pinned repository), for
  // its environment.
  ClaimedJob Resolved() const {
    ClaimedJob resolved;  // without the lock, which stays with claimed_
    resolved.job = job_;
    resolved.id = claimed_.id;
    resolved.project_dir = claimed_.project_dir;
    resolved.log_path = claimed_.log_path;
    resolved.note = claimed_.note;
    return resolved;
  }

  // The build command, here or through the launcher (mmbuild(1)
  // LAUNCHERS), and after a launcher's abnormal end its --stop.
  Outcome RunCommand(const std::string& agent_socket) {
    Step(job_.build_command);
    CommandLaunch launch;
    launch.launcher = launcher_;
    launch.command = job_.build_command;
    launch.env = env_;
    launch.env.push_back("SSH_AUTH_SOCK=" + agent_socket);
    launch.workspace = workspace_;
    launch.timeout_seconds = config_.timeout;
    launch.kill_grace_seconds = options_.kill_grace_seconds;
    launch.stop_requested = options_.stop_requested;
    auto lines = [this](char stream, const std::string& line) {
      log_->Line(stream, line);
    };
    LaunchResult result;
    std::string why;
    if (!LaunchCommand(launch, lines, &result, &why)) return Error(why);
    if (result.stop_needed) {
      Step(launcher_ + " --stop");
      if (!StopLaunched(launcher_, launch.env, workspace_, config_.timeout,
                        lines, &why))
        log_->Line(marker::kStderr, why);
    }
    return Judge(result);
  }

  Outcome Judge(const LaunchResult& result) const {
    const int code = result.exit_code;
    switch (result.end) {
      case LaunchEnd::kTimedOut:
        return Killed("timeout: the build ran longer than " +
                          std::to_string(config_.timeout) + " s",
                      code);
      case LaunchEnd::kStopped:
        if (options_.mmbuild_pid > 0 && getppid() != options_.mmbuild_pid)
          return Killed(
              "mmbuild (pid " + std::to_string(options_.mmbuild_pid) + ") died",
              code);
        return Killed("mmbuild was asked to stop", code);
      case LaunchEnd::kSignaled:
        return Outcome{BuildStatus::kFailure, code,
                       "the build command was killed by signal " +
                           std::to_string(result.term_signal)};
      case LaunchEnd::kCannotRun:
        return Outcome{BuildStatus::kError, code,
                       "the launcher could not run the build (exit status " +
                           std::to_string(code) + ")"};
      case LaunchEnd::kLauncherKilled:
        return Outcome{BuildStatus::kError, code,
                       "the launcher was killed by signal " +
                           std::to_string(result.term_signal)};
      case LaunchEnd::kExited:
        break;
    }
    if (code == 0) return Outcome{BuildStatus::kSuccess, 0, ""};
    return Outcome{BuildStatus::kFailure, code,
                   "exit code " + std::to_string(code)};
  }

  const ClaimedJob& claimed_;
  const RunnerOptions& options_;
  const Config& config_;
  BuildLog* log_;
  Job job_;
  JobSettings settings_;
  std::string workspace_;
  std::string launcher_;  // empty: the build runs here
  std::string commit_;
  std::string resolve_error_;
  std::vector<std::string> env_;
};

}  // namespace

bool RunBuild(const ClaimedJob& job, const RunnerOptions& options,
              BuildResult* result, std::string* err) {
  BuildLog log;
  if (!log.Open(job.log_path, *options.clock, err)) return false;
  const double start = MonotonicSeconds();
  // The lock and the watcher of mmbuild(1) KILLED RUNNER, held until the
  // log is complete.
  JobGuard guard;
  std::string guard_error;
  // The runner's own stop takes up to the kill grace (mmbuild(1) QUEUE);
  // five seconds more to complete its log and mails.
  bool guarded =
      guard.Start(job.log_path, options.mmbuild_pid,
                  options.kill_grace_seconds + 5, &guard_error, job.lock.get());
  const std::string launcher = LauncherOf(*options.config, job.job);
  if (!log.BeginBuild(getpid(), options.clock->Now(), launcher, err))
    return false;
  if (!guarded)
    log.Line(marker::kStderr, "cannot guard this build: " + guard_error);
  BuildRun run(job, options, launcher, &log);
  auto tell = [&](BuildEvent event, BuildStatus status, int exit_code) {
    if (!options.observer) return;
    BuildReport report{event,     run.job(),    run.settings(),
                       job.id,    run.commit(), job.log_path,
                       run.env(), status,       exit_code};
    options.observer->OnEvent(report, &log);
  };
  log.Line(marker::kMixmaster,
           "Build started in " + ContractHome(run.workspace(), HomeDir()) +
               (launcher.empty() ? "" : ", launched by " + launcher));
  if (!job.note.empty()) log.Line(marker::kMixmaster, job.note);
  // mmbuild(1) BUILD HISTORY: --rebuild runs the configuration's command.
  if (!run.job().rebuild_of.empty())
    log.Line(marker::kMixmaster,
             "Rebuild of job " + run.job().rebuild_of +
                 " with the command the configuration gives: " +
                 run.job().build_command);
  tell(BuildEvent::kStart, BuildStatus::kSuccess, 0);

  Outcome outcome = run.Execute();
  // mmbuild(1) BUILD LOG: a log that lost lines ends as an error, whatever
  // the command did; the closing line and [result] use the reserve.
  if (log.full())
    outcome = Error("the filesystem of the build log is full: " +
                    std::to_string(log.dropped_lines()) +
                    " line(s) of the build were not written");
  else if (!log.ok())
    outcome = Error(log.error() + "; a line of the build is missing");
  LogClosingLine(outcome.status, outcome.message, &log);
  tell(outcome.status == BuildStatus::kSuccess ? BuildEvent::kEnd
                                               : BuildEvent::kFail,
       outcome.status, outcome.exit_code);

  result->status = outcome.status;
  result->exit_code = outcome.exit_code;
  result->finished = options.clock->Now();
  result->duration_seconds = MonotonicSeconds() - start;
  if (!log.EndBuild(*result, err)) return false;
  if (log.full()) {
    *err = "build log " + job.log_path + ": the filesystem is full; " +
           std::to_string(log.dropped_lines()) +
           " line(s) were not written and the build ends as error";
    return false;
  }
  if (!log.ok()) {
    *err = log.error();
    return false;
  }
  return true;
}

}  // namespace mm
