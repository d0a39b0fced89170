// The user units mmsetup manages (mmsetup(1)): their names, the drop-ins it
// writes for a non-default port or spool, and the `systemctl --user`
// commands (run without a shell) that reload, enable and disable them.
#ifndef MIXMASTER_UNITS_H_
#define MIXMASTER_UNITS_H_

#include <string>
#include <vector>

#include "setup/setup_config.h"

namespace mm {

extern const char kSocketUnit[];  // mixmaster-bridge.socket
extern const char kPathUnit[];    // mixmaster.path

// Where a user's own unit files and drop-ins live: $XDG_CONFIG_HOME/systemd/
// user, else ~/.config/systemd/user. `xdg_config_home` may be empty.
std::string UserUnitDir(const std::string& xdg_config_home,
                        const std::string& home);

struct DropIn {
  std::string path;
  std::string content;
  std::string purpose;  // for the plan: "listen on 9000"
};

// The drop-in that moves the socket to another port.
std::string PortDropIn(const std::string& unit_dir);

// Fails, saying why, when mmbridge could not write jobs into `path` (the
// `what`: "spool" or "build root") under its unit: under /proc or /sys.
// Symbolic links in the part of `path` that exists are followed first.
bool CheckBridgeCanWrite(const std::string& what, const std::string& path,
                         std::string* err);

// `name` in the directory of the running program (/proc/self/exe), so that a
// drop-in runs the mmcleanup installed beside this mmsetup; plain `name`
// when that cannot be read.
std::string SiblingProgram(const std::string& name);

// Every drop-in file mmsetup may write under `unit_dir`, so that a re-run
// and --teardown remove exactly these and nothing else.
std::vector<std::string> ManagedDropIns(const std::string& unit_dir);

// The drop-ins `settings` need: the socket's port when it is not the default
// 8585; for a spool other than ~/Builds/INBOX, the path unit's watched
// directory, the bridge's writable spool and mmcleanup's spool and build
// root (`cleanup_program` is the mmcleanup to run).
std::vector<DropIn> DesiredDropIns(const SetupSettings& settings,
                                   const std::string& home,
                                   const std::string& unit_dir,
                                   const std::string& cleanup_program);

// The address in an existing port drop-in written by DesiredDropIns (its
// last ListenStream= line), so that a re-run without --port keeps it.
// False when there is no such file or no valid address in it.
bool ReadPortDropIn(const std::string& path, ListenAddress* listen);

// A path as one word of a unit file setting: `%` doubled, quoted when it
// holds a blank, and in a command line (`exec`) `$` doubled.
std::string UnitWord(const std::string& word, bool exec);

struct SystemctlResult {
  bool started = false;  // false: systemctl could not be run at all
  int exit_code = -1;
  std::vector<std::string> output;  // its stdout and stderr lines
};

// Runs `systemctl --user ARGS...` (found in PATH) with a deadline.
void RunSystemctl(const std::vector<std::string>& args,
                  SystemctlResult* result);

// Whether a running user manager answers. Asked with `is-system-running`
// rather than read from another command's exit status: in a chroot,
// systemctl skips most commands with "Running in chroot, ignoring command"
// and exits 0, but reports this one as `offline`. Asked up to three times,
// half a second apart, before it counts as unreachable.
bool UserManagerReachable(SystemctlResult* result);

// What to tell a user whose manager did not answer `probe`: its answer, and
// the ways to get one (a login session of `user`, XDG_RUNTIME_DIR=/run/user/
// `uid` when a manager runs but the variable is missing, as after `su`, or
// lingering), then `retry`, the command to run once it answers.
std::string UnreachableHelp(const SystemctlResult& probe,
                            const std::string& user, unsigned uid,
                            const std::string& retry);

// The arguments after `systemctl --user` for setting up: reload, enable and
// start both units, and restart them when their drop-ins changed (a running
// unit reads a drop-in only when restarted).
std::vector<std::vector<std::string>> SetupCommands(bool dropins_changed);

// The same for --teardown: disable and stop both units, then reload.
std::vector<std::vector<std::string>> TeardownCommands();

// One command as a person would type it: "systemctl --user enable --now ...".
std::string SystemctlLine(const std::vector<std::string>& args);

}  // namespace mm

#endif  // MIXMASTER_UNITS_H_
