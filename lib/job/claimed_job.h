// A job claimed to run (mmbuild(1) How a job runs, FILES): its log in
// <buildRoot>/<project dir>/JOBS/<id>.log, its workspace beside, and the
// MIXMASTER_* variables that the build, the hook and the mails see. Here,
// below the build and the reporting, so that whoever observes a build
// needs nothing of the runner.
#ifndef MIXMASTER_CLAIMED_JOB_H_
#define MIXMASTER_CLAIMED_JOB_H_

#include <string>
#include <vector>

#include "job/job.h"

namespace mm {

// A job ready to run: decoded, its project configured, its log in place.
struct ClaimedJob {
  Job job;
  std::string id;           // the log's name: job.id when safe, else fresh
  std::string project_dir;  // <buildRoot>/<SafeName(project)>
  std::string log_path;     // <project dir>/JOBS/<id>.log
  std::string note;         // why `id` differs from job.id, if it does
};

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

#endif  // MIXMASTER_CLAIMED_JOB_H_
