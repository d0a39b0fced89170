// mmsetup: sets Mixmaster up for the current user (SPEC 8): build root,
// spool, configuration, drop-ins for a non-default port or spool, enabled
// user units; --teardown undoes it but keeps the builds.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "config.h"
#include "journal.h"
#include "paths.h"
#include "setup_config.h"
#include "setup_plan.h"
#include "units.h"
#include "version.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitConfig = 3;
constexpr int kExitSystem = 4;

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

std::string Cwd() {
  char buf[PATH_MAX];
  return getcwd(buf, sizeof buf) ? buf : "/";
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

// mmcleanup beside this mmsetup, for the ExecStopPost= drop-in.
std::string CleanupProgram() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "mmcleanup";
  std::string self(buf, static_cast<size_t>(n));
  return mm::JoinPath(self.substr(0, self.rfind('/')), "mmcleanup");
}

std::string Joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

const std::vector<std::string> kUnits = {mm::kSocketUnit, mm::kPathUnit};

// `verb` followed by the two units.
std::vector<std::string> WithUnits(std::vector<std::string> verb) {
  verb.insert(verb.end(), kUnits.begin(), kUnits.end());
  return verb;
}

// Asks on the terminal unless `yes`. No terminal and no --yes: refuse.
int Confirm(bool yes, const mm::Journal& journal) {
  if (yes) return 0;
  if (!isatty(0)) {
    journal.Error(
        "no terminal to ask on: run `mmsetup --yes` to go ahead without "
        "asking");
    return kExitUsage;
  }
  std::cout << "Go ahead? [y/N] " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes" || answer == "YES") {
    return 0;
  }
  std::cout << "Nothing done.\n";
  return 1;
}

bool RunSystemctlStep(const std::vector<std::string>& args,
                      const mm::Journal& journal, mm::SystemctlResult* r) {
  mm::RunSystemctl(args, r);
  for (const std::string& line : r->output) journal.Info("systemctl: " + line);
  return r->started && r->exit_code == 0;
}

void PrintPlan(const std::string& title,
               const std::vector<mm::SetupStep>& steps,
               const std::vector<std::string>& extra) {
  if (!title.empty()) std::cout << title << "\n";
  for (const mm::SetupStep& s : steps)
    std::cout << "  - " << s.Describe() << "\n";
  for (const std::string& e : extra) std::cout << "  - " << e << "\n";
}

int Teardown(const mm::SetupSettings& settings, const std::string& config_path,
             const std::vector<std::string>& managed, bool yes,
             const mm::Journal& journal) {
  std::vector<mm::SetupStep> steps = mm::PlanTeardown(config_path, managed);
  std::string keep = "keep the build root " + settings.build_root +
                     " and the spool " + settings.spool +
                     " with everything in them";
  std::cout << "mmsetup --teardown will:\n  - run systemctl --user disable "
               "--now "
            << Joined(kUnits) << "\n";
  PrintPlan("", steps, {"run systemctl --user daemon-reload", keep});
  if (int rc = Confirm(yes, journal)) return rc;

  mm::SystemctlResult r;
  bool reachable =
      RunSystemctlStep(WithUnits({"disable", "--now"}), journal, &r);
  if (!reachable) {
    journal.Warning(
        "could not disable the units (see above); check with "
        "`systemctl --user status " +
        Joined(kUnits) + "`");
  }
  int status = 0;
  std::string err;
  for (const mm::SetupStep& s : steps) {
    if (!mm::ApplyStep(s, &err)) {
      journal.Error(err);
      status = kExitSystem;
    }
  }
  if (reachable) RunSystemctlStep({"daemon-reload"}, journal, &r);
  std::cout << "Kept the build root " << settings.build_root
            << " and the spool " << settings.spool
            << ": remove them yourself if you no longer need the builds.\n";
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  mm::Journal journal;
  journal.set_program("mmsetup");

  CLI::App app{
      "Sets Mixmaster up for this user: creates the build root and spool, "
      "writes the configuration (with a random webhook secret) and any "
      "drop-ins, and enables the user units mixmaster-bridge.socket and "
      "mixmaster.path. Shows the plan and asks first."};
  app.set_version_flag("--version", mm::Version());
  mm::SetupOptions options;
  std::string config_path;
  bool yes = false, dump = false, teardown = false;
  app.add_option("--config", config_path,
                 "configuration file to write (default: $MIXMASTER_CONFIG, "
                 "else $XDG_CONFIG_HOME/mixmaster.ini)");
  app.add_option("--build-root,--buildRoot", options.build_root,
                 "where builds live (default ~/Builds)");
  app.add_option("--spool", options.spool,
                 "where jobs wait (default <build root>/INBOX)");
  app.add_option("--email", options.email,
                 "address for build notifications (default: none)");
  app.add_option("--port", options.port,
                 "[ADDRESS:]PORT the webhook socket listens on (default "
                 "8585 on every address)");
  app.add_option("--key", options.key,
                 "passwordless SSH key added to each build's agent");
  app.add_flag("--no-secret,--noSecret", options.no_secret,
               "write no webhook secret (anyone who reaches the port can "
               "queue builds)");
  app.add_flag("--yes,-y", yes, "do not ask before going ahead");
  app.add_flag("--dump", dump, "print the configuration it would write");
  app.add_flag("--teardown", teardown,
               "disable the units, remove the configuration and drop-ins; "
               "keep the build root and spool");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  if (dump && teardown) {
    journal.Error("--dump and --teardown do not go together");
    return kExitUsage;
  }

  std::string home = mm::HomeDir(), err;
  mm::SetupSettings settings;
  if (!mm::ResolveSetupSettings(options, home, Cwd(), &settings, &err)) {
    journal.Error(err);
    return kExitUsage;
  }
  if (config_path.empty()) config_path = mm::DefaultConfigPath();
  std::string secret;
  if (settings.with_secret && !teardown && !mm::RandomSecret(&secret, &err)) {
    journal.Error(err);
    return kExitSystem;
  }
  if (dump) {
    std::cout << mm::ConfigText(settings, home, secret);
    return 0;
  }

  // An existing configuration is never overwritten, and it is what the
  // drop-ins and the forge settings must agree with.
  struct stat st;
  bool config_exists = lstat(config_path.c_str(), &st) == 0;
  if (config_exists) {
    mm::Config config;
    if (!mm::LoadConfig(config_path, &config, &err)) {
      if (!teardown) {
        journal.Error("the existing configuration cannot be used: " + err +
                      "; fix it or move it away (mmsetup never overwrites "
                      "it)");
        return kExitConfig;
      }
    } else {
      settings.build_root = config.build_root;
      settings.spool = config.spool;
      settings.mailto = config.mailto;
      settings.ssh_key = config.ssh_key;
      secret = config.secret;
    }
  }
  std::string unit_dir = mm::UserUnitDir(Env("XDG_CONFIG_HOME"), home);
  std::vector<std::string> managed = mm::ManagedDropIns(unit_dir);
  if (teardown) {
    return Teardown(settings, config_path, managed, yes, journal);
  }

  // Without --port, a port chosen before stays.
  if (options.port.empty()) {
    mm::ReadPortDropIn(mm::PortDropIn(unit_dir), &settings.listen);
  };
  std::vector<mm::DropIn> desired =
      mm::DesiredDropIns(settings, home, unit_dir, CleanupProgram());
  std::vector<mm::SetupStep> steps =
      mm::PlanSetup(settings, config_path,
                    mm::ConfigText(settings, home, secret), desired, managed);
  // Running units read a changed drop-in only when restarted.
  bool dropins_change = false;
  for (const mm::SetupStep& s : steps) {
    dropins_change |= s.Changes() && (s.kind == mm::StepKind::kWriteDropIn ||
                                      s.kind == mm::StepKind::kReplaceDropIn ||
                                      s.kind == mm::StepKind::kRemoveDropIn);
  }
  std::vector<std::vector<std::string>> commands = {
      {"daemon-reload"}, WithUnits({"enable", "--now"})};
  if (dropins_change) commands.push_back(WithUnits({"restart"}));
  std::vector<std::string> command_lines;
  for (const auto& c : commands) {
    command_lines.push_back("systemctl --user " + Joined(c));
  }
  std::vector<std::string> extra;
  for (const std::string& line : command_lines) extra.push_back("run " + line);
  PrintPlan("mmsetup will:", steps, extra);
  if (config_exists) {
    std::cout << "The existing configuration is kept: edit it to change the "
                 "build root, spool, email, key or secret.\n";
  }
  if (int rc = Confirm(yes, journal)) return rc;

  for (const mm::SetupStep& s : steps) {
    if (!mm::ApplyStep(s, &err)) {
      journal.Error(err);
      return kExitSystem;
    }
  }

  mm::SystemctlResult r;
  if (!RunSystemctlStep(commands[0], journal, &r)) {
    std::string how;
    for (const std::string& line : command_lines) {
      how += (how.empty() ? "" : " && ") + line;
    }
    journal.Warning(
        "the systemd user manager cannot be reached; the files are written. "
        "Start Mixmaster once it can be: " +
        how);
  } else {
    for (size_t i = 1; i < commands.size(); ++i) {
      if (!RunSystemctlStep(commands[i], journal, &r)) {
        journal.Error("`" + command_lines[i] +
                      "` failed (see above); are the units installed (make "
                      "install)? Check with `systemctl --user status " +
                      Joined(kUnits) + "`");
        return kExitSystem;
      }
    }
    std::cout << "Mixmaster listens on " << settings.listen.ListenStream()
              << " and builds what arrives in " << settings.spool << ".\n";
  }
  std::cout << mm::ForgeInstructions(settings.listen, HostName(), secret);
  return 0;
}
