#include "job/repository_url.h"

#include "base/text.h"

namespace mm {
namespace {

// The path without what does not tell repositories apart: trailing slashes
// and one `.git`, then slashes again (`r.git/`, `r/`, `r.git` are `r`).
std::string TrimPath(std::string path) {
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (EndsWith(path, ".git")) path.resize(path.size() - 4);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

std::string DefaultPort(const std::string& scheme) {
  if (scheme == "ssh" || scheme == "git+ssh" || scheme == "ssh+git")
    return "22";
  if (scheme == "git") return "9418";
  if (scheme == "http") return "80";
  if (scheme == "https") return "443";
  return "";
}

}  // namespace

std::string RepositoryIdentity(const std::string& url) {
  size_t sep = url.find("://");
  std::string scheme, authority, path;
  if (sep != std::string::npos) {
    scheme = AsciiLower(url.substr(0, sep));
    size_t slash = url.find('/', sep + 3);
    authority =
        url.substr(sep + 3, slash == std::string::npos ? std::string::npos
                                                       : slash - sep - 3);
    path = slash == std::string::npos ? "" : url.substr(slash);
  } else if (!url.empty() && url[0] == '/') {
    scheme = "file";
    path = url;
  } else {
    // git's short SSH form, [user@]host:path (a colon before any slash).
    size_t colon = url.find(':');
    size_t slash = url.find('/');
    if (colon == std::string::npos ||
        (slash != std::string::npos && slash < colon))
      return TrimPath(url);  // nothing git would fetch from: as it is
    scheme = "ssh";
    authority = url.substr(0, colon);
    path = "/" + url.substr(colon + 1);
  }
  size_t at = authority.rfind('@');
  std::string host = AsciiLower(
      at == std::string::npos ? authority : authority.substr(at + 1));
  size_t colon = host.rfind(':');
  if (colon != std::string::npos &&
      host.find(']', colon) == std::string::npos &&
      host.substr(colon + 1) == DefaultPort(scheme))
    host.resize(colon);
  if (scheme == "ssh+git" || scheme == "git+ssh") scheme = "ssh";
  // ssh://host/~user/r and host:~user/r: the same path either way.
  if (scheme == "ssh" && path.compare(0, 2, "/~") == 0) path.erase(0, 1);
  return scheme + "://" + host + TrimPath(path);
}

bool SameRepository(const std::string& a, const std::string& b) {
  return !a.empty() && !b.empty() &&
         RepositoryIdentity(a) == RepositoryIdentity(b);
}

}  // namespace mm
