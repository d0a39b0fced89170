#include "base/redact.h"

#include <string.h>

namespace mm {
namespace {

// Where the URL whose "://" is at `scheme_end` ends in `text`.
size_t UrlEnd(const std::string& text, size_t scheme_end) {
  size_t end = text.find_first_of(" \t\r\n\"'<>", scheme_end);
  return end == std::string::npos ? text.size() : end;
}

// The scheme before "://" at `sep`, lower-cased.
std::string SchemeBefore(const std::string& text, size_t sep) {
  size_t b = sep;
  while (b > 0 && (isalnum(static_cast<unsigned char>(text[b - 1])) ||
                   strchr("+-.", text[b - 1])))
    --b;
  std::string scheme = text.substr(b, sep - b);
  for (char& c : scheme) c = static_cast<char>(tolower(c));
  return scheme;
}

}  // namespace

std::string RedactUrl(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return url;
  size_t start = sep + 3;
  size_t slash = url.find_first_of("/?#", start);
  size_t at = url.rfind('@', slash == std::string::npos ? url.size() : slash);
  if (at == std::string::npos || at < start) return url;
  size_t colon = url.find(':', start);
  if (colon != std::string::npos && colon < at)
    return url.substr(0, colon + 1) + "***" + url.substr(at);
  std::string scheme = SchemeBefore(url, sep);
  if (scheme == "http" || scheme == "https")
    return url.substr(0, start) + "***" + url.substr(at);
  return url;
}

std::string RedactUrlsIn(const std::string& text) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    size_t sep = text.find("://", pos);
    if (sep == std::string::npos) break;
    size_t b = sep;
    while (b > pos && (isalnum(static_cast<unsigned char>(text[b - 1])) ||
                       strchr("+-.", text[b - 1])))
      --b;
    size_t end = UrlEnd(text, sep + 3);
    out += text.substr(pos, b - pos);
    out += RedactUrl(text.substr(b, end - b));
    pos = end;
  }
  return out + text.substr(pos);
}

}  // namespace mm
