#include "job/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "base/ini.h"
#include "base/paths.h"
#include "base/text.h"
#include "job/job.h"

namespace mm {
namespace {

bool ParseNumber(const IniEntry& e, const std::string& where, long min,
                 long* out, std::string* err) {
  errno = 0;
  char* end = nullptr;
  long v = strtol(e.value.c_str(), &end, 10);
  if (e.value.empty() || *end != '\0' || errno != 0 || v < min) {
    *err = where + e.key + " must be a whole number of at least " +
           std::to_string(min) + ", not `" + e.value + "`";
    return false;
  }
  *out = v;
  return true;
}

bool ParseYesNo(const IniEntry& e, const std::string& where, bool* out,
                std::string* err) {
  if (e.value == "yes" || e.value == "no") {
    *out = e.value == "yes";
    return true;
  }
  *err = where + e.key + " must be `yes` or `no`, not `" + e.value + "`";
  return false;
}

// The values a text setting may take (null-terminated); others are errors.
const char* const kModeValues[] = {"normal", "dryrun", nullptr};
const char* const kNotifyValues[] = {"all", "failures", "none", nullptr};

// "`a`, `b` or `c`".
std::string Alternatives(const char* const* values) {
  std::string text;
  for (size_t i = 0; values[i]; ++i) {
    if (i > 0) text += values[i + 1] ? ", " : " or ";
    text += std::string("`") + values[i] + "`";
  }
  return text;
}

bool IsOneOf(const std::string& value, const char* const* values) {
  for (size_t i = 0; values[i]; ++i)
    if (value == values[i]) return true;
  return false;
}

// One row per `[_]` key (mixmaster.ini(5) Settings): text (with the values
// it may take, or null for any), number (with its least value) or yes/no,
// where it goes, and what mmsetup writes about it: one line of meaning, and
// an example for a setting whose default is empty.
struct Setting {
  const char* key;
  std::string Config::*text;
  long Config::*number;
  long min;
  bool Config::*flag;
  const char* meaning;
  const char* example;
  const char* const* values = nullptr;
};

const Setting kSettings[] = {
    {"buildRoot", &Config::build_root, nullptr, 0, nullptr,
     "Where builds live: one directory per project.", ""},
    {"spool", &Config::spool, nullptr, 0, nullptr,
     "Where mmbridge writes jobs; mixmaster.path watches it (moving it "
     "needs `mmsetup --spool`).",
     ""},
    {"mailto", &Config::mailto, nullptr, 0, nullptr,
     "Address for build notifications; empty turns them all off.",
     "you@example.org"},
    {"mailfrom", &Config::mailfrom, nullptr, 0, nullptr,
     "From: of notifications; empty lets sendmail choose.",
     "mixmaster@example.org"},
    {"sendmail", &Config::sendmail, nullptr, 0, nullptr,
     "Command that takes a whole message on stdin.", ""},
    {"hook", &Config::hook, nullptr, 0, nullptr,
     "Program run at job start, end, failure and when a job is superseded.",
     "~/bin/mixmaster-hook"},
    {"sshKey", &Config::ssh_key, nullptr, 0, nullptr,
     "Passwordless private key added to each job's ssh-agent.",
     "~/.ssh/id_ed25519"},
    {"mode", &Config::mode, nullptr, 0, nullptr,
     "normal, or dryrun to log every step instead of doing it.", "",
     kModeValues},
    {"secret", &Config::secret, nullptr, 0, nullptr,
     "Webhook secret: every POST and PUT must be signed with it.", ""},
    {"timeout", nullptr, &Config::timeout, 0, nullptr,
     "Seconds a build command may run before it is stopped; 0 = no limit.", ""},
    {"maxRequestBytes", nullptr, &Config::max_request_bytes, 1, nullptr,
     "Largest request body mmbridge accepts, in bytes.", ""},
    {"webView", nullptr, nullptr, 0, &Config::web_view,
     "yes serves the build history at /builds and badges at /badge.", ""},
    {"webPassword", &Config::web_password, nullptr, 0, nullptr,
     "Password the web view asks for (any user name); empty: none.",
     "a-long-password"},
    {"publicUrl", &Config::public_url, nullptr, 0, nullptr,
     "Where the web view is reached from outside, for links in statuses.",
     "https://builds.example.org"},
    {"statusTokens", &Config::status_tokens, nullptr, 0, nullptr,
     "File of `BASE-URL TOKEN` lines for forge commit statuses (mode 600).",
     "~/.config/mixmaster-tokens"},
    {"supersede", nullptr, nullptr, 0, &Config::supersede,
     "yes: of the jobs waiting for one target and task, only the newest "
     "builds.",
     ""},
    {"keepBuilds", nullptr, &Config::keep_builds, 0, nullptr,
     "Logs kept per project after each build; 0 keeps every log.", ""},
    {"jobs", nullptr, &Config::jobs, 1, nullptr, "Builds run at once.", ""},
    {"launcher", &Config::launcher, nullptr, 0, nullptr,
     "Program that runs each build elsewhere; empty: on this machine.",
     "mm-run-ssh builder.example.org"},
    {"notify", &Config::notify, nullptr, 0, nullptr,
     "Which builds send mail: all, failures or none.", "", kNotifyValues},
};

// One row per project setting (mixmaster.ini(5) Project settings): its name
// without the colon, whether `:name:<branch-key>` may set it for some
// branches only, and the values it may take (null: any).
struct ProjectSettingSpec {
  const char* name;
  bool per_branch;
  const char* const* values = nullptr;
};

const ProjectSettingSpec kProjectSettings[] = {
    {"repository", false},
    {"launcher", true},
    {"notify", true, kNotifyValues},
    {"badge", false},
};

// The value of `s` in `c` as the file writes it.
std::string ValueText(const Setting& s, const Config& c) {
  if (s.number) return std::to_string(c.*s.number);
  if (s.flag) return c.*s.flag ? "yes" : "no";
  return c.*s.text;
}

// Edit distance between `a` and `b`, letters compared without case.
size_t Distance(std::string a, std::string b) {
  a = AsciiLower(std::move(a));
  b = AsciiLower(std::move(b));
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      bool same = a[i - 1] == b[j - 1];
      row[j] =
          std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The name a misspelt `key` most likely meant: the one of `names` at the
// least edit distance, if that is at most 2; "" when none is that close.
template <typename Row, size_t N>
std::string NameLike(const std::string& key, const Row (&rows)[N],
                     const char* Row::*name) {
  std::string best;
  size_t best_distance = 3;
  for (const Row& row : rows) {
    size_t d = Distance(key, row.*name);
    if (d < best_distance) {
      best = row.*name;
      best_distance = d;
    }
  }
  return best;
}

// Whether `value` is one the setting `name` (of [_], or of a project
// without its colon) can take; `why` says what is wrong otherwise.
bool ValueFits(const std::string& name, const std::string& value,
               std::string* why) {
  if (name != "launcher") return true;
  // mmbuild(1) LAUNCHERS: split at blanks and run without a shell, so
  // nothing in a word would mean what it would mean to a shell.
  for (const std::string& word : SplitWords(value)) {
    if (word.find_first_of("'\"\\") == std::string::npos && word[0] != '~')
      continue;
    *why = "launcher `" + value +
           "` is split at blanks and run without a shell: a quote, a "
           "backslash or a ~ in `" +
           word + "` would be taken literally";
    return false;
  }
  return true;
}

bool ParseSetting(const IniEntry& e, const std::string& where, Config* c,
                  std::string* err) {
  for (const Setting& s : kSettings) {
    if (e.key != s.key) continue;
    if (s.number) return ParseNumber(e, where, s.min, &(c->*s.number), err);
    if (s.flag) return ParseYesNo(e, where, &(c->*s.flag), err);
    if (s.values && !IsOneOf(e.value, s.values)) {
      *err = where + e.key + " must be " + Alternatives(s.values) + ", not `" +
             e.value + "`";
      return false;
    }
    std::string why;
    if (!ValueFits(e.key, e.value, &why)) {
      *err = where + why;
      return false;
    }
    c->*s.text = e.value;
    return true;
  }
  std::string like = NameLike(e.key, kSettings, &Setting::key);
  c->warnings.push_back(where + "unknown setting `" + e.key +
                        "` in [_] ignored" +
                        (like.empty() ? "" : "; did you mean `" + like + "`?"));
  return true;
}

// A key starting with `:` in project `p`: a known project setting is kept
// in p->settings; an unknown one is a warning, as in `[_]`.
bool ParseProjectSetting(const IniEntry& e, const std::string& where,
                         Project* p, std::vector<std::string>* warnings,
                         std::string* err) {
  std::string rest = e.key.substr(1);
  size_t colon = rest.find(':');
  ProjectSetting setting;
  setting.name = rest.substr(0, colon);
  if (colon != std::string::npos) setting.branch_key = rest.substr(colon + 1);
  setting.value = e.value;
  for (const ProjectSettingSpec& spec : kProjectSettings) {
    if (setting.name != spec.name) continue;
    if (colon != std::string::npos &&
        (!spec.per_branch || setting.branch_key.empty())) {
      *err =
          where + "`" + e.key + "` in [" + p->name + "]: " +
          (spec.per_branch
               ? "a branch key must follow `:" + setting.name + ":`"
               : "`:" + setting.name + "` is one value for the whole project");
      return false;
    }
    if (spec.values && !IsOneOf(setting.value, spec.values)) {
      *err = where + "`" + e.key + "` in [" + p->name + "] must be " +
             Alternatives(spec.values) + ", not `" + setting.value + "`";
      return false;
    }
    std::string why;
    if (!ValueFits(setting.name, setting.value, &why)) {
      *err = where + "`" + e.key + "` in [" + p->name + "]: " + why;
      return false;
    }
    p->settings.push_back(std::move(setting));
    return true;
  }
  std::string like =
      NameLike(setting.name, kProjectSettings, &ProjectSettingSpec::name);
  warnings->push_back(where + "unknown project setting `" + e.key + "` in [" +
                      p->name + "] ignored" +
                      (like.empty() ? "" : "; did you mean `:" + like + "`?"));
  return true;
}

}  // namespace

std::string GlobalSettingText(const Config& config, const std::string& key) {
  for (const Setting& s : kSettings)
    if (s.text && key == s.key) return config.*s.text;
  return "";
}

const Project* Config::FindProject(const std::string& name) const {
  for (const Project& p : projects)
    if (p.name == name) return &p;
  return nullptr;
}

bool ParseConfig(const std::string& text, const std::string& filename,
                 const std::string& home, Config* config, std::string* err) {
  IniDocument doc;
  if (!ParseIni(text, filename, &doc, err)) return false;
  Config c;
  c.path = filename;
  c.build_root = "~/Builds";
  bool seen_settings = false;
  // Each project's directory under the build root (SafeName), with the
  // project and line that took it.
  std::map<std::string, std::pair<std::string, int>> dirs;
  for (const IniSection& section : doc.sections) {
    auto where = [&](int line) {
      return filename + ":" + std::to_string(line) + ": ";
    };
    if (section.name == "_") {
      if (seen_settings) {
        *err = where(section.line) + "second [_] section";
        return false;
      }
      seen_settings = true;
      for (const IniEntry& e : section.entries)
        if (!ParseSetting(e, where(e.line), &c, err)) return false;
      continue;
    }
    if (c.FindProject(section.name)) {
      *err =
          where(section.line) + "project [" + section.name + "] appears twice";
      return false;
    }
    // Two projects in one directory would share their logs and workspaces:
    // one build would read the other's ignored files.
    auto taken = dirs.emplace(SafeName(section.name),
                              std::make_pair(section.name, section.line));
    if (!taken.second) {
      const auto& [other, line] = taken.first->second;
      *err = where(section.line) + "projects [" + other + "] (line " +
             std::to_string(line) + ") and [" + section.name +
             "] would share one directory, " + taken.first->first +
             ", under buildRoot; rename one";
      return false;
    }
    Project p;
    p.name = section.name;
    std::vector<std::string> keys;
    for (const IniEntry& e : section.entries) {
      if (std::find(keys.begin(), keys.end(), e.key) != keys.end()) {
        *err =
            where(e.line) + "`" + e.key + "` appears twice in [" + p.name + "]";
        return false;
      }
      keys.push_back(e.key);
      if (!e.key.empty() && e.key[0] == ':') {
        if (!ParseProjectSetting(e, where(e.line), &p, &c.warnings, err))
          return false;
        continue;
      }
      p.targets.emplace_back(e.key, e.value);
    }
    c.projects.push_back(std::move(p));
  }
  if (c.build_root.empty()) {
    *err = filename + ": buildRoot must not be empty";
    return false;
  }
  c.build_root = ExpandHome(c.build_root, home);
  c.spool = c.spool.empty() ? JoinPath(c.build_root, "INBOX")
                            : ExpandHome(c.spool, home);
  c.status_tokens = ExpandHome(c.status_tokens, home);
  c.ssh_key = ExpandHome(c.ssh_key, home);
  c.hook = ExpandHome(c.hook, home);
  *config = std::move(c);
  return true;
}

std::vector<SettingText> SettingsOf(const Config& config) {
  Config defaults;
  defaults.build_root = "~/Builds";
  defaults.spool = "~/Builds/INBOX";
  std::vector<SettingText> settings;
  for (const Setting& s : kSettings)
    settings.push_back({s.key, ValueText(s, config), ValueText(s, defaults),
                        s.meaning, s.example});
  return settings;
}

std::string ConfigPermissionWarning(const std::string& path,
                                    const Config& config) {
  struct stat st;
  if ((config.secret.empty() && config.web_password.empty()) ||
      stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0)
    return "";
  char mode[8];
  snprintf(mode, sizeof mode, "%04o",
           static_cast<unsigned>(st.st_mode & 07777));
  return path + ": readable by group or others (mode " + mode +
         ") while it holds " +
         (config.secret.empty() ? "webPassword" : "the webhook secret") +
         "; chmod 600 " + path;
}

bool LoadConfig(const std::string& path, Config* config, std::string* err) {
  std::string text;
  if (!ReadFile(path, &text, err)) {
    *err = "cannot read configuration " + *err;
    return false;
  }
  if (!ParseConfig(text, path, HomeDir(), config, err)) return false;
  std::string warning = ConfigPermissionWarning(path, *config);
  if (!warning.empty()) config->warnings.push_back(warning);
  return true;
}

}  // namespace mm
