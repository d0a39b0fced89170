#include "job/rejected.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/journal.h"

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
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  // Hidden, so that nothing takes it for a job meanwhile.
  std::string temp = dir + "/." + name + ".note";
  unlink(temp.c_str());
  if (!CreateFileExclusive(temp, RejectionNote(program, why, now) + text, mode,
                           err)) {
    return false;
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    *err = ErrnoText("cannot replace " + path);
    unlink(temp.c_str());
    return false;
  }
  return true;
}

}  // namespace mm
