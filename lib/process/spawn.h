// Starting a child without a shell, the building block of process.h: fork,
// a process group of its own, the given descriptors as stdin, stdout and
// stderr and no others, default signal dispositions and an empty signal
// mask, execvpe (PATH lookup when argv[0] has no '/') with the environment
// of the spec. A failing chdir or exec is reported through a CLOEXEC pipe,
// so the caller knows at once whether the child started.
//
// Includes fsutil.h, the file plumbing every program shares.
#ifndef MIXMASTER_SPAWN_H_
#define MIXMASTER_SPAWN_H_

#include <sys/types.h>
#include <unistd.h>

#include <string>

#include "base/fsutil.h"
#include "process/process.h"

namespace mm {

// Starts spec.argv (with spec.env and spec.cwd) and fills *pid. With
// `die_with_parent`, the child gets SIGTERM when this process dies. False
// with a message ("cannot run prog: No such file or directory", "cannot
// change to directory ...") when it could not start.
bool SpawnChild(const ProcessSpec& spec, int in_fd, int out_fd, int err_fd,
                bool die_with_parent, pid_t* pid, std::string* err);

// Called with the pid (= process group) of every child SpawnChild forks,
// right after the fork (before its exec is known to have worked); nullptr:
// nobody. The job guard (job_guard.h) uses it to know which groups to stop
// if the runner dies (mmbuild(1) KILLED RUNNER).
using SpawnObserver = void (*)(pid_t pid);
void SetSpawnObserver(SpawnObserver observer);

}  // namespace mm

#endif  // MIXMASTER_SPAWN_H_
