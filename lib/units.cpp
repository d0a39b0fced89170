#include "units.h"

#include <limits.h>
#include <unistd.h>

#include "ini.h"
#include "paths.h"
#include "process.h"

namespace mm {

const char kSocketUnit[] = "mixmaster-bridge.socket";
const char kPathUnit[] = "mixmaster.path";

namespace {

const char kBridgeTemplate[] = "mixmaster-bridge@.service";
const char kBuildService[] = "mixmaster.service";

// The two units a person enables; the others are started by these.
std::vector<std::string> WithUnits(std::vector<std::string> verb) {
  verb.push_back(kSocketUnit);
  verb.push_back(kPathUnit);
  return verb;
}

std::string DropInPath(const std::string& unit_dir, const std::string& unit,
                       const std::string& file) {
  return JoinPath(JoinPath(unit_dir, unit + ".d"), file);
}

}  // namespace

std::string UserUnitDir(const std::string& xdg_config_home,
                        const std::string& home) {
  std::string config =
      xdg_config_home.empty() ? JoinPath(home, ".config") : xdg_config_home;
  return JoinPath(config, "systemd/user");
}

std::string PortDropIn(const std::string& unit_dir) {
  return DropInPath(unit_dir, kSocketUnit, "port.conf");
}

std::string SiblingProgram(const std::string& name) {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return name;
  std::string self(buf, static_cast<size_t>(n));
  return JoinPath(self.substr(0, self.rfind('/')), name);
}

std::vector<std::string> ManagedDropIns(const std::string& unit_dir) {
  return {
      PortDropIn(unit_dir),
      DropInPath(unit_dir, kPathUnit, "spool.conf"),
      // No longer written: mmbridge takes its spool from the configuration
      // (mmbridge(1) SECURITY). Still managed, so that a re-run removes one
      // an older mmsetup wrote, whose ReadWritePaths= would give every
      // request a mount namespace of its own again.
      DropInPath(unit_dir, kBridgeTemplate, "spool.conf"),
      DropInPath(unit_dir, kBuildService, "spool.conf"),
  };
}

std::string UnitWord(const std::string& word, bool exec) {
  std::string out;
  bool blank = false;
  for (char c : word) {
    if (c == '%') out += '%';
    if (exec && c == '$') out += '$';
    if (c == ' ' || c == '\t') blank = true;
    out += c;
  }
  return blank ? "\"" + out + "\"" : out;
}

std::vector<DropIn> DesiredDropIns(const SetupSettings& settings,
                                   const std::string& home,
                                   const std::string& unit_dir,
                                   const std::string& cleanup_program) {
  std::vector<DropIn> out;
  const char kHeader[] =
      "# Written by mmsetup; `mmsetup --teardown` removes it.\n";
  if (!settings.listen.IsDefault()) {
    std::string listen = settings.listen.ListenStream();
    out.push_back({PortDropIn(unit_dir),
                   std::string(kHeader) +
                       "# An empty ListenStream= drops the default 8585.\n"
                       "[Socket]\nListenStream=\nListenStream=" +
                       listen + "\n",
                   "listen on " + listen + " instead of 8585"});
  }
  if (!UsesDefaultSpool(settings, home)) {
    std::string spool = settings.spool;
    out.push_back({DropInPath(unit_dir, kPathUnit, "spool.conf"),
                   std::string(kHeader) +
                       "# An empty DirectoryNotEmpty= drops ~/Builds/INBOX.\n"
                       "[Path]\nDirectoryNotEmpty=\nDirectoryNotEmpty=" +
                       UnitWord(spool, false) + "\n",
                   "watch the spool " + spool});
    out.push_back(
        {DropInPath(unit_dir, kBuildService, "spool.conf"),
         std::string(kHeader) +
             "# mmcleanup empties the spool mixmaster.path watches, even when\n"
             "# the configuration cannot be read.\n"
             "[Service]\nExecStopPost=\nExecStopPost=" +
             UnitWord(cleanup_program, true) + " " +
             UnitWord("--spool=" + spool, true) + " " +
             UnitWord("--build-root=" + settings.build_root, true) + "\n",
         "let mmcleanup clean " + spool});
  }
  return out;
}

bool ReadPortDropIn(const std::string& path, ListenAddress* listen) {
  IniDocument doc;
  std::string err;
  if (!ReadIniFile(path, &doc, &err)) return false;
  const IniSection* socket = doc.Find("Socket");
  if (!socket) return false;
  std::string last;
  for (const IniEntry& e : socket->entries)
    if (e.key == "ListenStream") last = e.value;
  return !last.empty() && ParseListenAddress(last, listen, &err);
}

void RunSystemctl(const std::vector<std::string>& args,
                  SystemctlResult* result) {
  ProcessSpec spec;
  spec.argv = {"systemctl", "--user", "--no-pager"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout_seconds = 120;
  spec.kill_grace_seconds = 5;
  SystemctlResult r;
  ProcessResult process;
  r.started = RunProcess(
      spec, [&r](char, const std::string& line) { r.output.push_back(line); },
      &process);
  if (!r.started) r.output.push_back(process.error);
  r.exit_code = process.exit_code;
  *result = std::move(r);
}

bool UserManagerReachable(SystemctlResult* result) {
  RunSystemctl({"is-system-running"}, result);
  if (!result->started) return false;
  // `offline` (no manager, or a chroot) and `stopping` cannot take commands;
  // a degraded manager (some unit failed) can.
  for (const std::string& line : result->output) {
    if (line == "running" || line == "degraded" || line == "starting" ||
        line == "initializing" || line == "maintenance") {
      return true;
    }
  }
  return false;
}

std::vector<std::vector<std::string>> SetupCommands(bool dropins_changed) {
  std::vector<std::vector<std::string>> commands = {
      {"daemon-reload"}, WithUnits({"enable", "--now"})};
  if (dropins_changed) commands.push_back(WithUnits({"restart"}));
  return commands;
}

std::vector<std::vector<std::string>> TeardownCommands() {
  return {WithUnits({"disable", "--now"}), {"daemon-reload"}};
}

std::string SystemctlLine(const std::vector<std::string>& args) {
  std::string line = "systemctl --user";
  for (const std::string& a : args) line += " " + a;
  return line;
}

}  // namespace mm
