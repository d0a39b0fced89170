#include "job/rejected.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/journal.h"
#include "base/paths.h"

namespace mm {

std::string RejectionNote(const std::string& program, const std::string& why,
                          const struct timespec& now) {
  return "# Rejected by " + program + " at " + FormatIsoUtc(now) + ": " +
         OneLine(why) +
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

}  // namespace mm
