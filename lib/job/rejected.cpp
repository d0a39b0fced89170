#include "job/rejected.h"

#include <fcntl.h>
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
  // Writing the spool is all a bridge that was taken over could do: a job
  // there selects a build, and the configuration decides what it runs.
  if (!allow_trailing_sections &&
      (decoded.has_build_command || decoded.has_mailto || decoded.has_mode)) {
    *err = filename +
           ": a job in the spool only selects a build; buildCommand, mailto "
           "and mode come from the configuration (a job with its own is "
           "given to mmbuild on the command line)";
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

bool WriteRejectionNoteBeside(const std::string& path,
                              const std::string& program,
                              const std::string& why,
                              const struct timespec& now, std::string* err) {
  return CreateFileExclusive(path + ".why", NoteLine(program, why, now) + "\n",
                             0600, err);
}

}  // namespace mm
