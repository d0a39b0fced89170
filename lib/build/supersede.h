// Superseded jobs (mmbuild(1) QUEUE): when mmbuild takes a job from the spool
// and newer jobs for the same project, target and task wait there, only the
// newest of them builds. Each older one is finished at once, without mail:
// its log gets a `#` line naming the job that superseded it and
// `status = superseded`, and the hook runs with `job-superseded`.
#ifndef MIXMASTER_SUPERSEDE_H_
#define MIXMASTER_SUPERSEDE_H_

#include <string>
#include <vector>

#include "build/spool_reader.h"
#include "job/config.h"
#include "job/job.h"
#include "report/build_observers.h"

namespace mm {

// True when `newer` supersedes `older`: same project, target and task (an
// empty task is a task of its own: a build never supersedes a task's run).
bool Supersedes(const Job& newer, const Job& older);

// The newest job of `spool` among `names` (spool file names, oldest first)
// that sorts after `claimed_name` and supersedes `claimed`, as its id (its
// file name without `.ini` when the id is not a safe file name); empty when
// none does. Jobs that cannot be read or decoded do not count: the queue
// rejects them in turn.
std::string FindSupersedingJob(const std::string& spool,
                               const std::vector<std::string>& names,
                               const std::string& claimed_name,
                               const Job& claimed);

// Completes the log of `job`, claimed but never built, as superseded by the
// job `by`, and tells `observer` (may be null) BuildEvent::kSuperseded: the
// hook runs with MIXMASTER_EVENT `job-superseded`. False when the log cannot
// be written.
bool FinishSuperseded(const ClaimedJob& job, const std::string& by,
                      const Config& config, BuildObserver* observer,
                      std::string* err);

}  // namespace mm

#endif  // MIXMASTER_SUPERSEDE_H_
