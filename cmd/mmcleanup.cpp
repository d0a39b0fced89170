// mmcleanup: run by mixmaster.service as ExecStopPost=. When the service did
// not end in success, moves the jobs left in the spool to REJECTED/ (or
// deletes them with --delete) so that mixmaster.path does not loop; after a
// success, only what mmbuild never takes as a job, for the same reason.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/journal.h"
#include "base/paths.h"
#include "base/version.h"
#include "job/rejected.h"
#include "setup/cleanup.h"

namespace {

// One journal line per entry cleaned; kExitSystem when one was left behind.
int ReportOutcomes(const std::vector<mm::CleanupOutcome>& outcomes,
                   bool removed, const std::string& spool,
                   const mm::Journal& journal) {
  std::string why = mm::ServiceEndNote(
      getenv("SERVICE_RESULT"), getenv("EXIT_CODE"), getenv("EXIT_STATUS"));
  int status = mm::kExitOk;
  for (const mm::CleanupOutcome& o : outcomes) {
    std::string what = o.is_job ? "job " + o.name
                                : o.name +
                                      " (not a job: mmbuild takes "
                                      "regular *.ini files only)";
    if (!o.ok) {
      journal.Error(what + " left in the spool: " + o.error);
      status = mm::kExitSystem;
    } else if (removed) {
      journal.Warning(what + " deleted from " + spool + " " + why);
    } else {
      journal.Warning(what + (o.is_job ? " rejected" : "") + ": moved to " +
                      o.destination + " " + why);
      // The job file itself says why (mmcleanup(1)).
      std::string err;
      if (o.is_job && !mm::NoteRejection(
                          o.destination, "mmcleanup",
                          "still queued when mixmaster.service stopped " + why +
                              "; see journalctl --user -u "
                              "mixmaster.service",
                          mm::SystemClock().Now(), &err)) {
        journal.Warning("cannot note why it was rejected: " + err);
      }
    }
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  mm::Journal journal;
  journal.set_program("mmcleanup");

  CLI::App app{
      "Moves the jobs left in the Mixmaster spool to <buildRoot>/REJECTED/ "
      "when mixmaster.service did not succeed ($SERVICE_RESULT is not "
      "`success`); after a success, only what is not a job, which would "
      "make mixmaster.path start the service again and again."};
  app.set_version_flag("--version", mm::Version());
  std::string config_path, spool, build_root;
  bool remove = false;
  app.add_option("--config", config_path,
                 "configuration file (default: $MIXMASTER_CONFIG, else "
                 "$XDG_CONFIG_HOME/mixmaster.ini, else "
                 "~/.config/mixmaster.ini)");
  app.add_option("--spool", spool,
                 "clean this spool instead of the "
                 "configuration's");
  app.add_option("--build-root,--buildRoot", build_root,
                 "put REJECTED/ under this directory instead of the "
                 "configuration's buildRoot");
  app.add_flag("--delete", remove, "delete the jobs instead of moving them");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? mm::kExitOk : mm::kExitUsage;
  }

  bool failed = mm::ServiceFailed(getenv("SERVICE_RESULT"));
  bool config_explicit = !config_path.empty();
  if (!config_explicit) config_path = mm::DefaultConfigPath();
  mm::CleanupPaths paths;
  std::string err;
  if (!mm::ResolveCleanupPaths(config_path, config_explicit, spool, build_root,
                               mm::HomeDir(), &paths, &err)) {
    journal.Error(err);
    return mm::kExitConfig;
  }

  std::string rejected = mm::JoinPath(paths.build_root, "REJECTED");
  std::vector<mm::CleanupOutcome> outcomes;
  bool listed = mm::CleanUpSpool(
      paths.spool, rejected,
      remove ? mm::CleanupAction::kDelete : mm::CleanupAction::kMove,
      failed ? mm::CleanupScope::kEverything : mm::CleanupScope::kNotJobs,
      &outcomes, &err);
  // After a success, the fallback is worth a line only when it was acted on.
  for (const std::string& warning : paths.warnings) journal.Warning(warning);
  if (!paths.fallback_reason.empty() &&
      (failed || !listed || !outcomes.empty())) {
    journal.Warning("cannot use the configuration (" + paths.fallback_reason +
                    "); cleaning " + paths.spool);
  }
  if (!listed) {
    journal.Error(err);
    return mm::kExitSystem;
  }
  return ReportOutcomes(outcomes, remove, paths.spool, journal);
}
