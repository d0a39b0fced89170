// What goes to <buildRoot>/REJECTED/, and how it says why (mmbuild(1)
// FILES, mmcleanup(1)). A job says so in the file itself: `#` comment lines
// at its end, which the job file's INI dialect skips (mixmaster.ini(5)), so
// that the job builds again unchanged once it is moved back into the spool.
// They are appended while the job is still in the spool, under its lock,
// and the job then moves as it is: a job is never in REJECTED/ without its
// reason, and no temporary file is made. Anything else (not a job, so it
// cannot hold a comment: a directory, a note) gets one line in `<name>.why`
// beside it, a name that never ends in `.ini`, so moving it back never
// makes a job.
#ifndef MIXMASTER_REJECTED_H_
#define MIXMASTER_REJECTED_H_

#include <time.h>

#include <string>

#include "job/config.h"
#include "job/job.h"

namespace mm {

// Reads the job file `text` (called `filename` in messages) as mmbuild
// takes a job: decoded (job.h), one [job] section and nothing after it
// unless `allow_trailing_sections` (a build log given back by hand, or a job
// given on the command line), no buildCommand, mailto or mode of its own
// unless `allow_trailing_sections` too (a job in the spool only selects a
// build), its project configured. False with the reason, which is what sends a
// spooled job to REJECTED/.
bool ReadRunnableJob(const std::string& text, const std::string& filename,
                     const Config& config, bool allow_trailing_sections,
                     Job* job, std::string* err);

// The comment lines: who rejected the job when, why (on one line), and how
// to build it again.
std::string RejectionNote(const std::string& program, const std::string& why,
                          const struct timespec& now);

// Appends RejectionNote to the job file `path` (after a newline when it
// lacks its last one) and syncs it; the job's own lines stay as they are.
bool NoteRejection(const std::string& path, const std::string& program,
                   const std::string& why, const struct timespec& now,
                   std::string* err);

// Writes `<path>.why`, the note beside a rejected entry that is not a job:
// one line, as RejectionNote's first. Never replaces a file (REJECTED/
// could hold one of that name); false with `err` then.
bool WriteRejectionNoteBeside(const std::string& path,
                              const std::string& program,
                              const std::string& why,
                              const struct timespec& now, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_REJECTED_H_
