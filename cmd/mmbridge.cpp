// mmbridge: the HTTP front door (mmbridge(1)). systemd starts one per
// connection with the socket on stdin and stdout; lib/bridge/bridge does the
// work, this file reads the options, prints the one journal line and picks the
// exit code.
#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <string>

#include "base/clock.h"
#include "base/exit_codes.h"
#include "base/journal.h"
#include "base/paths.h"
#include "base/version.h"
#include "bridge/bridge.h"
#include "bridge/sandbox.h"
#include "job/config.h"

namespace {

// mmbridge(1) EXIT STATUS: 0 whenever a 2xx or 4xx was sent, so that a bad
// request leaves no failed unit instance behind.
int ExitCode(mm::BridgeResult result) {
  switch (result) {
    case mm::BridgeResult::kAnswered:
      return mm::kExitOk;
    case mm::BridgeResult::kConfigUnreadable:
      return mm::kExitConfig;
    case mm::BridgeResult::kSpoolUnwritable:
    case mm::BridgeResult::kNotAnswered:
      break;
  }
  return mm::kExitSystem;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Reads one HTTP request on stdin (a socket from systemd), writes one "
      "job into the spool, answers on stdout.",
      "mmbridge"};
  mm::BridgeOptions options;
  app.add_option("--config", options.config_path,
                 "configuration file (default: $MIXMASTER_CONFIG, else "
                 "$XDG_CONFIG_HOME/mixmaster.ini, else "
                 "~/.config/mixmaster.ini)");
  app.set_version_flag("--version", mm::Version());
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? mm::kExitOk : mm::kExitUsage;
  }
  if (options.config_path.empty())
    options.config_path = mm::DefaultConfigPath();
  // MIXMASTER_READ_TIMEOUT is for tests (mmbridge(1)); systemd sets
  // REMOTE_ADDR for Accept=yes sockets.
  options.read_timeout_seconds =
      mm::ReadTimeoutSetting(getenv("MIXMASTER_READ_TIMEOUT"));
  const char* remote = getenv("REMOTE_ADDR");
  if (remote) options.remote_address = remote;

  mm::Journal journal(2);
  journal.set_program("mmbridge");
  // mmbridge(1) SECURITY: the sandbox is in place before the first byte of
  // the request is read, and built from the configuration's paths, read
  // once here for the request too (an unreadable one is answered 500 by
  // lib/bridge/bridge); $HOME is fixed first so that this needs no password
  // database.
  if (!getenv("HOME")) setenv("HOME", mm::HomeDir().c_str(), 1);
  bool loaded = mm::LoadBridgeConfig(&options);
  mm::SandboxReport sandbox;
  std::string err;
  if (!mm::EnterSandbox(
          mm::BridgeSandboxPaths(loaded ? &options.config : nullptr), &sandbox,
          &err)) {
    journal.Line(mm::Priority::kError, "cannot sandbox itself: " + err);
    return mm::kExitSystem;
  }
  // A notice, not a warning: it is about the machine, not the request, and
  // the request's own line follows (mmbridge(1) SECURITY).
  if (!sandbox.note.empty()) journal.Line(mm::Priority::kNotice, sandbox.note);
  // mixmaster.ini(5): a configuration that others can read gives the
  // secret away; said at each request until it is fixed.
  for (const std::string& warning : options.config.warnings)
    journal.Line(mm::Priority::kWarning, warning);

  // A client that hangs up makes write(2) fail with EPIPE, which is
  // reported, rather than kill the process before it logs.
  signal(SIGPIPE, SIG_IGN);
  mm::BridgeOutcome outcome =
      mm::ServeConnection(options, 0, 1, mm::SystemClock());

  journal.Line(outcome.priority, outcome.journal_line);
  return ExitCode(outcome.result);
}
