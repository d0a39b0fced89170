#include "base/paths.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mm {

std::string SafeName(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  bool leading = true;
  for (unsigned char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-';
    if (!ok || (leading && c == '.')) c = '-';
    leading = leading && c == '-';
    out.push_back(static_cast<char>(c));
  }
  if (out.empty()) out = "-";
  return out;
}

std::string HomeDir() {
  const char* home = getenv("HOME");
  if (home && *home) return home;
  struct passwd* pw = getpwuid(getuid());
  return pw && pw->pw_dir ? pw->pw_dir : "/";
}

std::string UserName() {
  struct passwd* pw = getpwuid(getuid());
  if (pw && pw->pw_name) return pw->pw_name;
  const char* user = getenv("USER");
  return user && *user ? user : std::to_string(getuid());
}

std::string ExpandHome(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.compare(0, 2, "~/") == 0) return JoinPath(home, path.substr(2));
  return path;
}

std::string DefaultConfigPath() {
  const char* explicit_path = getenv("MIXMASTER_CONFIG");
  if (explicit_path && *explicit_path) return explicit_path;
  const char* xdg = getenv("XDG_CONFIG_HOME");
  if (xdg && *xdg) return JoinPath(xdg, "mixmaster.ini");
  return JoinPath(HomeDir(), ".config/mixmaster.ini");
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  if (dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

bool MakeDirs(const std::string& path, std::string* err) {
  std::string partial;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    partial = path.substr(0, slash);
    pos = slash + 1;
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      *err = "cannot create " + partial + ": " + strerror(errno);
      return false;
    }
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *err = path + " is not a directory";
    return false;
  }
  return true;
}

std::string DirName(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : p.substr(0, slash);
}

std::string ContractHome(const std::string& path, const std::string& home) {
  std::string h = home;
  while (h.size() > 1 && h.back() == '/') h.pop_back();
  if (h.empty() || h == "/") return path;
  if (path == h) return "~";
  if (path.compare(0, h.size() + 1, h + "/") == 0)
    return "~" + path.substr(h.size());
  return path;
}

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {0};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0')
    return "localhost";
  return name;
}

ScopedEnv::ScopedEnv(const std::string& name, const char* value) : name_(name) {
  const char* old = getenv(name.c_str());
  had_old_ = old != nullptr;
  if (old) old_ = old;
  if (value)
    setenv(name.c_str(), value, 1);
  else
    unsetenv(name.c_str());
}

ScopedEnv::~ScopedEnv() {
  if (had_old_) {
    setenv(name_.c_str(), old_.c_str(), 1);
  } else {
    unsetenv(name_.c_str());
  }
}

}  // namespace mm
