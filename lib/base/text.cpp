#include "base/text.h"

namespace mm {
namespace {

char LowerChar(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (LowerChar(a[i]) != LowerChar(b[i])) return false;
  return true;
}

std::vector<std::string> SplitWords(const std::string& text,
                                    const char* blanks) {
  std::vector<std::string> words;
  size_t pos = 0;
  for (;;) {
    size_t b = text.find_first_not_of(blanks, pos);
    if (b == std::string::npos) break;
    size_t e = text.find_first_of(blanks, b);
    words.push_back(text.substr(b, e == std::string::npos ? e : e - b));
    if (e == std::string::npos) break;
    pos = e;
  }
  return words;
}

std::string AsciiLower(std::string s) {
  for (char& c : s) c = LowerChar(c);
  return s;
}

}  // namespace mm
