#include "build/supersede.h"

#include <unistd.h>

#include "base/fsutil.h"
#include "base/ini.h"
#include "base/journal.h"
#include "base/paths.h"
#include "build/spool_reader.h"
#include "job/build_log.h"
#include "job/job_settings.h"

namespace mm {

bool Supersedes(const Job& newer, const Job& older) {
  return newer.project == older.project && newer.target == older.target &&
         newer.task == older.task;
}

std::string FindSupersedingJob(const std::string& spool,
                               const std::vector<std::string>& names,
                               const std::string& claimed_name,
                               const Job& claimed) {
  std::string newest;
  for (const std::string& name : names) {
    if (name <= claimed_name) continue;
    std::string text, err;
    Job job;
    if (!ReadRegularFile(JoinPath(spool, name), kMaxJobFileBytes, &text,
                         &err) ||
        !DecodeJob(text, name, &job, &err) || !Supersedes(job, claimed))
      continue;
    // `names` is sorted, so the last match is the newest.
    newest = IsJobId(job.id) ? job.id : name.substr(0, name.size() - 4);
  }
  return newest;
}

bool FinishSuperseded(const ClaimedJob& job, const std::string& by,
                      const Config& config, BuildObserver* observer,
                      std::string* err) {
  BuildLog log;
  if (!log.Open(job.log_path, SystemClock(), err)) return false;
  if (!log.BeginBuild(getpid(), SystemClock().Now(), err)) return false;
  if (!job.note.empty()) log.Line(marker::kMixmaster, job.note);
  log.Line(marker::kMixmaster,
           "Superseded by job " + OneLine(by) +
               ", newer for the same target and task; not built");
  if (observer) {
    // What a build's hook gets (mmbuild(1) ENVIRONMENT), with the commit
    // asked for, and the job that superseded it.
    Job resolved = job.job;
    JobSettings settings;
    std::string ignored;
    ResolveJob(config, &resolved, &settings, &ignored);
    std::vector<std::string> env = JobEnv(job, job.job.commit);
    env.push_back("MIXMASTER_SUPERSEDED_BY=" + by);
    BuildReport report{BuildEvent::kSuperseded,
                       resolved,
                       settings,
                       job.id,
                       job.job.commit,
                       job.log_path,
                       env,
                       BuildStatus::kError,
                       -1};
    observer->OnEvent(report, &log);
  }
  if (!log.EndSuperseded(SystemClock().Now(), by, err)) return false;
  if (!log.ok()) {
    *err = log.error();
    return false;
  }
  return true;
}

}  // namespace mm
