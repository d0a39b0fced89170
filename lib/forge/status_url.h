// Commit-status URLs (mmbridge(1) "Commit statuses"): where a forge takes the
// status of one commit, derived from the fields of its push payload, and the
// checks every such URL passes before it is recorded in a job or used.
#ifndef MIXMASTER_STATUS_URL_H_
#define MIXMASTER_STATUS_URL_H_

#include <string>

namespace mm {

// The part of a URL a status token is bound to (mixmaster.ini(5)
// statusTokens): scheme and host lower-cased, the port filled in (80, 443)
// when the URL names none.
struct UrlOrigin {
  std::string scheme;  // "http" or "https"
  std::string host;    // a name, an IPv4 address, or `[v6]` with brackets
  int port = 0;

  bool operator==(const UrlOrigin& o) const {
    return scheme == o.scheme && host == o.host && port == o.port;
  }
};

// Reads the origin of `url` and checks the whole URL: only `http://` and
// `https://`, a host, no user info (`user@`), a port of 1-65535, and no
// byte outside printable ASCII (no control characters, no blanks).
bool ParseUrlOrigin(const std::string& url, UrlOrigin* origin,
                    std::string* why);

// True for a full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits.
bool IsFullCommitId(const std::string& commit);

// `text` with every byte outside A-Z a-z 0-9 `-._~` written %XX.
std::string PercentEncode(const std::string& text);

// Gitea and Forgejo: <base>/api/v1/repos/<owner>/<repo>/statuses/<sha>,
// base being `html_url` without its trailing `/<full_name>`.
bool GiteaStatusUrl(const std::string& html_url, const std::string& full_name,
                    const std::string& commit, std::string* url,
                    std::string* why);

// GitHub: `statuses_url` with its `{sha}` filled in.
bool GitHubStatusUrl(const std::string& statuses_url, const std::string& commit,
                     std::string* url, std::string* why);

// GitLab: <base>/api/v4/projects/<path, URL-encoded>/statuses/<sha>, base
// being `web_url` without its trailing `/<path_with_namespace>` (so a
// GitLab served under a path prefix keeps it).
bool GitLabStatusUrl(const std::string& web_url,
                     const std::string& path_with_namespace,
                     const std::string& commit, std::string* url,
                     std::string* why);

}  // namespace mm

#endif  // MIXMASTER_STATUS_URL_H_
