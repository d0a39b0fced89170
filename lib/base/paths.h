// Safe names and well-known paths (mixmaster.ini(5) FILES, SECURITY). Nothing
// from a request becomes part of a path except through SafeName (a project
// or target) or a name IsJobId (job/job.h) accepts.
#ifndef MIXMASTER_PATHS_H_
#define MIXMASTER_PATHS_H_

#include <string>

namespace mm {

// Project or target name made filesystem-safe: lower-cased, every char outside
// [a-z0-9._-] replaced by '-', leading dots replaced by '-'. Never empty, `.`
// or `..`.
std::string SafeName(const std::string& name);

// The user's home: $HOME, else the password database.
std::string HomeDir();

// The name of the user running this program (from the password database,
// else $USER, else the uid).
std::string UserName();

// `~` or `~/...` at the start of `path` becomes `home`.
std::string ExpandHome(const std::string& path, const std::string& home);

// --config default: $MIXMASTER_CONFIG, else $XDG_CONFIG_HOME/mixmaster.ini,
// else ~/.config/mixmaster.ini.
std::string DefaultConfigPath();

std::string JoinPath(const std::string& dir, const std::string& name);

// The directory of `path`: what is before its last `/` (trailing slashes
// aside); "/" for a name in the root, "." for a name without any `/`.
std::string DirName(const std::string& path);

// `path` written with `~` when it is `home` or inside it (mmbuild(1) BUILD
// LOG, a portable configuration); as it is when `home` is "/" or empty.
std::string ContractHome(const std::string& path, const std::string& home);

// This machine's name (Message-IDs, the webhook URL mmsetup prints);
// "localhost" when it has none.
std::string HostName();

// Sets an environment variable for the life of the object (unsets it for a
// null `value`), then puts the old value back (for libgit2, which reads
// SSH_AUTH_SOCK from the process; and for tests).
class ScopedEnv {
 public:
  ScopedEnv(const std::string& name, const char* value);
  ScopedEnv(const std::string& name, const std::string& value)
      : ScopedEnv(name, value.c_str()) {}
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  bool had_old_;
  std::string old_;
};

// mkdir -p with mode 0700 for what it creates.
bool MakeDirs(const std::string& path, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_PATHS_H_
