// mmcleanup: run by mixmaster.service as ExecStopPost=. When the service did
// not end in success, moves the jobs left in the spool to REJECTED/ (or
// deletes them with --delete) so that mixmaster.path does not loop.
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cleanup.h"
#include "journal.h"
#include "paths.h"
#include "version.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitConfig = 3;
constexpr int kExitSystem = 4;

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

// "(mixmaster.service: result exit-code, status 3)" or "(run by hand)".
std::string Why() {
  const char* result = getenv("SERVICE_RESULT");
  if (!result) return "(no $SERVICE_RESULT: run by hand)";
  std::string why = "(service result " + std::string(result);
  if (!Env("EXIT_STATUS").empty()) {
    why += ", " + (Env("EXIT_CODE").empty() ? "status" : Env("EXIT_CODE")) +
           " " + Env("EXIT_STATUS");
  }
  return why + ")";
}

}  // namespace

int main(int argc, char** argv) {
  mm::Journal journal;
  journal.set_program("mmcleanup");

  CLI::App app{
      "Moves the jobs left in the Mixmaster spool to <buildRoot>/REJECTED/ "
      "when mixmaster.service did not succeed ($SERVICE_RESULT is not "
      "`success`)."};
  app.set_version_flag("--version", mm::Version());
  std::string config_path, spool, build_root;
  bool remove = false;
  app.add_option("--config", config_path,
                 "configuration file (default: $MIXMASTER_CONFIG, else "
                 "$XDG_CONFIG_HOME/mixmaster.ini)");
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
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  if (!mm::ServiceFailed(getenv("SERVICE_RESULT"))) return 0;

  bool config_explicit = !config_path.empty();
  if (!config_explicit) config_path = mm::DefaultConfigPath();
  mm::CleanupPaths paths;
  std::string err;
  if (!mm::ResolveCleanupPaths(config_path, config_explicit, spool, build_root,
                               mm::HomeDir(), &paths, &err)) {
    journal.Error(err);
    return kExitConfig;
  }
  if (!paths.fallback_reason.empty()) {
    journal.Warning("cannot use the configuration (" + paths.fallback_reason +
                    "); cleaning " + paths.spool);
  }

  std::string rejected = mm::JoinPath(paths.build_root, "REJECTED");
  std::vector<mm::CleanupOutcome> outcomes;
  if (!mm::CleanUpSpool(
          paths.spool, rejected,
          remove ? mm::CleanupAction::kDelete : mm::CleanupAction::kMove,
          &outcomes, &err)) {
    journal.Error(err);
    return kExitSystem;
  }
  int status = 0;
  for (const mm::CleanupOutcome& o : outcomes) {
    if (!o.ok) {
      journal.Error("job " + o.name + " left in the spool: " + o.error);
      status = kExitSystem;
    } else if (remove) {
      journal.Warning("job " + o.name + " deleted from " + paths.spool + " " +
                      Why());
    } else {
      journal.Warning("job " + o.name + " rejected: moved to " + o.destination +
                      " " + Why());
    }
  }
  return status;
}
