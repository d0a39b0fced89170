#include "report/mail_header.h"

#include <nettle/base64.h>
#include <string.h>

#include <vector>

#include "base/ini.h"
#include "base/journal.h"

namespace mm {
namespace {

const size_t kFoldAt = 78;        // RFC 5322 2.1.1: SHOULD
const size_t kMaxPlainWord = 77;  // longer words go into encoded-words
const size_t kEncodedChunk = 45;  // bytes: 60 base64 chars, a 75-char word
const size_t kMaxAddress = 512;

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid
// (overlong forms, surrogates and values past U+10FFFF are invalid).
size_t Utf8Length(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  size_t n;
  unsigned long cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = static_cast<unsigned char>(s[i + k]);
    if (!IsUtf8Continuation(d)) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
    return 0;
  return n;
}

// Header-safe text: valid UTF-8 where every control character, C1 control and
// Unicode line or paragraph separator is a blank.
std::string HeaderText(const std::string& raw) {
  std::string s = OneLine(ValidUtf8(raw));
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8Length(s, i);
    unsigned char c0 = static_cast<unsigned char>(s[i]);
    unsigned char c1 = n > 1 ? static_cast<unsigned char>(s[i + 1]) : 0;
    unsigned char c2 = n > 2 ? static_cast<unsigned char>(s[i + 2]) : 0;
    bool c1_control = n == 2 && c0 == 0xC2 && c1 <= 0x9F;
    bool separator =
        n == 3 && c0 == 0xE2 && c1 == 0x80 && (c2 == 0xA8 || c2 == 0xA9);
    if (c1_control || separator) {
      out += ' ';
    } else {
      out.append(s, i, n);
    }
    i += n;
  }
  return out;
}

bool IsAscii(const std::string& s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

std::string Base64(const std::string& in) {
  std::string out(BASE64_ENCODE_RAW_LENGTH(in.size()), '\0');
  base64_encode_raw(&out[0], in.size(),
                    reinterpret_cast<const uint8_t*>(in.data()));
  return out;
}

// RFC 2047 encoded-words for valid UTF-8 `text`, each holding whole
// characters (section 5) and at most 75 characters long.
std::vector<std::string> EncodedWords(const std::string& text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = start + kEncodedChunk;
    if (end >= text.size()) {
      end = text.size();
    } else {
      while (end > start &&
             IsUtf8Continuation(static_cast<unsigned char>(text[end])))
        --end;
    }
    words.push_back("=?UTF-8?B?" + Base64(text.substr(start, end - start)) +
                    "?=");
    start = end;
  }
  return words;
}

std::vector<std::string> SplitBlanks(const std::string& s) {
  std::vector<std::string> words;
  size_t start = 0;
  for (;;) {
    size_t space = s.find(' ', start);
    words.push_back(s.substr(start, space - start));
    if (space == std::string::npos) return words;
    start = space + 1;
  }
}

bool NeedsEncoding(const std::string& word) {
  return !IsAscii(word) || word.find("=?") != std::string::npos ||
         word.size() > kMaxPlainWord;
}

// Joins tokens with blanks, folding before a token that would make the line
// longer than kFoldAt. Never folds before an empty token, which would leave a
// line of blanks only.
std::string FoldTokens(const std::string& start,
                       const std::vector<std::string>& tokens) {
  std::string out = start;
  size_t line = start.size();
  for (const std::string& t : tokens) {
    if (!t.empty() && line + 1 + t.size() > kFoldAt) {
      out += "\n ";
      line = 1;
    } else {
      out += ' ';
      ++line;
    }
    out += t;
    line += t.size();
  }
  return out;
}

bool IsAtext(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

bool CheckAddrSpec(const std::string& addr, std::string* err) {
  size_t at = addr.rfind('@');
  std::string local = at == std::string::npos ? addr : addr.substr(0, at);
  if (local.empty() || local.size() > 64 || local.front() == '.' ||
      local.back() == '.' || local.find("..") != std::string::npos) {
    *err = "bad mail address '" + addr + "'";
    return false;
  }
  for (char c : local) {
    if (!IsAtext(c) && c != '.') {
      *err = "bad mail address '" + addr + "': it must be one address";
      return false;
    }
  }
  if (at == std::string::npos) return true;
  std::string domain = addr.substr(at + 1);
  bool ok = !domain.empty() && domain.size() <= 253 && domain.front() != '.' &&
            domain.back() != '.' && domain.find("..") == std::string::npos;
  for (char c : domain) {
    ok = ok && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                (c >= 'A' && c <= 'Z') || c == '-' || c == '.');
  }
  if (!ok) *err = "bad domain in mail address '" + addr + "'";
  return ok;
}

}  // namespace

std::string ValidUtf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

bool IsUtf8Continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

bool CheckMailAddress(const std::string& address, std::string* header,
                      std::string* err) {
  std::string a = Trim(address);
  if (a.empty()) {
    *err = "empty mail address";
    return false;
  }
  if (a.size() > kMaxAddress) {
    *err = "mail address longer than " + std::to_string(kMaxAddress) + " bytes";
    return false;
  }
  if (ValidUtf8(a) != a || HeaderText(a) != a || a.find('\t') != a.npos) {
    *err = "mail address '" + OneLine(a) + "' has a control character";
    return false;
  }
  if (a.find_first_of(",;") != std::string::npos) {
    *err = "mail address '" + a + "' must be one address, without ',' or ';'";
    return false;
  }
  size_t lt = a.find('<');
  if (lt == std::string::npos) {
    if (!IsAscii(a)) {
      *err = "mail address '" + a + "' is not ASCII";
      return false;
    }
    if (!CheckAddrSpec(a, err)) return false;
    *header = a;
    return true;
  }
  std::string addr = a.substr(lt + 1);
  if (addr.empty() || addr.back() != '>' ||
      addr.find_first_of("<>") != addr.size() - 1) {
    *err = "bad mail address '" + a + "': expected 'Name <address>'";
    return false;
  }
  addr.pop_back();
  if (!IsAscii(addr)) {
    *err = "mail address '" + a + "' is not ASCII";
    return false;
  }
  if (!CheckAddrSpec(addr, err)) return false;
  std::string name = Trim(a.substr(0, lt));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
    name = name.substr(1, name.size() - 2);
  if (name.find_first_of("\"\\") != std::string::npos) {
    *err = "bad display name in mail address '" + a + "'";
    return false;
  }
  std::string phrase;
  if (name.empty()) {
    phrase = "";
  } else if (!IsAscii(name) || name.find("=?") != std::string::npos) {
    for (const std::string& w : EncodedWords(name))
      phrase += (phrase.empty() ? "" : " ") + w;
  } else {
    phrase = "\"" + name + "\"";
  }
  *header = phrase.empty() ? "<" + addr + ">" : phrase + " <" + addr + ">";
  return true;
}

std::string EncodeUnstructuredHeader(const std::string& name,
                                     const std::string& text) {
  std::vector<std::string> words = SplitBlanks(HeaderText(text));
  std::vector<std::string> tokens;
  for (size_t i = 0; i < words.size(); ++i) {
    if (!NeedsEncoding(words[i])) {
      tokens.push_back(words[i]);
      continue;
    }
    // A run of words to encode takes the blanks between them along, since
    // blanks between two encoded-words vanish when they are decoded.
    size_t last = i;
    for (size_t k = i + 1; k < words.size(); ++k) {
      if (NeedsEncoding(words[k])) {
        last = k;
      } else if (!words[k].empty()) {
        break;
      }
    }
    std::string run = words[i];
    for (size_t k = i + 1; k <= last; ++k) run += " " + words[k];
    for (std::string& w : EncodedWords(run)) tokens.push_back(std::move(w));
    i = last;
  }
  return FoldTokens(name + ":", tokens);
}

}  // namespace mm
