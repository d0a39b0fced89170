#include "setup/setup_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/paths.h"

namespace mm {
namespace {

// Removes trailing slashes (but keeps "/").
std::string Trimmed(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// An absolute path from what the user typed.
std::string Absolute(const std::string& typed, const std::string& home,
                     const std::string& cwd) {
  std::string path = ExpandHome(typed, home);
  if (!path.empty() && path[0] != '/') path = JoinPath(cwd, path);
  return Trimmed(path);
}

// Paths go into the configuration (one line) and into unit files (quoted),
// so a few characters are refused rather than escaped.
bool CheckPath(const std::string& what, const std::string& path,
               std::string* err) {
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
      *err = what + " `" + path +
             "` holds a quote, backslash or control character; choose "
             "another path";
      return false;
    }
  }
  return true;
}

}  // namespace

std::string ListenAddress::ListenStream() const {
  if (host.empty()) return std::to_string(port);
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

bool ParseListenAddress(const std::string& text, ListenAddress* address,
                        std::string* err) {
  ListenAddress a;
  std::string port = text;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find("]:");
    if (close == std::string::npos) {
      *err = "--port `" + text + "`: write an IPv6 address as [ADDRESS]:PORT";
      return false;
    }
    a.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else if (text.find(':') != std::string::npos) {
    size_t colon = text.rfind(':');
    a.host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (a.host.find(':') != std::string::npos) {
      *err = "--port `" + text + "`: write an IPv6 address as [ADDRESS]:PORT";
      return false;
    }
  }
  for (char c : a.host) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
              (c >= 'A' && c <= 'F') || c == '.' || c == ':';
    if (!ok) {
      *err =
          "--port `" + text + "`: `" + a.host + "` is not a numeric IP address";
      return false;
    }
  }
  char* end = nullptr;
  errno = 0;
  long n = strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || errno != 0 || n < 1 || n > 65535 ||
      (text.find(':') != std::string::npos && a.host.empty())) {
    *err = "--port `" + text +
           "`: expected a port number from 1 to 65535, optionally as "
           "ADDRESS:PORT";
    return false;
  }
  a.port = static_cast<int>(n);
  *address = a;
  return true;
}

bool ResolveSetupSettings(const SetupOptions& options, const std::string& home,
                          const std::string& cwd, SetupSettings* settings,
                          std::string* err) {
  SetupSettings s;
  s.build_root = Absolute(
      options.build_root.empty() ? "~/Builds" : options.build_root, home, cwd);
  s.spool = options.spool.empty() ? JoinPath(s.build_root, "INBOX")
                                  : Absolute(options.spool, home, cwd);
  if (!options.key.empty()) s.ssh_key = Absolute(options.key, home, cwd);
  s.mailto = options.email;
  for (unsigned char c : s.mailto) {
    if (c < 0x20 || c == 0x7f) {
      *err = "--email must be one line";
      return false;
    }
  }
  s.with_secret = !options.no_secret;
  if (!options.port.empty() &&
      !ParseListenAddress(options.port, &s.listen, err)) {
    return false;
  }
  if (!CheckPath("build root", s.build_root, err) ||
      !CheckPath("spool", s.spool, err) || !CheckPath("key", s.ssh_key, err)) {
    return false;
  }
  if (s.spool == s.build_root) {
    *err = "the spool must not be the build root itself";
    return false;
  }
  *settings = s;
  return true;
}

void AdoptConfig(const Config& config, SetupSettings* settings,
                 std::string* secret) {
  settings->build_root = config.build_root;
  settings->spool = config.spool;
  settings->mailto = config.mailto;
  settings->ssh_key = config.ssh_key;
  *secret = config.secret;
}

bool UsesDefaultSpool(const SetupSettings& settings, const std::string& home) {
  std::string builds = JoinPath(Trimmed(home), "Builds");
  return Trimmed(settings.build_root) == builds &&
         Trimmed(settings.spool) == JoinPath(builds, "INBOX");
}

bool RandomSecret(std::string* secret, std::string* err) {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = std::string("cannot get random bytes for the secret: ") +
             strerror(errno);
      return false;
    }
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  secret->clear();
  for (unsigned char b : bytes) {
    secret->push_back(kHex[b >> 4]);
    secret->push_back(kHex[b & 15]);
  }
  return true;
}

std::string ConfigText(const SetupSettings& s, const std::string& home,
                       const std::string& secret) {
  std::string t;
  t +=
      "# Mixmaster configuration (see mixmaster.ini(5)), written by mmsetup.\n";
  t += "# Lines starting with ; or # are comments; there are no inline\n";
  t += "# comments, so a build command may contain ; # = and [.\n";
  t += "# Settings left at their default are commented out.\n\n";
  t += "[_]\n";
  // Every setting of the one table the configuration is read with, with its
  // meaning; the chosen ones set, the others commented out at their default
  // (or, with none, an example).
  for (const SettingText& setting : SettingsOf(Config())) {
    const std::string& key = setting.key;
    const std::string& shown =
        setting.default_value.empty() ? setting.example : setting.default_value;
    std::string off = ";" + key + (shown.empty() ? " =" : " = " + shown) + "\n";
    t += "# " + setting.meaning + "\n";
    if (key == "buildRoot") {
      t += "buildRoot = " + ContractHome(s.build_root, home) + "\n";
    } else if (key == "spool") {
      std::string line = "spool = " + ContractHome(s.spool, home) + "\n";
      t += s.spool == JoinPath(s.build_root, "INBOX") ? ";" + line : line;
    } else if (key == "mailto") {
      t += s.mailto.empty() ? off : "mailto = " + s.mailto + "\n";
    } else if (key == "sshKey") {
      t += s.ssh_key.empty()
               ? off
               : "sshKey = " + ContractHome(s.ssh_key, home) + "\n";
    } else if (key == "secret") {
      if (secret.empty()) {
        t += "# WARNING: without a secret, anyone who can reach the port can\n";
        t += "# queue builds of any repository URL for a configured "
             "project.\n";
        t += ";secret =\n";
      } else {
        t += "secret = " + secret + "\n";
      }
    } else {
      t += off;
    }
  }
  t += "\n";
  t += "# One section per project, named owner/repo as the forge names it.\n";
  t +=
      "# Each key is a branch (the longest key the pushed branch starts with\n";
  t += "# wins); each value the shell command run in its checkout. A key\n";
  t += "# BRANCH/TASK serves requests for that task on BRANCH.\n";
  t += ";[example-org/example-repo]\n";
  t += ";production = make deploy\n";
  t += ";staging = make deploy-to-staging\n";
  t += ";master/docs = make docs\n";
  return t;
}

namespace {

// `text` as one word for sh, in single quotes.
std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The machine `listen` is on as a URL names it: its address, or `host` when
// it listens on every address; an IPv6 address goes in brackets.
std::string UrlHost(const ListenAddress& listen, const std::string& host) {
  const std::string& h = listen.host.empty() ? host : listen.host;
  return h.find(':') != std::string::npos ? "[" + h + "]" : h;
}

// A lightweight request by hand from this machine, signed with the secret
// read from the configuration (the README's lines, README "Forge webhooks").
std::string ByHandLines(const ListenAddress& listen,
                        const std::string& config_path, bool signed_request) {
  std::string t =
      "  By hand, from this machine (put your project, its repository URL "
      "and a\n  branch in body";
  if (signed_request) t += "; the secret is `secret` in " + config_path;
  t += "):\n";
  if (signed_request) {
    t += "    secret=$(sed -n 's/^secret *= *//p' " + ShellQuote(config_path) +
         ")\n";
  }
  t += "    body='{\"scm\":\"git\",\"repositoryUrl\":\"REPOSITORY-URL\","
       "\"project\":\"OWNER/REPO\",\"target\":\"BRANCH\"}'\n";
  std::string signature;
  if (signed_request) {
    t += "    sig=$(printf '%s' \"$body\" | openssl dgst -sha256 -hmac "
         "\"$secret\" -r | cut -d' ' -f1)\n";
    signature = " -H \"X-Gitea-Signature: $sig\"";
  }
  t += "    curl -H 'Content-Type: application/json'" + signature +
       " --data-binary \"$body\" http://" + UrlHost(listen, "localhost") + ":" +
       std::to_string(listen.port) + "/\n";
  return t;
}

}  // namespace

std::string ForgeInstructions(const ListenAddress& listen,
                              const std::string& host,
                              const std::string& secret,
                              const std::string& config_path) {
  std::string h = UrlHost(listen, host);
  std::string base = "http://" + h + ":" + std::to_string(listen.port);
  std::string shown = secret.empty() ? "(none)" : secret;
  std::string t;
  t += "Webhook settings for your forge (use the name or address the forge\n";
  t += "reaches this machine by, if it is not " + h + "):\n";
  t += "  Gitea, Forgejo: Settings > Webhooks > Add webhook > Gitea/Forgejo\n";
  t += "    Target URL    " + base + "/gitea\n";
  t += "    HTTP method   POST, content type application/json\n";
  t += "    Secret        " + shown + "\n";
  t += "    Trigger on    Push events\n";
  t += "  GitHub: Settings > Webhooks > Add webhook\n";
  t += "    Payload URL   " + base + "/github\n";
  t += "    Content type  application/json\n";
  t += "    Secret        " + shown + "\n";
  t += "    Events        Just the push event\n";
  t += "  GitLab: Settings > Webhooks > Add new webhook\n";
  t += "    URL           " + base + "/gitlab\n";
  t += "    Secret token  " + shown + "\n";
  t += "    Trigger       Push events (and Tag push events)\n";
  t += ByHandLines(listen, config_path, !secret.empty());
  if (secret.empty()) {
    t += "WARNING: no secret is set: anyone who can reach the port can queue\n";
    t += "builds of any repository URL for a configured project.\n";
  }
  return t;
}

}  // namespace mm
