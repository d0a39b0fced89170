// One claimed job from start to end (SPEC 6.2-6.6): the keys a hand-written
// job leaves out come from the config, the workspace is
// <project dir>/<SafeName(target)>, the job gets its own ssh-agent, the
// commit is checked out, the build command runs through /bin/sh -c in the
// workspace with the MIXMASTER_* variables, and every step goes to the build
// log. Notifications plug in through BuildObserver.
#ifndef MIXMASTER_BUILD_RUNNER_H_
#define MIXMASTER_BUILD_RUNNER_H_

#include <signal.h>

#include <string>
#include <vector>

#include "build_log.h"
#include "clock.h"
#include "config.h"
#include "job.h"
#include "spool_reader.h"

namespace mm {

// What an observer is told at each of the three moments.
struct BuildReport {
  // The job with buildCommand, mailto and mode filled in from the config
  // when the job file left them out.
  const Job& job;
  // The MIXMASTER_* variables of SPEC 6.4 as "NAME=value" (at start,
  // MIXMASTER_COMMIT is the commit asked for; later, the one checked out).
  const std::vector<std::string>& env;
  // Meaningful in OnEnd and OnFail only.
  BuildStatus status;
  int exit_code;
};

// Notifications (SPEC 7) hook in here. Each method is called from exactly
// one place in RunBuild; `log` takes the observer's own lines (`!` for its
// problems, `H` for hook output) in the [log] section, and log->path() gives
// the log so far. Nothing an observer does changes the build's result.
class BuildObserver {
 public:
  virtual ~BuildObserver() = default;
  // After the [build] section and the "Build started" line are written.
  virtual void OnStart(const BuildReport& report, BuildLog* log);
  // The build succeeded; called before [result] is written.
  virtual void OnEnd(const BuildReport& report, BuildLog* log);
  // The build failed, could not run (error) or was killed; called before
  // [result] is written. Exactly one of OnEnd and OnFail is called.
  virtual void OnFail(const BuildReport& report, BuildLog* log);
};

struct RunnerOptions {
  const Config* config = nullptr;
  const Clock* clock = &SystemClock();
  BuildObserver* observer = nullptr;  // null: nobody is told
  // Set non-zero by SIGTERM/SIGINT: the build is stopped, status killed.
  const volatile sig_atomic_t* stop_requested = nullptr;
  double kill_grace_seconds = 10;
  // Where SSH host keys are checked; empty: ~/.ssh/known_hosts.
  std::string known_hosts;
};

// Runs `job` (claimed, its log at job.log_path) to the end and completes its
// log. False only when the log cannot be opened or written (a system error,
// `err` says which); the build's own outcome is in *result.
bool RunBuild(const ClaimedJob& job, const RunnerOptions& options,
              BuildResult* result, std::string* err);

// The workspace of a job: <project dir>/<SafeName(target)>.
std::string WorkspaceOf(const ClaimedJob& job);

}  // namespace mm

#endif  // MIXMASTER_BUILD_RUNNER_H_
