// A job moved to <buildRoot>/REJECTED/ says why in the file itself
// (mmbuild(1) FILES): `#` comment lines at its end, which the job file's INI
// dialect skips (mixmaster.ini(5)), so that the job builds again unchanged
// once it is moved back into the spool. They are appended while the job is
// still in the spool, under its lock, and the job then moves as it is: a
// job is never in REJECTED/ without its reason, and no temporary file is
// made.
#ifndef MIXMASTER_REJECTED_H_
#define MIXMASTER_REJECTED_H_

#include <time.h>

#include <string>

namespace mm {

// The comment lines: who rejected the job when, why (on one line), and how
// to build it again.
std::string RejectionNote(const std::string& program, const std::string& why,
                          const struct timespec& now);

// Appends RejectionNote to the job file `path` (after a newline when it
// lacks its last one) and syncs it; the job's own lines stay as they are.
bool NoteRejection(const std::string& path, const std::string& program,
                   const std::string& why, const struct timespec& now,
                   std::string* err);

}  // namespace mm

#endif  // MIXMASTER_REJECTED_H_
