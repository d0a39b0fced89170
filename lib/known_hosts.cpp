#include "known_hosts.h"

#include <stdint.h>

#include <sstream>
#include <vector>

#include "ini.h"

namespace mm {
namespace {

// SHA-1 (FIPS 180-4), only for OpenSSH's hashed host names
// (HMAC-SHA1(salt, name)); mmbuild links nothing but libgit2.
std::string Sha1(const std::string& message) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  std::string m = message;
  uint64_t bits = static_cast<uint64_t>(message.size()) * 8;
  m += static_cast<char>(0x80);
  while (m.size() % 64 != 56) m += '\0';
  for (int i = 7; i >= 0; --i) m += static_cast<char>((bits >> (i * 8)) & 0xff);
  auto rol = [](uint32_t x, int n) { return (x << n) | (x >> (32 - n)); };
  for (size_t chunk = 0; chunk < m.size(); chunk += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      const unsigned char* p =
          reinterpret_cast<const unsigned char*>(&m[chunk + 4 * i]);
      w[i] = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
             (uint32_t{p[2]} << 8) | p[3];
    }
    for (int i = 16; i < 80; ++i)
      w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d), k = 0x5A827999;
      } else if (i < 40) {
        f = b ^ c ^ d, k = 0x6ED9EBA1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      } else {
        f = b ^ c ^ d, k = 0xCA62C1D6;
      }
      uint32_t t = rol(a, 5) + f + e + k + w[i];
      e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  std::string digest;
  for (uint32_t v : h)
    for (int i = 3; i >= 0; --i)
      digest += static_cast<char>((v >> (i * 8)) & 0xff);
  return digest;
}

std::string HmacSha1(std::string key, const std::string& message) {
  if (key.size() > 64) key = Sha1(key);
  key.resize(64, '\0');
  std::string inner(64, '\0'), outer(64, '\0');
  for (int i = 0; i < 64; ++i) {
    inner[i] = static_cast<char>(key[i] ^ 0x36);
    outer[i] = static_cast<char>(key[i] ^ 0x5c);
  }
  return Sha1(outer + Sha1(inner + message));
}

// fnmatch-style `*` and `?` over a whole host name, case-insensitively.
// Iterative, going back only to the last `*`: a recursive match took
// exponential time on a pattern of many stars (found by
// t/fuzz/known_hosts_fuzz.cpp; see KnownHostsTest.ManyStarsMatchQuickly).
bool GlobMatch(const char* pattern, const char* name) {
  auto lower = [](char c) { return tolower(static_cast<unsigned char>(c)); };
  const char* star = nullptr;    // the last `*` seen in the pattern
  const char* resume = nullptr;  // where that star's match ends in the name
  while (*name) {
    if (*pattern == '*') {
      star = pattern++;
      resume = name;
    } else if (*pattern &&
               (*pattern == '?' || lower(*pattern) == lower(*name))) {
      ++pattern;
      ++name;
    } else if (star) {
      pattern = star + 1;
      name = ++resume;
    } else {
      return false;
    }
  }
  while (*pattern == '*') ++pattern;
  return !*pattern;
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
    if (!GlobMatch(pattern.c_str(), name.c_str())) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

}  // namespace

bool DecodeBase64(const std::string& text, std::string* out) {
  out->clear();
  uint32_t buffer = 0;
  int bits = 0;
  size_t i = 0;
  for (; i < text.size() && text[i] != '='; ++i) {
    char c = text[i];
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+') {
      v = 62;
    } else if (c == '/') {
      v = 63;
    } else {
      return false;
    }
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  for (; i < text.size(); ++i)
    if (text[i] != '=') return false;
  return true;
}

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
