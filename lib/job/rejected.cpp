#include "job/rejected.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/journal.h"
#include "base/paths.h"
#include "job/job_settings.h"

namespace mm {

namespace {

// The first line of every note, without its newline.
std::string NoteLine(const std::string& program, const std::string& why,
                     const struct timespec& now) {
  return "# Rejected by " + program + " at " + FormatIsoUtc(now) + ": " +
         OneLine(why);
}

}  // namespace

bool ReadRunnableJob(const std::string& text, const std::string& filename,
                     const Config& config, bool allow_trailing_sections,
                     Job* job, std::string* err) {
  Job decoded;
  if (!DecodeJob(text, filename, &decoded, err)) return false;
  if (!allow_trailing_sections && JobSectionText(text).size() != text.size()) {
    *err = filename + ": a job file holds one [job] section and nothing after";
    return false;
  }
  std::string why;
  if (!ProjectOfJob(config, decoded, &why)) {
    *err = filename + ": " + why;
    return false;
  }
  *job = std::move(decoded);
  return true;
}

std::string RejectionNote(const std::string& program, const std::string& why,
                          const struct timespec& now) {
  return NoteLine(program, why, now) +
         "\n# Fix the cause, then move this file back into the spool to "
         "build it.\n";
}

bool NoteRejection(const std::string& path, const std::string& program,
                   const std::string& why, const struct timespec& now,
                   std::string* err) {
  std::string text;
  if (!ReadFile(path, &text, err)) return false;
  struct stat st;
  mode_t mode = stat(path.c_str(), &st) == 0 ? st.st_mode & 07777 : 0600;
  size_t slash = path.rfind('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  // Hidden, so that nothing takes it for a job meanwhile.
  std::string temp = JoinPath(DirName(path), "." + name + ".note");
  return ReplaceFile(path, temp, RejectionNote(program, why, now) + text, mode,
                     err);
}

bool WriteRejectionNoteBeside(const std::string& path,
                              const std::string& program,
                              const std::string& why,
                              const struct timespec& now, std::string* err) {
  return CreateFileExclusive(path + ".why", NoteLine(program, why, now) + "\n",
                             0600, err);
}

}  // namespace mm
