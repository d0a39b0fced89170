// mmsetup: sets Mixmaster up for the current user (mmsetup(1)): build root,
// spool, configuration, drop-ins for a non-default port or spool, enabled
// user units; --teardown undoes it but keeps the builds.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "base/exit_codes.h"
#include "base/journal.h"
#include "base/paths.h"
#include "base/version.h"
#include "job/config.h"
#include "setup/config_check.h"
#include "setup/setup_config.h"
#include "setup/setup_plan.h"
#include "setup/setup_probe.h"
#include "setup/units.h"

namespace {

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

std::string Cwd() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof buf) ? buf : "/";
}

// Asks on the terminal unless `yes`. No terminal and no --yes: refuse,
// naming `again` (the command to run with --yes).
int Confirm(bool yes, const std::string& again, const mm::Journal& journal) {
  if (yes) return mm::kExitOk;
  if (!isatty(0)) {
    journal.Error("no terminal to ask on: run `" + again +
                  " --yes` to go ahead without asking");
    return mm::kExitUsage;
  }
  std::cout << "Go ahead? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes" || answer == "YES") {
    return mm::kExitOk;
  }
  std::cout << "Nothing done.\n";
  return mm::kExitBadInput;
}

void PrintPlan(const std::string& title,
               const std::vector<mm::SetupStep>& steps,
               const std::vector<std::vector<std::string>>& commands,
               const std::string& last) {
  if (!title.empty()) std::cout << title << "\n";
  for (const mm::SetupStep& s : steps) {
    std::cout << "  - " << s.Describe() << "\n";
  }
  for (const auto& c : commands) {
    std::cout << "  - run " << mm::SystemctlLine(c) << "\n";
  }
  if (!last.empty()) std::cout << "  - " << last << "\n";
}

// Runs each command in turn, its output as info lines; stops at the first
// that fails and returns its line, or "" when all went well.
std::string RunCommands(const std::vector<std::vector<std::string>>& commands,
                        const mm::Journal& journal) {
  for (const auto& c : commands) {
    mm::SystemctlResult r;
    mm::RunSystemctl(c, &r);
    for (const std::string& line : r.output) journal.Info("systemctl: " + line);
    if (!r.started || r.exit_code != 0) return mm::SystemctlLine(c);
  }
  return "";
}

// Says that the user manager did not answer `probe`, what was `done`
// anyway, and how to get one and what to run then (mmsetup(1) EXIT STATUS:
// nothing enabled is a failure).
int SayUnreachable(const mm::SystemctlResult& probe, const std::string& done,
                   const std::string& retry, const mm::Journal& journal) {
  journal.Error(done + "; " +
                mm::UnreachableHelp(probe, mm::UserName(), getuid(), retry));
  return mm::kExitSystem;
}

int Teardown(const mm::SetupSettings& settings, const std::string& config_path,
             const std::vector<std::string>& managed, bool yes,
             const mm::Journal& journal) {
  std::string backup = mm::ConfigBackupPath(config_path, time(nullptr));
  std::vector<mm::SetupStep> steps =
      mm::PlanTeardown(config_path, backup, managed);
  std::vector<std::vector<std::string>> commands = mm::TeardownCommands();
  std::cout << "mmsetup --teardown will:\n  - run "
            << mm::SystemctlLine(commands[0]) << "\n";
  PrintPlan("", steps, {commands[1]},
            "keep the build root " + settings.build_root + " and the spool " +
                settings.spool + " with everything in them");
  if (int rc = Confirm(yes, "mmsetup --teardown", journal)) return rc;

  // The units stop before their drop-ins go.
  mm::SystemctlResult probe;
  bool reachable = mm::UserManagerReachable(&probe);
  if (reachable) {
    std::string failed = RunCommands({commands[0]}, journal);
    if (!failed.empty()) journal.Warning("`" + failed + "` failed (see above)");
  }
  int status = 0;
  std::string err;
  for (const mm::SetupStep& s : steps) {
    if (!mm::ApplyStep(s, &err)) {
      journal.Error(err);
      status = mm::kExitSystem;
    }
  }
  if (reachable) RunCommands({commands[1]}, journal);
  if (!steps.empty() && steps[0].kind == mm::StepKind::kBackUpConfig &&
      status == 0) {
    std::cout << "Kept the configuration (projects, secret) in " << backup
              << ": `mv " << backup << " " << config_path
              << "` before `mmsetup` sets Mixmaster up with it again.\n";
  }
  std::cout << "Kept the build root " << settings.build_root
            << " and the spool " << settings.spool
            << ": remove them yourself if you no longer need the builds.\n";
  if (!reachable) {
    return SayUnreachable(probe, "the files are removed",
                          "`" + mm::SystemctlLine(commands[0]) + "`", journal);
  }
  return status;
}

// What the command line asks for.
struct Invocation {
  mm::SetupOptions options;
  std::string config_path;
  bool yes = false, dump = false, teardown = false, check = false;
  mm::CheckRequest check_request;
};

// --check: the configuration as every program reads it (mmsetup(1)
// CHECKING THE CONFIGURATION). Exit 3 when it cannot be used, 1 with
// warnings, else 0.
int Check(const Invocation& in, const mm::Journal& journal) {
  mm::Config config;
  std::string err;
  if (!mm::LoadConfig(in.config_path, &config, &err)) {
    journal.Error(err);
    return mm::kExitConfig;
  }
  mm::CheckReport report = mm::CheckConfig(config, in.check_request);
  std::cout << report.text;
  return report.warnings.empty() ? mm::kExitOk : mm::kExitBadInput;
}

void DeclareOptions(CLI::App* app, Invocation* in) {
  app->add_option("--config", in->config_path,
                  "configuration file to write (default: $MIXMASTER_CONFIG, "
                  "else $XDG_CONFIG_HOME/mixmaster.ini, else "
                  "~/.config/mixmaster.ini)");
  app->add_option("--build-root,--buildRoot", in->options.build_root,
                  "where builds live (default ~/Builds)");
  app->add_option("--spool", in->options.spool,
                  "where jobs wait (default <build root>/INBOX)");
  app->add_option("--email", in->options.email,
                  "address for build notifications (default: none)");
  app->add_option("--port", in->options.port,
                  "[ADDRESS:]PORT the webhook socket listens on (default "
                  "8585 on every address)");
  app->add_option("--key", in->options.key,
                  "passwordless SSH key added to each build's agent");
  app->add_flag("--no-secret,--noSecret", in->options.no_secret,
                "write no webhook secret (anyone who reaches the port can "
                "queue builds)");
  app->add_flag("--yes,-y", in->yes, "do not ask before going ahead");
  app->add_flag("--dump", in->dump, "print the configuration it would write");
  app->add_flag("--teardown", in->teardown,
                "disable the units and remove the drop-ins; move the "
                "configuration aside to a .bak file; keep the build root and "
                "spool");
  CLI::Option* check = app->add_flag(
      "--check", in->check,
      "print the configuration as the programs read it, with its warnings; "
      "exit 1 on a warning, 3 when it cannot be used");
  app->add_option("--branch", in->check_request.branch,
                  "with --check: the key and command each project would run "
                  "for this branch")
      ->needs(check);
  app->add_option("--task", in->check_request.task,
                  "with --check --branch: and this task")
      ->needs(check);
}

// Shows the plan, asks, writes the files and enables the units.
int Install(const Invocation& in, mm::SetupSettings settings,
            const std::string& secret, bool config_exists,
            const std::string& home, const std::string& unit_dir,
            const std::vector<std::string>& managed,
            const mm::Journal& journal) {
  const std::string& config_path = in.config_path;
  const mm::SetupOptions& options = in.options;
  const bool yes = in.yes;
  std::string err;
  // Without --port, a port chosen before stays.
  if (options.port.empty()) {
    mm::ReadPortDropIn(mm::PortDropIn(unit_dir), &settings.listen);
  }
  std::vector<mm::DropIn> desired = mm::DesiredDropIns(
      settings, home, unit_dir, mm::SiblingProgram("mmcleanup"));
  std::vector<mm::SetupStep> steps =
      mm::PlanSetup(settings, config_path,
                    mm::ConfigText(settings, home, secret), desired, managed);
  std::vector<std::vector<std::string>> commands =
      mm::SetupCommands(mm::ChangesDropIns(steps));
  PrintPlan("mmsetup will:", steps, commands, "");
  if (config_exists) {
    std::cout << "The existing configuration is kept: edit it to change the "
                 "build root, spool, email, key or secret.\n";
  }
  if (int rc = Confirm(yes, "mmsetup", journal)) return rc;

  for (const mm::SetupStep& s : steps) {
    if (!mm::ApplyStep(s, &err)) {
      journal.Error(err);
      return mm::kExitSystem;
    }
  }
  mm::SystemctlResult probe;
  if (!mm::UserManagerReachable(&probe)) {
    // The forge can be set up already; the units wait for a manager.
    std::cout << mm::ForgeInstructions(settings.listen, mm::HostName(), secret,
                                       config_path);
    return SayUnreachable(probe, "the files are written",
                          "`mmsetup --yes` again (it keeps what exists)",
                          journal);
  }
  std::string failed = RunCommands(commands, journal);
  if (!failed.empty()) {
    journal.Error("`" + failed + "` failed (see above): " +
                  mm::ExplainSocketFailure(settings.listen));
    return mm::kExitSystem;
  }
  // What is printed next is proved first, through the installed units.
  std::string answered;
  std::vector<std::string> why;
  if (!mm::CheckBridgeAnswers(settings.listen, Env("XDG_RUNTIME_DIR"),
                              &answered, &why)) {
    journal.Error("the units are enabled, but " + why[0]);
    for (size_t i = 1; i < why.size(); ++i) journal.Info(why[i]);
    return mm::kExitSystem;
  }
  std::cout << answered << ".\n";
  std::cout << "Mixmaster listens on " << settings.listen.ListenStream()
            << " and builds what arrives in " << settings.spool << ".\n";
  std::cout << mm::ForgeInstructions(settings.listen, mm::HostName(), secret,
                                     config_path);
  return mm::kExitOk;
}

// Everything after the options: settings, an existing configuration,
// then --dump, --teardown or the setup itself.
int Run(Invocation* invocation, const mm::Journal& journal) {
  Invocation& in = *invocation;
  std::string home = mm::HomeDir(), err;
  mm::SetupSettings settings;
  if (!mm::ResolveSetupSettings(in.options, home, Cwd(), &settings, &err)) {
    journal.Error(err);
    return mm::kExitUsage;
  }
  if (in.config_path.empty()) in.config_path = mm::DefaultConfigPath();
  const std::string& config_path = in.config_path;
  std::string secret;
  if (settings.with_secret && !in.teardown &&
      !mm::RandomSecret(&secret, &err)) {
    journal.Error(err);
    return mm::kExitSystem;
  }
  if (in.dump) {
    std::cout << mm::ConfigText(settings, home, secret);
    return mm::kExitOk;
  }

  // An existing configuration is never overwritten, and it is what the
  // drop-ins and the forge settings must agree with.
  struct stat st;
  bool config_exists = lstat(config_path.c_str(), &st) == 0;
  if (config_exists) {
    mm::Config config;
    if (mm::LoadConfig(config_path, &config, &err)) {
      for (const std::string& warning : config.warnings)
        journal.Warning(warning);
      mm::AdoptConfig(config, &settings, &secret);
    } else if (!in.teardown) {
      journal.Error("the existing configuration cannot be used: " + err +
                    "; fix it or move it away (mmsetup never overwrites it)");
      return mm::kExitConfig;
    }
  }
  std::string unit_dir = mm::UserUnitDir(Env("XDG_CONFIG_HOME"), home);
  std::vector<std::string> managed = mm::ManagedDropIns(unit_dir);
  if (in.teardown) {
    return Teardown(settings, config_path, managed, in.yes, journal);
  }

  // Before anything changes: a spool the bridge cannot write would make
  // every request a 500 (mmsetup(1) --spool).
  if (!mm::CheckBridgeCanWrite("spool", settings.spool, &err) ||
      !mm::CheckBridgeCanWrite("build root", settings.build_root, &err)) {
    if (config_exists) err += " (it is set in " + config_path + ")";
    journal.Error(err);
    return config_exists ? mm::kExitConfig : mm::kExitUsage;
  }
  return Install(in, settings, secret, config_exists, home, unit_dir, managed,
                 journal);
}

}  // namespace

int main(int argc, char** argv) {
  mm::Journal journal;
  journal.set_program("mmsetup");
  // The plan (stdout) and the diagnostics (stderr, unbuffered) reach a pipe
  // or file in the order they happen.
  std::cout << std::unitbuf;

  CLI::App app{
      "Sets Mixmaster up for this user: creates the build root and spool, "
      "writes the configuration (with a random webhook secret) and any "
      "drop-ins, and enables the user units mixmaster-bridge.socket and "
      "mixmaster.path. Shows the plan and asks first."};
  app.set_version_flag("--version", mm::Version());
  Invocation in;
  DeclareOptions(&app, &in);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? mm::kExitOk : mm::kExitUsage;
  }
  if (in.dump + in.teardown + in.check > 1) {
    journal.Error("--dump, --teardown and --check do not go together");
    return mm::kExitUsage;
  }
  if (in.check) {
    if (in.config_path.empty()) in.config_path = mm::DefaultConfigPath();
    return Check(in, journal);
  }

  return Run(&in, journal);
}
