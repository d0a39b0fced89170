// Safe names and well-known paths (mixmaster.ini(5) FILES, SECURITY). Nothing
// from a request becomes part of a path except through SafeName or IsSafeJobId.
#ifndef MIXMASTER_PATHS_H_
#define MIXMASTER_PATHS_H_

#include <string>

namespace mm {

// Project or target name made filesystem-safe: lower-cased, every char outside
// [a-z0-9._-] replaced by '-', leading dots replaced by '-'. Never empty, `.`
// or `..`.
std::string SafeName(const std::string& name);

// True when `id` matches [0-9A-Za-z._-]+ and is not `.` or `..`.
bool IsSafeJobId(const std::string& id);

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

// mkdir -p with mode 0700 for what it creates.
bool MakeDirs(const std::string& path, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_PATHS_H_
