// What a job runs with, decided in this one place (mmbuild(1) FILES,
// mixmaster.ini(5) Projects): a job may leave out buildCommand, mailto and
// mode, which then come from the configuration (the command from the
// project's key for its target, target_match.h); and its mode,
// notifications and forge are read once into their enums. The bridge, the
// runner, `mmbuild --rebuild` and the pass over the logs of dead runners
// all call ResolveJob, so they cannot disagree about a job.
#ifndef MIXMASTER_JOB_SETTINGS_H_
#define MIXMASTER_JOB_SETTINGS_H_

#include <string>

#include "job/config.h"
#include "job/job.h"

namespace mm {

struct JobSettings {
  JobMode mode = JobMode::kNormal;
  Notifications notifications = Notifications::kAll;
  // kNone also for a forge name this version does not know; commit
  // statuses say so (mmbuild(1) COMMIT STATUSES).
  Forge forge = Forge::kNone;
  // A notifications value that is none of all, failures and none: taken as
  // all, and said once in the build log at the start.
  std::string warning;
};

// The configured project a job names; null with `err` ("unknown project
// NAME") when there is none.
const Project* ProjectOfJob(const Config& config, const Job& job,
                            std::string* err);

// Fills in buildCommand, mailto and mode where `job` leaves them out (its
// has_* flags are then true) and reads `settings` from it. Everything it
// can is filled in even when it fails: false, with `err`, when the job
// cannot be built (an unknown project, no key for its target, an unknown
// mode).
bool ResolveJob(const Config& config, Job* job, JobSettings* settings,
                std::string* err);

}  // namespace mm

#endif  // MIXMASTER_JOB_SETTINGS_H_
