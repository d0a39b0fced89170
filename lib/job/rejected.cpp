#include "job/rejected.h"

#include <fcntl.h>
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
  UniqueFd fd(open(path.c_str(), O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!fd.ok() || fstat(fd.get(), &st) != 0) {
    *err = ErrnoText("cannot open " + path);
    return false;
  }
  // A job written by hand may lack its last newline.
  char last = '\n';
  if (st.st_size > 0 && pread(fd.get(), &last, 1, st.st_size - 1) != 1)
    last = '\n';
  std::string note =
      (last == '\n' ? "" : "\n") + RejectionNote(program, why, now);
  if (!WriteAll(fd.get(), note.data(), note.size()) || fsync(fd.get()) != 0) {
    *err = ErrnoText("cannot write to " + path);
    return false;
  }
  return true;
}

}  // namespace mm
