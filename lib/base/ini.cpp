#include "base/ini.h"

#include "base/fsutil.h"

namespace mm {

std::string Trim(const std::string& s, const char* blanks) {
  size_t b = s.find_first_not_of(blanks);
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(blanks);
  return s.substr(b, e - b + 1);
}

const IniEntry* IniSection::Find(const std::string& key) const {
  for (const IniEntry& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

const IniSection* IniDocument::Find(const std::string& name) const {
  for (const IniSection& s : sections)
    if (s.name == name) return &s;
  return nullptr;
}

bool ParseIni(const std::string& text, const std::string& filename,
              IniDocument* doc, std::string* err) {
  doc->sections.clear();
  int lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    auto fail = [&](const std::string& what) {
      *err = filename + ":" + std::to_string(lineno) + ": " + what;
      return false;
    };
    if (raw.find('\0') != std::string::npos) return fail("NUL byte in line");
    std::string line = Trim(raw, " \t\r");
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3)
        return fail("malformed section header: " + line);
      doc->sections.push_back(
          IniSection{line.substr(1, line.size() - 2), lineno, {}});
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string::npos)
      return fail("expected `key = value`, `[section]` or a comment: " + line);
    std::string key = Trim(line.substr(0, eq));
    if (key.empty()) return fail("empty key before `=`");
    if (doc->sections.empty())
      return fail("`" + key + "` is outside any [section]");
    doc->sections.back().entries.push_back(
        IniEntry{key, Trim(line.substr(eq + 1)), lineno});
  }
  return true;
}

bool ReadIniFile(const std::string& path, IniDocument* doc, std::string* err) {
  std::string text;
  if (!ReadFile(path, &text, err)) return false;
  return ParseIni(text, path, doc, err);
}

std::string FormatIniSection(
    const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out = "[" + name + "]\n";
  for (const auto& kv : entries) out += kv.first + " = " + kv.second + "\n";
  return out;
}

}  // namespace mm
