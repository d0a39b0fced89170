// mmbuild: runs spooled jobs (mmbuild(1)). No argument: every job in the spool,
// oldest first, until it is empty. FILE: that job file (copied into
// JOBS/<id>.log, left where it is). `-`: a job file on stdin.
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/fsutil.h"
#include "base/journal.h"
#include "base/paths.h"
#include "base/version.h"
#include "build/build_console.h"
#include "build/build_queue.h"
#include "build/orphan_log.h"
#include "job/build_history.h"
#include "job/config.h"
#include "report/build_observers.h"
#include "report/http_client.h"
#include "report/notify.h"
#include "report/status_notifier.h"

namespace {

// --list (PROJECT may be empty), --follow or --rebuild: one of them is set;
// `follow` and `rebuild` are ID [PROJECT] (mmbuild(1) BUILD HISTORY).
int History(const mm::Config& config, const mm::Journal& journal,
            const std::string* list_project,
            const std::vector<std::string>& follow,
            const std::vector<std::string>& rebuild) {
  std::string err, text, status;
  if (list_project) {
    if (!mm::ListBuilds(config, *list_project, isatty(1), &text, &err)) {
      journal.Error(err);
      return mm::kExitBadInput;
    }
    return mm::WriteAll(1, text.data(), text.size()) ? mm::kExitOk
                                                     : mm::kExitSystem;
  }
  const std::vector<std::string>& words = follow.empty() ? rebuild : follow;
  mm::BuildName build{words[0], words.size() > 1 ? words[1] : ""};
  if (!follow.empty()) {
    mm::FollowOptions options;
    options.limit_seconds = mm::LiveLogSeconds(config.timeout);
    switch (mm::FollowBuild(config, build, 1, options, &status, &err)) {
      case mm::FollowResult::kSuccess:
        return mm::kExitOk;
      case mm::FollowResult::kFailed:
        return mm::kExitBadInput;
      case mm::FollowResult::kNoSuchJob:
        journal.Error(err);
        return mm::kExitUsage;
      case mm::FollowResult::kNoResult:
      case mm::FollowResult::kError:
        break;
    }
    journal.Error(err);
    return mm::kExitSystem;
  }
  mm::Rebuild queued;
  if (!mm::RebuildJob(config, build, mm::SystemClock(), &queued, &err)) {
    journal.Error(err);
    return mm::kExitBadInput;
  }
  text = "queued " + queued.id + "\n" + "a rebuild of " + queued.of +
         " with the command of key `" + mm::OneLine(queued.key) +
         "` in the configuration: " + mm::OneLine(queued.command) + "\n";
  if (queued.old_command != queued.command)
    text += "(" + queued.of + " ran " +
            (queued.old_command.empty()
                 ? std::string("the configuration's command of its time")
                 : mm::OneLine(queued.old_command)) +
            ")\n";
  return mm::WriteAll(1, text.data(), text.size()) ? mm::kExitOk
                                                   : mm::kExitSystem;
}

// The spool, or the job FILE (`-`: stdin), to the end (mmbuild(1) QUEUE).
int RunJobs(const mm::Config& config, const mm::Journal& journal,
            const std::string& job_file) {
  mm::InstallStopHandlers();
  // Mail and hook at each job's start, end and failure (mmbuild(1)
  // NOTIFICATIONS).
  mm::Notifier notifier(config);
  // The forge's commit status at each job's start and end
  // (mmbuild(1) COMMIT STATUSES); CURL_CA_BUNDLE names other CAs to trust.
  mm::HttpPostOptions http;
  if (const char* ca = getenv("CURL_CA_BUNDLE")) http.ca_bundle = ca;
  mm::CurlHttpClient client(http);
  mm::StatusNotifier status_notifier(config, client);
  mm::BuildObservers observers;
  observers.Add(&notifier);
  observers.Add(&status_notifier);
  // Logs whose runner died are finished first, with their mails and
  // statuses (mmbuild(1) KILLED RUNNER).
  mm::OrphanReport orphans;
  mm::FinishOrphanLogs(config, mm::SystemClock(), &observers, &orphans);
  for (const std::string& line : orphans.finished) journal.Warning(line);
  for (const std::string& line : orphans.requeued) journal.Warning(line);
  for (const std::string& line : orphans.problems) journal.Error(line);

  mm::QueueOptions options;
  options.config = &config;
  options.journal = &journal;
  options.observer = &observers;

  mm::QueueStatus status = job_file.empty()
                               ? mm::RunSpool(options)
                               : mm::RunGivenJob(job_file, options);
  switch (status) {
    case mm::QueueStatus::kDone:
      return mm::kExitOk;
    case mm::QueueStatus::kBadJob:
      return mm::kExitBadInput;
    case mm::QueueStatus::kSystemError:
      return mm::kExitSystem;
  }
  return mm::kExitSystem;
}

}  // namespace

int main(int argc, char** argv) {
  mm::Journal journal;
  journal.set_program("mmbuild");

  CLI::App app{
      "Runs Mixmaster build jobs: every job in the spool, oldest first, "
      "until it is empty; or the job FILE given; or a job on stdin (`-`)."};
  app.set_version_flag("--version", mm::Version());
  std::string config_path, job_file;
  app.add_option("--config", config_path,
                 "configuration file (default: $MIXMASTER_CONFIG, else "
                 "$XDG_CONFIG_HOME/mixmaster.ini, else "
                 "~/.config/mixmaster.ini)");
  app.add_option("FILE", job_file,
                 "a job file to run (copied into JOBS/, left in place); `-` "
                 "reads one from stdin");
  // mmbuild(1) BUILD HISTORY: the build logs in a terminal.
  std::string list_project;
  std::vector<std::string> follow_build, rebuild_build;
  CLI::Option* list =
      app.add_option("--list", list_project,
                     "list the builds (of PROJECT), newest first")
          ->expected(0, 1);
  // ID [PROJECT]: an id, a unique prefix of one, or `last`.
  CLI::Option* follow =
      app.add_option("--follow", follow_build,
                     "ID [PROJECT]: print a build's log as it grows, until "
                     "it ends; ID is an id, a prefix of one, or `last`")
          ->expected(1, 2);
  CLI::Option* rebuild =
      app.add_option("--rebuild", rebuild_build,
                     "ID [PROJECT]: queue a copy of a build's job under a new "
                     "id, with the configuration's command now")
          ->expected(1, 2);
  list->excludes(follow)->excludes(rebuild);
  follow->excludes(rebuild);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? mm::kExitOk : mm::kExitUsage;
  }

  if (config_path.empty()) config_path = mm::DefaultConfigPath();
  mm::Config config;
  std::string err;
  if (!mm::LoadConfig(config_path, &config, &err)) {
    journal.Error(err);
    return mm::kExitConfig;
  }
  for (const std::string& warning : config.warnings) journal.Warning(warning);
  if (list->count() || follow->count() || rebuild->count())
    return History(config, journal, list->count() ? &list_project : nullptr,
                   follow_build, rebuild_build);

  return RunJobs(config, journal, job_file);
}
