#include "rejected.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "ini.h"
#include "journal.h"
#include "unique_fd.h"

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
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    *err = "cannot create " + temp + ": " + strerror(errno);
    return false;
  }
  std::string noted = RejectionNote(program, why, now) + text;
  // close() is checked too: some filesystems report a failed write there.
  bool ok = WriteAll(fd, noted.data(), noted.size()) && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (ok && rename(temp.c_str(), path.c_str()) == 0) return true;
  *err = "cannot write " + temp + ": " + strerror(errno);
  unlink(temp.c_str());
  return false;
}

}  // namespace mm
