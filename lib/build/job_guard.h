// What keeps a build from outliving its runner (mmbuild(1) KILLED RUNNER).
// The runner is the process that runs one job (RunBuild). For the life of
// the build it holds an exclusive flock(2) on the build log, so that another
// mmbuild can tell a running build from one whose runner died; and it has a
// watcher: a small process of its own (named mm-jobguard, in a process group
// of its own) that learns the process group of every child the runner starts
// (spawn.h's SetSpawnObserver) and, once the runner or the process that
// started the runner is gone, stops the groups still alive: TERM, then KILL
// after two seconds. A killed mmbuild thus leaves neither its build nor the
// job's ssh-agent (a setgid program, for which PR_SET_PDEATHSIG does not
// hold) behind. A process that left its group (setsid) escapes the watcher;
// under systemd the service's cgroup catches it.
#ifndef MIXMASTER_JOB_GUARD_H_
#define MIXMASTER_JOB_GUARD_H_

#include <sys/types.h>

#include <string>

#include "base/fsutil.h"

namespace mm {

// Move-only: it owns the lock's descriptor, the watcher's socket and pid.
// One at a time per process (the spawn observer is process-wide).
class JobGuard {
 public:
  JobGuard() = default;
  ~JobGuard();
  JobGuard(JobGuard&& other) noexcept;
  JobGuard& operator=(JobGuard&& other) noexcept;
  JobGuard(const JobGuard&) = delete;
  JobGuard& operator=(const JobGuard&) = delete;

  // Locks `log_path` and starts the watcher, which also watches `mmbuild`
  // (the process that forked this runner; 0: none): once that is gone, the
  // runner gets TERM and, if it has not ended `runner_grace` seconds later,
  // KILL. False when either fails (`err` says why); when only the watcher
  // failed, the lock is held all the same.
  bool Start(const std::string& log_path, pid_t mmbuild, double runner_grace,
             std::string* err);

  // Ends the watcher (its groups are gone by then) and waits for it; the
  // lock is kept until the guard is destroyed.
  void StopWatcher();

  pid_t watcher() const { return watcher_; }

 private:
  // Forks the watcher (no lock held yet, so it never has the lock's file).
  bool StartWatcher(pid_t mmbuild, double runner_grace, std::string* err);

  UniqueFd lock_;
  UniqueFd socket_;
  pid_t watcher_ = -1;
};

// Tells the watcher of this process's running guard, if any, about the
// job's ssh-agent socket at `socket_path`, in a directory of its own: once
// the runner is gone and its groups are stopped, the watcher removes the
// socket if nothing listens on it any more, then the directory if it is
// empty, which a runner killed outright cannot do itself.
void GuardRemovesSocketDir(const std::string& socket_path);

// Whether the build log at `path` is locked by a running build. False when
// the lock was free: then `*lock` holds it (so that only one mmbuild
// finishes an orphaned log). `err` is set when the log cannot be opened.
bool LogLockedByRunner(const std::string& path, UniqueFd* lock,
                       std::string* err);

}  // namespace mm

#endif  // MIXMASTER_JOB_GUARD_H_
