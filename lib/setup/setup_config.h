// What mmsetup (mmsetup(1)) sets up, decided before anything is touched: the
// settings from the options (or from an existing configuration, which is
// never overwritten), the address the socket listens on, the commented
// configuration text with a random secret, and what to paste into the forge.
#ifndef MIXMASTER_SETUP_CONFIG_H_
#define MIXMASTER_SETUP_CONFIG_H_

#include <string>

#include "job/config.h"

namespace mm {

// Where mixmaster-bridge.socket listens: `PORT` or `ADDRESS:PORT`
// (`[v6-address]:PORT` for IPv6), as ListenStream= takes it.
struct ListenAddress {
  std::string host;  // empty: every address
  int port = 8585;

  bool IsDefault() const { return host.empty() && port == 8585; }
  // The ListenStream= value: `9000`, `127.0.0.1:9000`, `[::1]:9000`.
  std::string ListenStream() const;
};

bool ParseListenAddress(const std::string& text, ListenAddress* address,
                        std::string* err);

struct SetupSettings {
  std::string build_root;  // absolute
  std::string spool;       // absolute
  std::string mailto;      // empty: notifications off
  std::string ssh_key;     // absolute, or empty
  bool with_secret = true;
  ListenAddress listen;
};

// The user's choices, as typed (empty: the default).
struct SetupOptions {
  std::string build_root;
  std::string spool;
  std::string email;
  std::string port;
  std::string key;
  bool no_secret = false;
};

// Resolves `options` against `home` and `cwd` (relative paths are taken from
// the current directory, `~` is the home). Fails with a message on a port or
// path that mmsetup cannot write into a unit file or configuration.
bool ResolveSetupSettings(const SetupOptions& options, const std::string& home,
                          const std::string& cwd, SetupSettings* settings,
                          std::string* err);

// An existing configuration is never overwritten, so the drop-ins and what
// the forge is told must follow it: its build root, spool, mail address, key
// and secret replace those of the options.
void AdoptConfig(const Config& config, SetupSettings* settings,
                 std::string* secret);

// True when the spool and build root are the defaults the shipped units
// assume (~/Builds/INBOX, ~/Builds), so no spool drop-ins are needed.
bool UsesDefaultSpool(const SetupSettings& settings, const std::string& home);

// 32 random bytes from getrandom(2), as 64 lower-case hex digits.
bool RandomSecret(std::string* secret, std::string* err);

// The commented configuration file: every `[_]` setting with its meaning,
// the ones left at their default commented out, and an example project
// commented out. `secret` empty writes no secret (and says what that means).
std::string ConfigText(const SetupSettings& settings, const std::string& home,
                       const std::string& secret);

// What to enter in Gitea/Forgejo, GitHub and GitLab; `host` is used when the
// socket listens on every address. Then the lines that send a request by
// hand from this machine, signed with the secret read from `config_path`:
// pasted into sh with a real body, they queue a job.
std::string ForgeInstructions(const ListenAddress& listen,
                              const std::string& host,
                              const std::string& secret,
                              const std::string& config_path);

}  // namespace mm

#endif  // MIXMASTER_SETUP_CONFIG_H_
