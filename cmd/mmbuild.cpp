// mmbuild: runs spooled jobs (mmbuild(1)). No argument: every job in the spool,
// oldest first, until it is empty. FILE: that job file (copied into
// JOBS/<id>.log, left where it is). `-`: a job file on stdin.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <string>

#include "build_notifier.h"
#include "build_observers.h"
#include "build_queue.h"
#include "config.h"
#include "exit_codes.h"
#include "http_client.h"
#include "journal.h"
#include "paths.h"
#include "status_notifier.h"
#include "version.h"

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

  mm::InstallStopHandlers();
  // Mail and hook at each job's start, end and failure (mmbuild(1)
  // NOTIFICATIONS).
  mm::BuildNotifier notifier(config);
  mm::QueueOptions options;
  options.config = &config;
  options.journal = &journal;
  // The forge's commit status at each job's start and end
  // (mmbuild(1) COMMIT STATUSES); CURL_CA_BUNDLE names other CAs to trust.
  mm::HttpPostOptions http;
  if (const char* ca = getenv("CURL_CA_BUNDLE")) http.ca_bundle = ca;
  mm::StatusNotifier status_notifier(config, http);
  mm::BuildObservers observers;
  observers.Add(&notifier);
  observers.Add(&status_notifier);
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
