#include "job/job_settings.h"

#include "base/ini.h"
#include "base/journal.h"
#include "base/text.h"
#include "job/repository_url.h"
#include "job/target_match.h"

namespace mm {

const Project* ProjectOfJob(const Config& config, const Job& job,
                            std::string* err) {
  const Project* project = config.FindProject(job.project);
  if (!project) *err = "unknown project " + Printable(job.project);
  return project;
}

bool ResolveJob(const Config& config, Job* job, JobSettings* settings,
                std::string* err) {
  *settings = JobSettings();
  if (!job->has_mailto) job->mailto = config.mailto;
  if (!job->has_mode) job->mode = config.mode;
  job->has_mailto = job->has_mode = true;
  // mmbuild(1) NOTIFICATIONS: case and blanks do not matter, and an
  // unknown value must not cost the user the failure mail.
  // A job that says nothing (every forge push does) gets the project's
  // `:notify`, else `[_]` notify (mixmaster.ini(5) Project settings).
  std::string wish = AsciiLower(Trim(job->notifications));
  if (wish.empty()) {
    const Project* project = config.FindProject(job->project);
    wish = project ? ProjectSettingValue(config, *project, "notify",
                                         job->target, job->task)
                   : config.notify;
    wish = AsciiLower(Trim(wish));
  }
  if (!wish.empty() && !ParseNotifications(wish, &settings->notifications))
    settings->warning = "unknown notifications value '" +
                        OneLine(job->notifications) + "', taken as 'all'";
  ParseForge(job->forge, &settings->forge);

  std::string problem;
  if (!ParseJobMode(job->mode, &settings->mode))
    problem = "unknown mode `" + job->mode + "`: normal or dryrun";
  // A project that pins its repository is fetched from that one alone.
  if (const Project* project = config.FindProject(job->project)) {
    std::string pinned = ProjectSettingValue(config, *project, "repository",
                                             job->target, job->task);
    if (!pinned.empty() && !SameRepository(pinned, job->repository_url))
      settings->other_repository = job->repository_url;
    if (!pinned.empty()) job->repository_url = pinned;
  }
  if (!job->has_build_command) {
    const Project* project = ProjectOfJob(config, *job, &problem);
    TargetMatch match;
    if (project &&
        MatchTarget(*project, job->target, job->task, &match, &problem)) {
      job->build_command = match.command;
      job->has_build_command = true;
    }
  }
  if (problem.empty()) return true;
  *err = problem;
  return false;
}

}  // namespace mm
