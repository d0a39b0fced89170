// How mmsetup (mmsetup(1)) proves what it prints: once the units are
// enabled it asks the socket `GET /version`, which starts a bridge instance
// of the installed units, and when no answer comes it finds out why: the
// socket's state, the port taken by another program, or how the instance
// ended (`status=218/CAPABILITIES` when the manager refused one of the
// unit's options) with its journal lines.
#ifndef MIXMASTER_SETUP_PROBE_H_
#define MIXMASTER_SETUP_PROBE_H_

#include <string>
#include <vector>

#include "setup/setup_config.h"

namespace mm {

// What `GET /version` got.
struct VersionProbe {
  enum class Outcome {
    kAnswered,   // 200: `text` is the version
    kRefused,    // nothing listens
    kNoAnswer,   // reset, or closed before any answer
    kBadAnswer,  // an answer other than 200: `text` is its first line
    kTimedOut,
    kFailed,  // could not even try: `text` says why
  };
  Outcome outcome = Outcome::kFailed;
  std::string text;
};

// The address to connect to for `listen`: its own, or the loopback address
// when it listens on every address.
std::string ProbeHost(const ListenAddress& listen);

// Connects to `listen` (ProbeHost) and asks `GET /version` over HTTP/1.0,
// waiting at most `timeout_seconds` in all.
VersionProbe ProbeVersion(const ListenAddress& listen, double timeout_seconds);

// One line for the user: "127.0.0.1:8585 answers GET /version with 0.1.0",
// or what went wrong ("the connection was reset before any answer: the
// bridge instance did not run").
std::string DescribeProbe(const ListenAddress& listen,
                          const VersionProbe& probe);

// Whether another process holds the port `listen` names: binding it fails
// with EADDRINUSE (so only when the socket unit itself does not listen).
bool PortInUse(const ListenAddress& listen);

// Why `systemctl --user enable --now` of the socket failed, from the socket
// unit's LoadState and ActiveState and whether the port is in use: "the
// unit mixmaster-bridge.socket is not installed ...", "127.0.0.1:8585 is
// already in use by another program ...", or "" (no better guess).
std::string SocketFailureReason(const std::string& load_state,
                                const std::string& active_state,
                                bool port_in_use, const ListenAddress& listen);

// The runtime drop-in, under the manager's runtime directory, that keeps
// failed bridge instances loaded while mmsetup looks at them (the unit's
// CollectMode=inactive-or-failed unloads one at once), and its text.
std::string KeepFailedDropIn(const std::string& runtime_dir);
extern const char kKeepFailedDropInText[];

// The failed bridge instances among `systemctl --user list-units --failed
// --plain --no-legend` lines (their first word).
std::vector<std::string> FailedBridgeInstances(
    const std::vector<std::string>& list_units_lines);

// What mmsetup runs after `systemctl --user enable --now` (units.h).

// Why enabling the socket failed, as SocketFailureReason says it from what
// the manager reports; when it has no better guess, where to look.
std::string ExplainSocketFailure(const ListenAddress& listen);

// Asks `listen` for GET /version through the installed units (waiting up to
// 20 s). On an answer, *answered is DescribeProbe's line and it returns
// true. Otherwise *report gets DescribeProbe's line, then the lines that
// say why: for a connection that was reset or got no answer, it asks again
// with the drop-in of KeepFailedDropIn(`runtime_dir`) in place and shows
// `systemctl --user status` of the instances that failed (how each ended,
// its journal lines), or the bridge's journal lines when none was kept; for
// one refused, the socket's status. The drop-in is removed again and the
// failed instances reset.
bool CheckBridgeAnswers(const ListenAddress& listen,
                        const std::string& runtime_dir, std::string* answered,
                        std::vector<std::string>* report);

}  // namespace mm

#endif  // MIXMASTER_SETUP_PROBE_H_
