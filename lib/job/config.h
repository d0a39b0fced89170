// The configuration model of mixmaster.ini(5): `[_]` settings with their
// defaults, and one section per project mapping a branch key to a build
// command.
#ifndef MIXMASTER_CONFIG_H_
#define MIXMASTER_CONFIG_H_

#include <string>
#include <utility>
#include <vector>

namespace mm {

// A project setting (mixmaster.ini(5) Project settings): a key `:name` in a
// project's section, or `:name:<branch-key>` for a setting that may differ
// per branch. No git ref starts with `:`, so it never shadows a branch key.
struct ProjectSetting {
  std::string name;        // without the leading colon
  std::string branch_key;  // empty for `:name`
  std::string value;
};

struct Project {
  std::string name;  // owner/repo, as the forge names it
  // (key, build command) in file order; keys are unique.
  std::vector<std::pair<std::string, std::string>> targets;
  // Known project settings, in file order; unknown ones are warnings.
  std::vector<ProjectSetting> settings = {};
};

struct Config {
  std::string path;  // the file it came from, for messages
  std::string build_root;
  std::string spool;
  std::string mailto;
  std::string mailfrom;
  std::string sendmail = "/usr/sbin/sendmail -t";
  std::string hook;
  std::string ssh_key;
  std::string mode = "normal";  // or "dryrun"
  std::string secret;
  long timeout = 3600;  // seconds; 0 = no limit
  long max_request_bytes = 1048576;
  // The web view (mmbridge(1) WEB VIEW): off unless `webView = yes`.
  bool web_view = false;
  std::string web_password;
  std::string public_url;     // where the web view is reachable, for links
  std::string status_tokens;  // path of the `BASE-URL TOKEN` file
  // The queue (mmbuild(1) QUEUE).
  bool supersede = true;
  long keep_builds = 0;  // 0 = keep every log
  long jobs = 1;         // builds at once
  // Defaults of the project settings `:launcher` and `:notify`.
  std::string launcher;  // empty: build on this machine
  std::string notify = "all";
  std::vector<Project> projects;
  // Unknown `[_]` keys; reported, not fatal.
  std::vector<std::string> warnings;

  const Project* FindProject(const std::string& name) const;
};

// The text of the `[_]` setting named `key` (mixmaster.ini(5) Settings) in
// `config`; "" for an unknown key or one that is not text.
std::string GlobalSettingText(const Config& config, const std::string& key);

// Parses config text. Paths starting with `~` are expanded with `home`;
// `buildRoot` defaults to ~/Builds and `spool` to <buildRoot>/INBOX.
bool ParseConfig(const std::string& text, const std::string& filename,
                 const std::string& home, Config* config, std::string* err);

// Reads the file at `path` (see paths.h DefaultConfigPath) with HomeDir().
// A file that group or others can read while it holds `secret` or
// `webPassword` is one more warning (ConfigPermissionWarning), which every
// program writes to the journal.
bool LoadConfig(const std::string& path, Config* config, std::string* err);

// "<path>: readable by group or others (mode 0644) while it holds the
// webhook secret; chmod 600 <path>", or "" when that is not so.
std::string ConfigPermissionWarning(const std::string& path,
                                    const Config& config);

// One `[_]` setting as mmsetup writes it (mixmaster.ini(5) Settings).
struct SettingText {
  std::string key;
  std::string value;          // in the Config given, as the file writes it
  std::string default_value;  // when the file leaves it out
  std::string meaning;        // one line
  std::string example;        // for a setting whose default is empty
};

// Every `[_]` setting in the order of mixmaster.ini(5), from the one table
// that ParseConfig reads them with.
std::vector<SettingText> SettingsOf(const Config& config);

}  // namespace mm

#endif  // MIXMASTER_CONFIG_H_
