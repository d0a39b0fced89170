// One claimed job from start to end (mmbuild(1) How a job runs, BUILD LOG): the
// keys a hand-written job leaves out come from the config, the workspace is
// <project dir>/<SafeName(target)>, the job gets its own ssh-agent, the
// commit is checked out, the build command runs through /bin/sh -c in the
// workspace with the MIXMASTER_* variables, and every step goes to the build
// log. Notifications plug in through BuildObserver.
#ifndef MIXMASTER_BUILD_RUNNER_H_
#define MIXMASTER_BUILD_RUNNER_H_

#include <signal.h>

#include <string>
#include <vector>

#include "base/clock.h"
#include "build/spool_reader.h"
#include "job/build_log.h"
#include "job/config.h"
#include "job/job.h"
#include "report/build_event.h"

namespace mm {

// What an observer is told at each of a build's events.
struct BuildReport {
  BuildEvent event;
  // The job with buildCommand, mailto and mode filled in from the config
  // when the job file left them out.
  const Job& job;
  // The id the build runs under (MIXMASTER_JOB): the job file's, or a fresh
  // one when that was unsafe, missing or already taken.
  std::string job_id;
  // At kStart the commit asked for (may be empty); later the full id of
  // the one checked out (empty when the checkout failed).
  std::string commit;
  std::string log_path;  // <project dir>/JOBS/<id>.log
  // The MIXMASTER_* variables of mmbuild(1) ENVIRONMENT as "NAME=value",
  // from the same values, for programs the observer runs.
  const std::vector<std::string>& env;
  // Meaningful at kEnd and kFail only.
  BuildStatus status;
  int exit_code;
  // A kFail told for a runner that died (mmbuild(1) KILLED RUNNER) by the
  // mmbuild that finished its log: no kStart came before it here, and how
  // long the build ran is not known.
  bool runner_died = false;
};

// Notifications (mmbuild(1) NOTIFICATIONS) hook in here. OnEvent is called
// at kStart after the [build] section and the "Build started" line are
// written, then once with kEnd (success) or kFail (failure, error, killed)
// before [result] is written. `log` takes the observer's own lines (`!` for
// its problems, `H` for hook output) in the [log] section, and log->path()
// gives the log so far. Nothing an observer does changes the build's result.
class BuildObserver {
 public:
  virtual ~BuildObserver() = default;
  virtual void OnEvent(const BuildReport& report, BuildLog* log) = 0;
};

struct RunnerOptions {
  const Config* config = nullptr;
  const Clock* clock = &SystemClock();
  BuildObserver* observer = nullptr;  // null: nobody is told
  // Set non-zero by SIGTERM/SIGINT: the build is stopped, status killed.
  const volatile sig_atomic_t* stop_requested = nullptr;
  double kill_grace_seconds = 10;
  // The mmbuild that forked this runner; 0: none. A stop once it is gone
  // (killed outright, mmbuild(1) QUEUE) says so instead of "asked to stop".
  pid_t mmbuild_pid = 0;
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

// The MIXMASTER_* variables of mmbuild(1) ENVIRONMENT for `job`, as
// "NAME=value", with `commit` as MIXMASTER_COMMIT: the commit asked for
// until a checkout names the one built. The build, its hook and mails, a
// dead runner's failure notifications and a superseded job's hook all see
// the same set.
std::vector<std::string> JobEnv(const ClaimedJob& job,
                                const std::string& commit);

}  // namespace mm

#endif  // MIXMASTER_BUILD_RUNNER_H_
