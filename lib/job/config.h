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

// Every `[_]` setting of mixmaster.ini(5) Settings with its value in
// `config` as text (numbers in decimal, flags `yes` or `no`), in the order
// of the manual.
std::vector<std::pair<std::string, std::string>> SettingsText(
    const Config& config);

// Parses config text. Paths starting with `~` are expanded with `home`;
// `buildRoot` defaults to ~/Builds and `spool` to <buildRoot>/INBOX.
bool ParseConfig(const std::string& text, const std::string& filename,
                 const std::string& home, Config* config, std::string* err);

// Reads the file at `path` (see paths.h DefaultConfigPath) with HomeDir().
bool LoadConfig(const std::string& path, Config* config, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_CONFIG_H_
