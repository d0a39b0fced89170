// The INI dialect of mixmaster.ini(5) Syntax: `[section]`, `key = value` split
// at the first `=`, whole-line comments starting with `;` or `#`. No inline
// comments, so a build command may hold `;`, `#`, `=` and `[`. Values are taken
// literally; escaping (for job files) is the job module's business.
#ifndef MIXMASTER_INI_H_
#define MIXMASTER_INI_H_

#include <string>
#include <utility>
#include <vector>

#include "base/fsutil.h"  // ReadFile, for those who read an INI file

namespace mm {

struct IniEntry {
  std::string key;
  std::string value;
  int line = 0;
};

struct IniSection {
  std::string name;
  int line = 0;
  std::vector<IniEntry> entries;

  // The first entry named `key`, or null.
  const IniEntry* Find(const std::string& key) const;
};

struct IniDocument {
  std::vector<IniSection> sections;

  // The first section named `name`, or null.
  const IniSection* Find(const std::string& name) const;
};

// Parses `text`. On error fills `err` with "FILE:LINE: what" and returns false.
bool ParseIni(const std::string& text, const std::string& filename,
              IniDocument* doc, std::string* err);

// Reads and parses the file at `path`.
bool ReadIniFile(const std::string& path, IniDocument* doc, std::string* err);

// Formats one section; values must already be single lines.
std::string FormatIniSection(
    const std::string& name,
    const std::vector<std::pair<std::string, std::string>>& entries);

// `s` without the `blanks` at either end.
std::string Trim(const std::string& s, const char* blanks = " \t");

}  // namespace mm

#endif  // MIXMASTER_INI_H_
