// Reading composed mail in tests the way a mail reader does: split the header
// block, unfold continuation lines, decode RFC 2047 encoded-words.
#ifndef MIXMASTER_T_UNIT_MAIL_TEST_SUPPORT_H_
#define MIXMASTER_T_UNIT_MAIL_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "base/base64.h"

namespace mm {

struct ParsedMail {
  std::vector<std::string> lines;  // raw header lines, folded ones separate
  std::multimap<std::string, std::string> headers;  // unfolded values
  std::string body;
};

// Splits a message the way a mail reader does: header block up to the first
// empty line, continuation lines (starting with a blank) joined to the header
// before them.
inline ParsedMail Parse(const std::string& message) {
  ParsedMail p;
  size_t end = message.find("\n\n");
  EXPECT_NE(end, std::string::npos) << message;
  std::string head = message.substr(0, end + 1);
  p.body = message.substr(end + 2);
  std::vector<std::pair<std::string, std::string>> fields;
  size_t start = 0;
  while (start < head.size()) {
    size_t nl = head.find('\n', start);
    std::string line = head.substr(start, nl - start);
    start = nl + 1;
    p.lines.push_back(line);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      EXPECT_FALSE(fields.empty()) << line;
      if (!fields.empty()) fields.back().second += line;
      continue;
    }
    size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << "not a header: " << line;
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    fields.emplace_back(line.substr(0, colon), value);
  }
  for (auto& f : fields) {
    size_t text = f.second.find_first_not_of(" \t");
    p.headers.emplace(f.first,
                      text == std::string::npos ? "" : f.second.substr(text));
  }
  return p;
}

inline std::set<std::string> Names(const ParsedMail& p) {
  std::set<std::string> names;
  for (auto& h : p.headers) names.insert(h.first);
  return names;
}

inline std::string Header(const ParsedMail& p, const std::string& name) {
  EXPECT_EQ(p.headers.count(name), 1u) << name;
  auto it = p.headers.find(name);
  return it == p.headers.end() ? "" : it->second;
}

// RFC 2047 decoding of an unfolded unstructured value: encoded-words are
// decoded, and blanks between two adjacent encoded-words are dropped.
inline std::string DecodeWords(const std::string& value) {
  std::string out;
  std::string pending_blanks;
  bool last_was_encoded = false;
  size_t i = 0;
  while (i < value.size()) {
    if (value[i] == ' ' || value[i] == '\t') {
      pending_blanks += value[i++];
      continue;
    }
    size_t end = value.find_first_of(" \t", i);
    std::string word = value.substr(i, end - i);
    i = end == std::string::npos ? value.size() : end;
    const std::string prefix = "=?UTF-8?B?";
    bool encoded = word.compare(0, prefix.size(), prefix) == 0 &&
                   word.size() >= prefix.size() + 2 &&
                   word.compare(word.size() - 2, 2, "?=") == 0;
    if (!(encoded && last_was_encoded)) out += pending_blanks;
    pending_blanks.clear();
    if (encoded) {
      EXPECT_LE(word.size(), 75u) << word;
      // (mm::DecodeBase64 is base/base64's; its own tests vouch for it.)
      std::string bytes;
      EXPECT_TRUE(DecodeBase64(
          word.substr(prefix.size(), word.size() - prefix.size() - 2), &bytes))
          << word;
      // Each word holds whole characters: it never ends inside a sequence.
      unsigned char lastc = static_cast<unsigned char>(bytes.back());
      EXPECT_TRUE(lastc < 0x80 || (lastc & 0xC0) == 0x80) << word;
      out += bytes;
    } else {
      out += word;
    }
    last_was_encoded = encoded;
  }
  return out + pending_blanks;
}

}  // namespace mm

#endif  // MIXMASTER_T_UNIT_MAIL_TEST_SUPPORT_H_
