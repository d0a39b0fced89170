#include "setup/units.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/ini.h"
#include "base/paths.h"
#include "process/process.h"

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

// `path` with the symbolic links in its longest existing part resolved.
std::string ResolveExisting(const std::string& path) {
  std::string head = path, tail;
  while (!head.empty() && head != "/") {
    char buf[PATH_MAX];
    if (realpath(head.c_str(), buf)) return JoinPath(buf, tail);
    size_t slash = head.rfind('/');
    if (slash == std::string::npos) break;
    tail = tail.empty() ? head.substr(slash + 1)
                        : JoinPath(head.substr(slash + 1), tail);
    head = slash == 0 ? "/" : head.substr(0, slash);
  }
  return path;
}

bool IsUnder(const std::string& path, const std::string& dir) {
  return path == dir || path.compare(0, dir.size() + 1, dir + "/") == 0;
}

}  // namespace

bool CheckBridgeCanWrite(const std::string& what, const std::string& path,
                         std::string* err) {
  // mixmaster-bridge@.service hides no directory (mmbridge(1) SECURITY: its
  // Landlock sandbox is made for the configured spool, so /tmp is fine);
  // what is left are the kernel's file systems, where no spool can be made.
  static const char* const kKernelDirs[] = {"/proc", "/sys"};
  std::string real = ResolveExisting(path);
  for (const char* dir : kKernelDirs) {
    if (!IsUnder(real, dir)) continue;
    *err = "the " + what + " " + path +
           (real == path ? "" : " (" + real + ")") + " is under " + dir +
           ", the kernel's, where no directory can be made for jobs; choose "
           "a directory elsewhere, e.g. under your home";
    return false;
  }
  return true;
}

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

namespace {

bool AnswersCommands(const SystemctlResult& result) {
  if (!result.started) return false;
  // `offline` (no manager, or a chroot) and `stopping` cannot take commands;
  // a degraded manager (some unit failed) can.
  for (const std::string& line : result.output) {
    if (line == "running" || line == "degraded" || line == "starting" ||
        line == "initializing" || line == "maintenance") {
      return true;
    }
  }
  return false;
}

}  // namespace

bool UserManagerReachable(SystemctlResult* result) {
  // Asked three times, half a second apart: a busy manager can miss one
  // connection, and a missing one costs a second at most.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (attempt > 0) usleep(500 * 1000);
    RunSystemctl({"is-system-running"}, result);
    if (AnswersCommands(*result)) return true;
    if (!result->started) return false;
  }
  return false;
}

std::string UnreachableHelp(const SystemctlResult& probe,
                            const std::string& user, unsigned uid,
                            const std::string& retry) {
  std::string runtime = "/run/user/" + std::to_string(uid);
  return "the systemd user manager cannot be reached (`systemctl --user "
         "is-system-running`: " +
         (probe.output.empty() ? "no answer" : probe.output[0]) +
         "), so no unit was enabled or disabled. A user manager runs while " +
         user +
         " has a login session (ssh or a console login; `su` and `sudo` do "
         "not start one); when one runs but XDG_RUNTIME_DIR is not set, run "
         "`export XDG_RUNTIME_DIR=" +
         runtime + "`; on a server, `sudo loginctl enable-linger " + user +
         "` starts one at boot. Then run: " + retry;
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
