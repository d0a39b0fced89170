// Whether two repository URLs name the same repository (mixmaster.ini(5)
// Project settings, `:repository`): a project that pins its repository
// takes a push only when the payload names that one, by any of its URLs.
#ifndef MIXMASTER_REPOSITORY_URL_H_
#define MIXMASTER_REPOSITORY_URL_H_

#include <string>

namespace mm {

// `url` in the form compared: scheme and host lower-cased; user
// information, a default port (ssh 22, git 9418, http 80, https 443), and a
// trailing `/` or `.git` dropped; git's short SSH form `user@host:path`
// written `ssh://host/path`, and an absolute path `file://path`. The path
// itself is compared exactly.
std::string RepositoryIdentity(const std::string& url);

// True when `a` and `b` have the same RepositoryIdentity, and neither is
// empty.
bool SameRepository(const std::string& a, const std::string& b);

}  // namespace mm

#endif  // MIXMASTER_REPOSITORY_URL_H_
