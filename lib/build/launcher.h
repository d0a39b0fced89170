// Running a build's command and stopping it (mmbuild(1) How a job runs,
// LAUNCHERS): here as `/bin/sh -c COMMAND`, or through a launcher, a program
// that behaves like `sh -c` but runs the command elsewhere, as
// `<launcher words> -c COMMAND`; and, after an abnormal end, stopping what a
// launcher may have left running there with `<launcher words> --stop`. The
// one place that knows how a command runs for a job, local or not.
#ifndef MIXMASTER_LAUNCHER_H_
#define MIXMASTER_LAUNCHER_H_

#include <signal.h>

#include <string>
#include <vector>

#include "job/config.h"
#include "job/job.h"
#include "process/process.h"

namespace mm {

// The exit status by which a launcher says that it could not run the build.
constexpr int kLauncherCannotRun = 125;

// One build command to run.
struct CommandLaunch {
  // The launcher setting as configured (mixmaster.ini(5) launcher): words
  // split at blanks, run without a shell. Empty: /bin/sh here.
  std::string launcher;
  std::string command;
  // The job's MIXMASTER_* variables (and SSH_AUTH_SOCK), "NAME=value";
  // MIXMASTER_TIMEOUT is added from timeout_seconds.
  std::vector<std::string> env;
  std::string workspace;     // the working directory
  long timeout_seconds = 0;  // 0: no limit
  double kill_grace_seconds = 10;
  const volatile sig_atomic_t* stop_requested = nullptr;
};

// How a command ended, beyond its exit status.
enum class LaunchEnd {
  kExited,          // exit_code is the command's
  kSignaled,        // the command, here, died of a signal it was not sent
  kTimedOut,        // stopped at the timeout
  kStopped,         // stopped on request
  kCannotRun,       // the launcher exited 125
  kLauncherKilled,  // the launcher died of a signal it was not sent
};

struct LaunchResult {
  LaunchEnd end = LaunchEnd::kExited;
  // The exit status, 128+N when signal N ended the command (or launcher).
  int exit_code = -1;
  int term_signal = 0;  // the signal that ended what ran here, if one did
  // An abnormal end of a launcher, after which StopLaunched must run: a
  // stop, a timeout, exit status 125 or a signal it was not sent.
  bool stop_needed = false;
};

// The launcher setting for a build of `job` (mixmaster.ini(5) launcher and
// Project settings): `:launcher:<key>`, `:launcher` or `[_]`; empty when
// the project is not configured.
std::string LauncherOf(const Config& config, const Job& job);

// Runs the command (mmbuild(1) LAUNCHERS, Running and Stopping), its output
// lines to `sink` as they come. False only when it could not be started
// (`err` says why, e.g. "cannot run mm-run-slurm: No such file or
// directory").
bool LaunchCommand(const CommandLaunch& launch, const LineSink& sink,
                   LaunchResult* result, std::string* err);

// Runs `<launcher words> --stop` in `workspace` (or, when that is gone,
// where this process is) with `env` and MIXMASTER_TIMEOUT, stdin from
// /dev/null, stopped after 60 s like the hook; its lines go to `sink`.
// False with `err` when it could not run or did not exit 0.
bool StopLaunched(const std::string& launcher,
                  const std::vector<std::string>& env,
                  const std::string& workspace, long timeout_seconds,
                  const LineSink& sink, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_LAUNCHER_H_
