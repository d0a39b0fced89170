// Starting a child without a shell, the building block of process.h (which
// includes this, for ProcessSpec): fork,
// a process group of its own, the given descriptors as stdin, stdout and
// stderr and no others, default signal dispositions and an empty signal
// mask, execvpe (PATH lookup when argv[0] has no '/') with the environment
// of the spec. A failing chdir or exec is reported through a CLOEXEC pipe,
// so the caller knows at once whether the child started.
//
// Includes fsutil.h, the file plumbing every program shares.
#ifndef MIXMASTER_SPAWN_H_
#define MIXMASTER_SPAWN_H_

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/fsutil.h"

namespace mm {

// What to run, and how (RunProcess, BackgroundProcess and SpawnChild).
struct ProcessSpec {
  // argv[0] is looked up in PATH when it has no '/'. Never passed to a shell.
  std::vector<std::string> argv;
  // Added to (or replacing in) the inherited environment, "NAME=value".
  std::vector<std::string> env;
  std::string cwd;  // empty: inherit
  // When feed_stdin is true, stdin_data is written to the child's stdin, which
  // is then closed; otherwise stdin is /dev/null.
  bool feed_stdin = false;
  std::string stdin_data;
  // Seconds before the group is stopped; 0 = no limit.
  double timeout_seconds = 0;
  // Seconds between TERM and KILL when stopping.
  double kill_grace_seconds = 10;
  // When not null and set non-zero (e.g. by a SIGTERM handler), the child's
  // group is stopped as on a timeout.
  const volatile sig_atomic_t* stop_requested = nullptr;
  // On a stop or timeout, TERM goes to the child alone, not its group, and
  // KILL to the group after the grace: a launcher (mmbuild(1) LAUNCHERS)
  // stops its build elsewhere itself, and a helper in its group may die
  // badly of a TERM.
  bool term_child_alone = false;
};

// Starts spec.argv (with spec.env and spec.cwd) and fills *pid. With
// `die_with_parent`, the child gets SIGTERM when this process dies. False
// with a message ("cannot run prog: No such file or directory", "cannot
// change to directory ...") when it could not start.
bool SpawnChild(const ProcessSpec& spec, int in_fd, int out_fd, int err_fd,
                bool die_with_parent, pid_t* pid, std::string* err);

// Called with the pid (= process group) of every child SpawnChild forks,
// right after the fork, and its spec's term_child_alone; nullptr: nobody.
// The child waits for it to return before it runs its program, and never
// runs it when this process dies first. The job guard (job_guard.h) uses
// it to know which groups to stop, and how, if the runner dies (mmbuild(1)
// KILLED RUNNER).
using SpawnObserver = void (*)(pid_t pid, bool term_child_alone);
void SetSpawnObserver(SpawnObserver observer);

}  // namespace mm

#endif  // MIXMASTER_SPAWN_H_
