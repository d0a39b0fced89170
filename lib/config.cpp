#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "ini.h"
#include "paths.h"

namespace mm {
namespace {

bool ParseNumber(const IniEntry& e, const std::string& filename, long min,
                 long* out, std::string* err) {
  errno = 0;
  char* end = nullptr;
  long v = strtol(e.value.c_str(), &end, 10);
  if (e.value.empty() || *end != '\0' || errno != 0 || v < min) {
    *err = filename + ":" + std::to_string(e.line) + ": " + e.key +
           " must be a whole number of at least " + std::to_string(min) +
           ", not `" + e.value + "`";
    return false;
  }
  *out = v;
  return true;
}

}  // namespace

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
  std::string build_root = "~/Builds", spool;
  bool seen_settings = false;
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
      for (const IniEntry& e : section.entries) {
        const std::string& k = e.key;
        if (k == "buildRoot") {
          build_root = e.value;
        } else if (k == "spool") {
          spool = e.value;
        } else if (k == "mailto") {
          c.mailto = e.value;
        } else if (k == "mailfrom") {
          c.mailfrom = e.value;
        } else if (k == "sendmail") {
          c.sendmail = e.value;
        } else if (k == "hook") {
          c.hook = e.value;
        } else if (k == "sshKey") {
          c.ssh_key = e.value;
        } else if (k == "secret") {
          c.secret = e.value;
        } else if (k == "mode") {
          if (e.value != "normal" && e.value != "dryrun") {
            *err = where(e.line) + "mode must be `normal` or `dryrun`, not `" +
                   e.value + "`";
            return false;
          }
          c.mode = e.value;
        } else if (k == "timeout") {
          if (!ParseNumber(e, filename, 0, &c.timeout, err)) return false;
        } else if (k == "maxRequestBytes") {
          if (!ParseNumber(e, filename, 1, &c.max_request_bytes, err))
            return false;
        } else {
          c.warnings.push_back(where(e.line) + "unknown setting `" + k +
                               "` in [_] ignored");
        }
      }
      continue;
    }
    if (c.FindProject(section.name)) {
      *err =
          where(section.line) + "project [" + section.name + "] appears twice";
      return false;
    }
    Project p;
    p.name = section.name;
    for (const IniEntry& e : section.entries) {
      for (const auto& kv : p.targets) {
        if (kv.first == e.key) {
          *err = where(e.line) + "`" + e.key + "` appears twice in [" + p.name +
                 "]";
          return false;
        }
      }
      p.targets.emplace_back(e.key, e.value);
    }
    c.projects.push_back(std::move(p));
  }
  if (build_root.empty()) {
    *err = filename + ": buildRoot must not be empty";
    return false;
  }
  c.build_root = ExpandHome(build_root, home);
  c.spool =
      spool.empty() ? JoinPath(c.build_root, "INBOX") : ExpandHome(spool, home);
  c.ssh_key = ExpandHome(c.ssh_key, home);
  c.hook = ExpandHome(c.hook, home);
  *config = std::move(c);
  return true;
}

bool LoadConfig(const std::string& path, Config* config, std::string* err) {
  std::string text;
  if (!ReadFile(path, &text, err)) {
    *err = "cannot read configuration " + *err;
    return false;
  }
  return ParseConfig(text, path, HomeDir(), config, err);
}

}  // namespace mm
