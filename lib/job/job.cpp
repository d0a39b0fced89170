#include "job/job.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/random.h>
#include <unistd.h>

#include <utility>
#include <vector>

#include "base/ini.h"

namespace mm {
namespace {

struct Field {
  const char* key;
  std::string Job::*member;
  bool omitted_when_empty = false;  // keys added later: old jobs stay as-is
};

const Field kFields[] = {
    {"id", &Job::id},
    {"received", &Job::received},
    {"endpoint", &Job::endpoint},
    {"scm", &Job::scm},
    {"project", &Job::project},
    {"repositoryUrl", &Job::repository_url},
    {"target", &Job::target},
    {"task", &Job::task},
    {"commit", &Job::commit},
    {"buildCommand", &Job::build_command},
    {"viewUrl", &Job::view_url},
    {"commitUrl", &Job::commit_url, true},
    {"message", &Job::message},
    {"pusher", &Job::pusher, true},
    {"notifications", &Job::notifications},
    {"mailto", &Job::mailto},
    {"mode", &Job::mode},
    {"forge", &Job::forge, true},
    {"statusUrl", &Job::status_url, true},
    {"rebuildOf", &Job::rebuild_of, true},
};

template <typename T>
struct Named {
  T value;
  const char* name;
};

// One table per enum: its names are written and read from here alone.
constexpr Named<JobMode> kModes[] = {{JobMode::kNormal, "normal"},
                                     {JobMode::kDryRun, "dryrun"}};
constexpr Named<Notifications> kNotifications[] = {
    {Notifications::kAll, "all"},
    {Notifications::kFailures, "failures"},
    {Notifications::kNone, "none"}};
constexpr Named<Forge> kForges[] = {{Forge::kNone, ""},
                                    {Forge::kGitea, "gitea"},
                                    {Forge::kGitHub, "github"},
                                    {Forge::kGitLab, "gitlab"}};

template <typename T, size_t N>
const char* NameOf(const Named<T> (&table)[N], T value) {
  for (const Named<T>& n : table)
    if (n.value == value) return n.name;
  return table[0].name;
}

template <typename T, size_t N>
bool Parse(const Named<T> (&table)[N], const std::string& name, T* value) {
  for (const Named<T>& n : table) {
    if (name == n.name && *n.name) {
      *value = n.value;
      return true;
    }
  }
  return false;
}

}  // namespace

const char* JobModeName(JobMode mode) { return NameOf(kModes, mode); }
bool ParseJobMode(const std::string& name, JobMode* mode) {
  return Parse(kModes, name, mode);
}
const char* NotificationsName(Notifications notifications) {
  return NameOf(kNotifications, notifications);
}
bool ParseNotifications(const std::string& name, Notifications* notifications) {
  return Parse(kNotifications, name, notifications);
}
const char* ForgeName(Forge forge) { return NameOf(kForges, forge); }
bool ParseForge(const std::string& name, Forge* forge) {
  return Parse(kForges, name, forge);
}

std::string EscapeJobValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case ' ':
        // INI trims both ends of a value; keep the spaces that would be lost.
        out += (i == 0 || i + 1 == value.size()) ? "\\s" : " ";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool UnescapeJobValue(const std::string& text, std::string* value,
                      std::string* err) {
  value->clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      value->push_back(text[i]);
      continue;
    }
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    switch (next) {
      case '\\':
        value->push_back('\\');
        break;
      case 'n':
        value->push_back('\n');
        break;
      case 'r':
        value->push_back('\r');
        break;
      case 't':
        value->push_back('\t');
        break;
      case 's':
        value->push_back(' ');
        break;
      default:
        *err = next ? std::string("unknown escape \\") + next
                    : "a lone \\ at the end of a value";
        return false;
    }
    ++i;
  }
  return true;
}

std::string JobSectionText(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl;
    size_t b = text.find_first_not_of(" \t", pos);
    if (b < end && text[b] == '[' && text.compare(b, 5, "[job]") != 0)
      return text.substr(0, pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  return text;
}

std::string EncodeJob(const Job& job) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const Field& f : kFields) {
    if (f.omitted_when_empty && (job.*f.member).empty()) continue;
    // Left to the configuration (job.h): not written at all.
    if ((f.member == &Job::build_command && !job.has_build_command) ||
        (f.member == &Job::mailto && !job.has_mailto) ||
        (f.member == &Job::mode && !job.has_mode))
      continue;
    entries.emplace_back(f.key, EscapeJobValue(job.*f.member));
  }
  return FormatIniSection("job", entries);
}

bool DecodeJob(const std::string& text, const std::string& filename, Job* job,
               std::string* err) {
  // A build log is the job file with more sections appended, and its [log]
  // lines are not INI: parse the [job] section alone.
  IniDocument doc;
  if (!ParseIni(JobSectionText(text), filename, &doc, err)) return false;
  const IniSection* section = doc.Find("job");
  if (!section || doc.sections.size() != 1) {
    *err = filename + ": not a job file: expected one [job] section";
    return false;
  }
  Job j;
  for (const IniEntry& e : section->entries) {
    const Field* field = nullptr;
    for (const Field& f : kFields)
      if (e.key == f.key) field = &f;
    std::string where = filename + ":" + std::to_string(e.line) + ": ";
    if (!field) {
      *err = where + "unknown job key `" + e.key + "`";
      return false;
    }
    std::string why;
    if (!UnescapeJobValue(e.value, &(j.*field->member), &why)) {
      *err = where + e.key + ": " + why;
      return false;
    }
    if (e.key == "buildCommand") j.has_build_command = true;
    if (e.key == "mailto") j.has_mailto = true;
    if (e.key == "mode") j.has_mode = true;
  }
  // A key given twice takes its last value, so the values kept are the
  // ones checked (found by t/fuzz/job_fuzz.cpp: a second, empty `target`
  // passed a check that looked at the first).
  const std::pair<const char*, const std::string*> required[] = {
      {"scm", &j.scm},
      {"project", &j.project},
      {"repositoryUrl", &j.repository_url},
      {"target", &j.target}};
  for (const auto& [key, value] : required) {
    if (value->empty()) {
      *err = filename + ": job has no " + key;
      return false;
    }
  }
  std::string why;
  if (!JobValuesShowable(j, &why)) {
    *err = filename + ": " + why;
    return false;
  }
  *job = std::move(j);
  return true;
}

std::string ControlCharacterIn(const std::string& value, bool multiline) {
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    unsigned next =
        i + 1 < value.size() ? static_cast<unsigned char>(value[i + 1]) : 0;
    unsigned code;
    if (c < 0x20 && c != '\t' && !(multiline && (c == '\n' || c == '\r')))
      code = c;
    else if (c == 0xc2 && next >= 0x80 && next <= 0x9f)  // U+0080..U+009F
      code = next;
    else
      continue;
    char text[16];
    snprintf(text, sizeof text, "U+%04X", code);
    return text;
  }
  return "";
}

bool JobValuesShowable(const Job& job, std::string* err) {
  for (const Field& f : kFields) {
    std::string found =
        ControlCharacterIn(job.*f.member, f.member == &Job::message);
    if (found.empty()) continue;
    *err = std::string(f.key) + " holds the control character " + found +
           "; values may hold none but tab (and line breaks in message)";
    return false;
  }
  return true;
}

bool IsJobId(const std::string& id) {
  if (id.empty() || id.size() > 200 || id[0] == '.') return false;
  for (unsigned char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NewJobId(const struct timespec& now) {
  unsigned int random = 0;
  if (getrandom(&random, sizeof random, GRND_NONBLOCK) != sizeof random)
    random = static_cast<unsigned int>(now.tv_nsec) ^ getpid();
  char tail[64];
  snprintf(tail, sizeof tail, "-%06ld-%d-%08x", now.tv_nsec / 1000,
           static_cast<int>(getpid()), random);
  return FormatIdStamp(now) + tail;
}

}  // namespace mm
