// The configuration model of mixmaster.ini(5): `[_]` settings with their
// defaults, and one section per project mapping a branch key to a build
// command.
#ifndef MIXMASTER_CONFIG_H_
#define MIXMASTER_CONFIG_H_

#include <string>
#include <utility>
#include <vector>

namespace mm {

struct Project {
  std::string name;  // owner/repo, as the forge names it
  // (key, build command) in file order; keys are unique.
  std::vector<std::pair<std::string, std::string>> targets;
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
  std::vector<Project> projects;
  // Unknown `[_]` keys; reported, not fatal.
  std::vector<std::string> warnings;

  const Project* FindProject(const std::string& name) const;
};

// Parses config text. Paths starting with `~` are expanded with `home`;
// `buildRoot` defaults to ~/Builds and `spool` to <buildRoot>/INBOX.
bool ParseConfig(const std::string& text, const std::string& filename,
                 const std::string& home, Config* config, std::string* err);

// Reads the file at `path` (see paths.h DefaultConfigPath) with HomeDir().
bool LoadConfig(const std::string& path, Config* config, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_CONFIG_H_
