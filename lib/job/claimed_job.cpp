#include "job/claimed_job.h"

#include "base/paths.h"

namespace mm {

std::string WorkspaceOf(const ClaimedJob& job) {
  return JoinPath(job.project_dir, SafeName(job.job.target));
}

std::vector<std::string> JobEnv(const ClaimedJob& job,
                                const std::string& commit) {
  return {
      "MIXMASTER_PROJECT=" + job.job.project,
      "MIXMASTER_TARGET=" + job.job.target,
      "MIXMASTER_TASK=" + job.job.task,
      "MIXMASTER_COMMIT=" + commit,
      "MIXMASTER_REPOSITORY_URL=" + job.job.repository_url,
      "MIXMASTER_VIEW_URL=" + job.job.view_url,
      "MIXMASTER_JOB=" + job.id,
      "MIXMASTER_LOG=" + job.log_path,
      "MIXMASTER_WORKSPACE=" + WorkspaceOf(job),
  };
}

}  // namespace mm
