// Finishing the logs of builds whose runner died (mmbuild(1) KILLED
// RUNNER). A claimed job's log without [result] is an orphan when the pid
// its [build] section names is gone and nobody holds the log's lock (the
// runner holds it for the life of the build, job_guard.h): both must hold,
// so that a running build is never taken for a dead one, even when its pid
// was handed out again. An orphan gets a `#` line saying the runner died and
// when this was noticed, the failure notifications, and `[result]` with
// `status = error`; before that, when [build] names a launcher, that
// launcher's --stop (mmbuild(1) LAUNCHERS). A log without [build] nor
// [result] that nobody holds the lock of (ClaimedJob::lock) is a job whose
// mmbuild died between claiming it and starting its runner: it goes back
// into the spool.
#ifndef MIXMASTER_ORPHAN_LOG_H_
#define MIXMASTER_ORPHAN_LOG_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/clock.h"
#include "job/config.h"
#include "report/build_observers.h"

namespace mm {

struct OrphanReport {
  std::vector<std::string> finished;  // one line per log finished
  std::vector<std::string> requeued;  // one line per job queued again
  std::vector<std::string> problems;  // what could not be read or written
};

// Finishes every orphaned log under <buildRoot>/<project>/JOBS/ of the
// projects of `config`, telling `observer` (may be null) of each failure
// as the runner would have, and queues again the jobs claimed but never
// started.
void FinishOrphanLogs(const Config& config, const Clock& clock,
                      BuildObserver* observer, OrphanReport* report);

// Finishes the one log at `path` if it is an orphan. True when it did.
// `cause`, when known (the mmbuild that forked the runner saw it end),
// goes into the `#` line, e.g. "killed by signal 9".
bool FinishOrphanLog(const std::string& path, const Config& config,
                     const Clock& clock, BuildObserver* observer,
                     std::string* err, const std::string& cause = "");

// Moves the log at `path` back into `spool` as <id>.ini when it is a job
// claimed but never started (no [build], no [result], its lock free), so
// that it is built as if it had never been claimed. True when it did;
// `dest` is its path in the spool.
bool RequeueUnstartedJob(const std::string& path, const std::string& spool,
                         std::string* dest, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_ORPHAN_LOG_H_
