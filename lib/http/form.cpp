#include "http/form.h"

#include <ctype.h>

#include "base/text.h"

namespace mm {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Decodes `text` (+ and %XX) into `out`; false on a broken %-escape.
bool Decode(const std::string& text, size_t from, size_t to, std::string* out) {
  out->clear();
  out->reserve(to - from);
  for (size_t i = from; i < to; ++i) {
    char c = text[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c != '%') {
      out->push_back(c);
    } else {
      int hi = i + 2 < to ? HexValue(text[i + 1]) : -1;
      int lo = hi >= 0 ? HexValue(text[i + 2]) : -1;
      if (lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return true;
}

}  // namespace

std::string MediaType(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  size_t b = type.find_first_not_of(" \t");
  size_t e = type.find_last_not_of(" \t");
  type = b == std::string::npos ? "" : type.substr(b, e - b + 1);
  return AsciiLower(type);
}

bool IsFormContentType(const std::string* content_type) {
  return content_type &&
         MediaType(*content_type) == "application/x-www-form-urlencoded";
}

bool FormField(const std::string& body, const std::string& name,
               std::string* value, std::string* err) {
  bool found = false;
  std::string field_name;
  for (size_t start = 0; start <= body.size();) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    size_t eq = body.find('=', start);
    size_t name_end = eq < end ? eq : end;
    if (Decode(body, start, name_end, &field_name) && field_name == name) {
      if (found) {
        *err = "form body has more than one field " + name;
        return false;
      }
      found = true;
      if (!Decode(body, name_end < end ? name_end + 1 : end, end, value)) {
        *err = "form field " + name + " has a %-escape that is not %XX";
        return false;
      }
    }
    start = end + 1;
  }
  if (!found) *err = "form body has no field " + name;
  return found;
}

}  // namespace mm
