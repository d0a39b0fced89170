#include "forge/status_url.h"

#include "base/text.h"

namespace mm {
namespace {

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() &&
         s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// A status URL is a path: a query or fragment would change what it names.
bool NoQuery(const std::string& url, std::string* why) {
  if (url.find_first_of("?#") == std::string::npos) return true;
  *why = "the URL holds a query or a fragment";
  return false;
}

// `base` + `/` + `path`-tail checks shared by Gitea and GitLab: the web URL
// must end with `/<name>`, and what is left must still be a URL.
bool BaseBefore(const std::string& web_url, const std::string& name,
                std::string* base, std::string* why) {
  std::string tail = "/" + name;
  std::string url = web_url;
  if (!url.empty() && url.back() == '/') url.pop_back();
  if (name.empty() || !EndsWith(url, tail)) {
    *why = "the repository's web URL does not end with its name";
    return false;
  }
  *base = url.substr(0, url.size() - tail.size());
  UrlOrigin origin;
  return ParseUrlOrigin(*base, &origin, why) && NoQuery(*base, why);
}

bool CheckCommit(const std::string& commit, std::string* why) {
  if (IsFullCommitId(commit)) return true;
  *why = "the push names no full commit id";
  return false;
}

}  // namespace

bool ParseUrlOrigin(const std::string& url, UrlOrigin* origin,
                    std::string* why) {
  for (unsigned char c : url) {
    if (c <= 0x20 || c >= 0x7f) {
      *why = "the URL holds a control character, a blank or a non-ASCII byte";
      return false;
    }
  }
  size_t sep = url.find("://");
  std::string scheme =
      sep == std::string::npos ? "" : AsciiLower(url.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    *why = "the URL is neither http:// nor https://";
    return false;
  }
  size_t start = sep + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? end : end - start);
  if (authority.find('@') != std::string::npos) {
    *why = "the URL holds user information";
    return false;
  }
  std::string host = authority, port;
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon != std::string::npos &&
      (bracket == std::string::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  bool v6 = !host.empty() && host[0] == '[';
  if (host.empty() || (v6 && host.back() != ']') ||
      (!v6 && host.find_first_of("[]") != std::string::npos)) {
    *why = "the URL has no valid host";
    return false;
  }
  long number = scheme == "https" ? 443 : 80;
  if (colon != std::string::npos && port.empty()) port = "x";
  if (!port.empty()) {
    number = 0;
    for (char c : port) {
      if (!isdigit(static_cast<unsigned char>(c)) || number > 65535) {
        number = 0;
        break;
      }
      number = number * 10 + (c - '0');
    }
    if (number < 1 || number > 65535) {
      *why = "the URL's port is not a number from 1 to 65535";
      return false;
    }
  }
  origin->scheme = scheme;
  origin->host = AsciiLower(host);
  origin->port = static_cast<int>(number);
  return true;
}

bool IsFullCommitId(const std::string& commit) {
  if (commit.size() != 40 && commit.size() != 64) return false;
  for (char c : commit)
    if (!isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string PercentEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool GiteaStatusUrl(const std::string& html_url, const std::string& full_name,
                    const std::string& commit, std::string* url,
                    std::string* why) {
  size_t slash = full_name.find('/');
  std::string owner = full_name.substr(0, slash);
  std::string repo =
      slash == std::string::npos ? "" : full_name.substr(slash + 1);
  auto bad = [](const std::string& s) {
    return s.empty() || s == "." || s == ".." ||
           s.find('/') != std::string::npos;
  };
  if (bad(owner) || bad(repo)) {
    *why = "the repository's full name is not owner/repo";
    return false;
  }
  std::string base;
  if (!CheckCommit(commit, why) || !BaseBefore(html_url, full_name, &base, why))
    return false;
  *url = base + "/api/v1/repos/" + PercentEncode(owner) + "/" +
         PercentEncode(repo) + "/statuses/" + AsciiLower(commit);
  return true;
}

bool GitHubStatusUrl(const std::string& statuses_url, const std::string& commit,
                     std::string* url, std::string* why) {
  static const char kSha[] = "{sha}";
  if (!CheckCommit(commit, why)) return false;
  if (!EndsWith(statuses_url, std::string("/statuses/") + kSha)) {
    *why = "the repository's statuses_url does not end with /statuses/{sha}";
    return false;
  }
  std::string filled =
      statuses_url.substr(0, statuses_url.size() - (sizeof kSha - 1)) +
      AsciiLower(commit);
  UrlOrigin origin;
  if (!ParseUrlOrigin(filled, &origin, why) || !NoQuery(filled, why))
    return false;
  *url = filled;
  return true;
}

bool GitLabStatusUrl(const std::string& web_url,
                     const std::string& path_with_namespace,
                     const std::string& commit, std::string* url,
                     std::string* why) {
  std::string base;
  if (!CheckCommit(commit, why) ||
      !BaseBefore(web_url, path_with_namespace, &base, why))
    return false;
  *url = base + "/api/v4/projects/" + PercentEncode(path_with_namespace) +
         "/statuses/" + AsciiLower(commit);
  return true;
}

}  // namespace mm
