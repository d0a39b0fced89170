// mmcleanup: run by mixmaster.service as ExecStopPost=. When the service did
// not end in success, moves the jobs left in the spool to REJECTED/ (or
// deletes them with --delete) so that mixmaster.path does not loop; after a
// success, only what mmbuild never takes as a job, for the same reason. Run
// by hand, it moves only what mmbuild cannot take, and asks first
// (mmcleanup(1)).
#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
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

// The plan, on standard output, and the question; kExitOk to go ahead.
int Confirm(const std::vector<mm::CleanupEntry>& entries, bool remove,
            const std::string& rejected, bool yes, const mm::Journal& journal) {
  std::cout << (remove ? "mmcleanup will delete:\n"
                       : "mmcleanup will move to " + rejected + "/:\n");
  for (const mm::CleanupEntry& e : entries)
    std::cout << "  " << mm::OneLine(e.name) << ": " << mm::OneLine(e.reason)
              << "\n";
  if (yes) return mm::kExitOk;
  if (!isatty(0)) {
    journal.Error(
        "no terminal to ask on: run `mmcleanup --yes` to go ahead without "
        "asking");
    return mm::kExitUsage;
  }
  std::cout << "Go ahead? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes" || answer == "YES")
    return mm::kExitOk;
  std::cout << "Nothing done.\n";
  return mm::kExitBadInput;
}

// One journal line per entry cleaned; kExitSystem when one was left behind.
int ReportOutcomes(const std::vector<mm::CleanupOutcome>& outcomes,
                   bool removed, const std::string& spool,
                   const std::string& why, const mm::Journal& journal) {
  int status = mm::kExitOk;
  for (const mm::CleanupOutcome& o : outcomes) {
    const mm::CleanupEntry& e = o.entry;
    std::string what =
        e.is_job ? "job " + e.name : e.name + " (" + e.reason + ")";
    if (!o.ok) {
      journal.Error(what + " left in the spool: " + o.error);
      status = mm::kExitSystem;
      continue;
    }
    if (removed) {
      journal.Warning(what + " deleted from " + spool + " " + why);
      continue;
    }
    journal.Warning(what + (e.is_job ? " rejected" : "") + ": moved to " +
                    o.destination + " " + why);
    if (!o.note_error.empty())
      journal.Warning("cannot note why it was moved: " + o.note_error);
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  mm::Journal journal;
  journal.set_program("mmcleanup");
  std::cout << std::unitbuf;

  CLI::App app{
      "Moves what mmbuild cannot run out of the Mixmaster spool into "
      "<buildRoot>/REJECTED/. As mixmaster.service's ExecStopPost: every job "
      "when the service did not succeed ($SERVICE_RESULT is not `success`), "
      "after a success only what is not a job, which would make "
      "mixmaster.path start the service again and again. By hand (no "
      "$SERVICE_RESULT): what is not a job and the jobs mmbuild would "
      "reject, after asking."};
  app.set_version_flag("--version", mm::Version());
  std::string config_path, spool, build_root;
  bool remove = false, yes = false, all = false;
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
  app.add_flag("--delete", remove, "delete the entries instead of moving them");
  app.add_flag("--all", all,
               "every entry of the spool, jobs mmbuild could build too");
  app.add_flag("--yes,-y", yes, "run by hand: do not ask before going ahead");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? mm::kExitOk : mm::kExitUsage;
  }

  const char* service_result = getenv("SERVICE_RESULT");
  bool by_hand = service_result == nullptr;
  bool config_explicit = !config_path.empty();
  if (!config_explicit) config_path = mm::DefaultConfigPath();
  mm::CleanupPaths paths;
  std::string err;
  if (!mm::ResolveCleanupPaths(config_path, config_explicit, spool, build_root,
                               mm::HomeDir(), &paths, &err)) {
    journal.Error(err);
    return mm::kExitConfig;
  }

  std::string why = mm::ServiceEndNote(service_result, getenv("EXIT_CODE"),
                                       getenv("EXIT_STATUS"));
  mm::CleanupScope scope = mm::ScopeFor(service_result, all);
  std::string queued_reason =
      by_hand ? "moved by hand with mmcleanup --all"
              : "still queued when mixmaster.service stopped " + why +
                    "; see journalctl --user -u mixmaster.service";
  bool usable = paths.fallback_reason.empty();
  std::vector<mm::CleanupEntry> entries;
  bool listed = mm::ListCleanup(
      paths.spool, scope, usable ? &paths.config : nullptr,
      "mmbuild cannot start: the configuration cannot be used (" +
          paths.fallback_reason + ")",
      queued_reason, &entries, &err);
  for (const std::string& warning : paths.warnings) journal.Warning(warning);
  // After a success, the fallback is worth a line only when it is acted on.
  if (!usable &&
      (scope != mm::CleanupScope::kNotJobs || !listed || !entries.empty())) {
    journal.Warning("cannot use the configuration (" + paths.fallback_reason +
                    "); cleaning " + paths.spool);
  }
  if (!listed) {
    journal.Error(err);
    return mm::kExitSystem;
  }
  std::string rejected = mm::JoinPath(paths.build_root, "REJECTED");
  if (by_hand) {
    if (entries.empty()) {
      std::cout << "Nothing to clean in " << paths.spool
                << ": mmbuild can take every job there.\n";
      return mm::kExitOk;
    }
    if (int rc = Confirm(entries, remove, rejected, yes, journal)) return rc;
  }
  std::vector<mm::CleanupOutcome> outcomes;
  if (!mm::CleanUpEntries(
          paths.spool, rejected,
          remove ? mm::CleanupAction::kDelete : mm::CleanupAction::kMove,
          entries, mm::SystemClock().Now(), &outcomes, &err)) {
    journal.Error(err);
    return mm::kExitSystem;
  }
  return ReportOutcomes(outcomes, remove, paths.spool, why, journal);
}
