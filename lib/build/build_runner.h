// One claimed job from start to end (mmbuild(1) How a job runs, BUILD LOG): the
// keys a hand-written job leaves out come from the config, the workspace is
// <project dir>/<SafeName(target)>, the job gets its own ssh-agent, the
// commit is checked out, the build command runs through /bin/sh -c in the
// workspace with the MIXMASTER_* variables, and every step goes to the build
// log. Notifications plug in through BuildObserver (report/build_observers.h).
#ifndef MIXMASTER_BUILD_RUNNER_H_
#define MIXMASTER_BUILD_RUNNER_H_

#include <signal.h>

#include <string>
#include <vector>

#include "base/clock.h"
#include "build/spool_reader.h"
#include "job/build_log.h"
#include "job/claimed_job.h"
#include "job/config.h"
#include "job/job.h"
#include "report/build_observers.h"

namespace mm {

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

}  // namespace mm

#endif  // MIXMASTER_BUILD_RUNNER_H_
