#include "git/known_hosts.h"

#include <ctype.h>
#include <fnmatch.h>
#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/sha1.h>
#include <stdint.h>

#include <sstream>
#include <vector>

#include "base/base64.h"
#include "base/ini.h"

namespace mm {
namespace {

// OpenSSH's hashed host names: HMAC-SHA1(salt, name).
std::string HmacSha1(const std::string& key, const std::string& message) {
  struct hmac_sha1_ctx ctx;
  hmac_sha1_set_key(&ctx, key.size(),
                    reinterpret_cast<const uint8_t*>(key.data()));
  hmac_sha1_update(&ctx, message.size(),
                   reinterpret_cast<const uint8_t*>(message.data()));
  uint8_t digest[SHA1_DIGEST_SIZE];
  hmac_sha1_digest(&ctx, sizeof digest, digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

// A host pattern (sshd_config(5) PATTERNS: `*` and `?` only) matches the
// whole name, case-insensitively. fnmatch(3) would also take `[...]`, which
// a `[host]:port` name has: those are escaped to stand for themselves.
bool GlobMatch(const std::string& pattern, const std::string& name) {
  std::string escaped;
  for (char c : pattern) {
    if (c == '[' || c == ']' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return fnmatch(escaped.c_str(), name.c_str(), FNM_CASEFOLD) == 0;
}

bool HashedNameMatches(const std::string& entry, const std::string& name) {
  // |1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>
  size_t bar = entry.find('|', 3);
  if (entry.compare(0, 3, "|1|") != 0 || bar == std::string::npos) return false;
  std::string salt, hash;
  if (!DecodeBase64(entry.substr(3, bar - 3), &salt) ||
      !DecodeBase64(entry.substr(bar + 1), &hash))
    return false;
  return HmacSha1(salt, name) == hash;
}

// Whether the host-pattern field of a line names `name`.
bool PatternsMatch(const std::string& field, const std::string& name) {
  if (field.compare(0, 3, "|1|") == 0) return HashedNameMatches(field, name);
  bool matched = false;
  std::stringstream list(field);
  std::string pattern;
  while (std::getline(list, pattern, ',')) {
    bool negated = !pattern.empty() && pattern[0] == '!';
    if (negated) pattern.erase(0, 1);
    if (!GlobMatch(pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

}  // namespace

HostKeyMatch MatchKnownHost(const std::string& known_hosts_text,
                            const std::string& host, int port,
                            const std::string& key_blob) {
  std::string name =
      port == 22 || port <= 0 ? host : "[" + host + "]:" + std::to_string(port);
  bool seen = false, matched = false;
  std::stringstream lines(known_hosts_text);
  std::string line;
  while (std::getline(lines, line)) {
    std::stringstream fields(line);
    std::string first, patterns, type, key64;
    if (!(fields >> first) || first[0] == '#') continue;
    std::string marker;
    if (first[0] == '@') {
      marker = first;
      if (!(fields >> patterns)) continue;
    } else {
      patterns = first;
    }
    if (!(fields >> type >> key64)) continue;
    if (marker == "@cert-authority" || !PatternsMatch(patterns, name)) continue;
    std::string key;
    bool same = DecodeBase64(key64, &key) && key == key_blob;
    if (marker == "@revoked") {
      if (same) return HostKeyMatch::kRevoked;
      continue;
    }
    seen = true;
    matched = matched || same;
  }
  if (matched) return HostKeyMatch::kMatch;
  return seen ? HostKeyMatch::kMismatch : HostKeyMatch::kUnknown;
}

bool CheckHostKey(const std::string& known_hosts_path, const std::string& host,
                  int port, const std::string& key_blob, std::string* err) {
  std::string text, why;
  if (!ReadFile(known_hosts_path, &text, &why)) text.clear();
  std::string where = host + (port > 0 ? ":" + std::to_string(port) : "");
  switch (MatchKnownHost(text, host, port, key_blob)) {
    case HostKeyMatch::kMatch:
      return true;
    case HostKeyMatch::kUnknown:
      *err = "host key of " + where + " is not in " + known_hosts_path +
             " (unknown host): check its fingerprint and add it, e.g. " +
             "with ssh-keyscan";
      return false;
    case HostKeyMatch::kMismatch:
      *err = "host key of " + where + " does not match " + known_hosts_path +
             " (the host key changed): refusing to connect";
      return false;
    case HostKeyMatch::kRevoked:
      *err =
          "host key of " + where + " is marked @revoked in " + known_hosts_path;
      return false;
  }
  return false;
}

}  // namespace mm
