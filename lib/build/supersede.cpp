#include "build/supersede.h"

#include <unistd.h>

#include "base/ini.h"
#include "base/journal.h"
#include "base/paths.h"
#include "build/build_runner.h"
#include "job/build_log.h"
#include "report/hook.h"
#include "report/notify.h"

namespace mm {
namespace {

// The environment the hook sees for a superseded job: what a build's hook
// gets (mmbuild(1) ENVIRONMENT), with the commit asked for, and the job that
// superseded it.
std::vector<std::string> SupersededEnv(const ClaimedJob& job,
                                       const std::string& by,
                                       const Config& config) {
  std::vector<std::string> env = JobEnv(job, job.job.commit);
  env.push_back(
      "MIXMASTER_NOTIFICATIONS=" +
      PlanNotification(BuildEvent::kFail, job.job, config).notifications);
  env.push_back("MIXMASTER_SUPERSEDED_BY=" + by);
  return env;
}

}  // namespace

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
    if (!ReadFile(JoinPath(spool, name), &text, &err) ||
        !DecodeJob(text, name, &job, &err) || !Supersedes(job, claimed))
      continue;
    // `names` is sorted, so the last match is the newest.
    newest = IsSafeJobId(job.id) ? job.id : name.substr(0, name.size() - 4);
  }
  return newest;
}

bool FinishSuperseded(const ClaimedJob& job, const std::string& by,
                      const Config& config, std::string* err) {
  BuildLog log;
  if (!log.Open(job.log_path, SystemClock(), err)) return false;
  if (!log.BeginBuild(getpid(), SystemClock().Now(), err)) return false;
  if (!job.note.empty()) log.Line(marker::kMixmaster, job.note);
  log.Line(marker::kMixmaster,
           "Superseded by job " + OneLine(by) +
               ", newer for the same target and task; not built");
  if (!config.hook.empty()) {
    HookOptions hook;
    hook.program = config.hook;
    std::string why;
    if (!RunHook(
            hook, "job-superseded", SupersededEnv(job, by, config),
            [&log](const std::string& line) { log.Line(marker::kHook, line); },
            &why))
      log.Line(marker::kStderr, why + " (ignored)");
  }
  if (!log.EndSuperseded(SystemClock().Now(), err)) return false;
  if (!log.ok()) {
    *err = log.error();
    return false;
  }
  return true;
}

}  // namespace mm
