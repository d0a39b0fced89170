// Finishing the logs of builds whose runner died (mmbuild(1) KILLED
// RUNNER). A claimed job's log without [result] is an orphan when the pid
// its [build] section names is gone and nobody holds the log's lock (the
// runner holds it for the life of the build, job_guard.h): both must hold,
// so that a running build is never taken for a dead one, even when its pid
// was handed out again. An orphan gets a `#` line saying the runner died and
// when this was noticed, the failure notifications, and `[result]` with
// `status = error`. A log without [build] (a runner killed between claiming
// the job and starting it) is left alone.
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
  std::vector<std::string> problems;  // what could not be read or written
};

// Finishes every orphaned log under <buildRoot>/<project>/JOBS/ of the
// projects of `config`, telling `observer` (may be null) of each failure
// as the runner would have.
void FinishOrphanLogs(const Config& config, const Clock& clock,
                      BuildObserver* observer, OrphanReport* report);

// Finishes the one log at `path` if it is an orphan. True when it did.
// `cause`, when known (the mmbuild that forked the runner saw it end),
// goes into the `#` line, e.g. "killed by signal 9".
bool FinishOrphanLog(const std::string& path, const Config& config,
                     const Clock& clock, BuildObserver* observer,
                     std::string* err, const std::string& cause = "");

}  // namespace mm

#endif  // MIXMASTER_ORPHAN_LOG_H_
