#include "web/html.h"

namespace mm {

std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool IsWebLink(const std::string& url) {
  size_t rest;
  if (url.compare(0, 7, "http://") == 0)
    rest = 7;
  else if (url.compare(0, 8, "https://") == 0)
    rest = 8;
  else
    return false;
  if (url.size() == rest) return false;
  for (unsigned char c : url)
    if (c <= ' ' || c == 0x7f) return false;
  return true;
}

}  // namespace mm
