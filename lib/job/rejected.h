// A job moved to <buildRoot>/REJECTED/ says why in the file itself
// (mmbuild(1) FILES): `#` comment lines at its top, which the job file's INI
// dialect skips (mixmaster.ini(5)), so that the job builds again unchanged
// once it is moved back into the spool.
#ifndef MIXMASTER_REJECTED_H_
#define MIXMASTER_REJECTED_H_

#include <time.h>

#include <string>

namespace mm {

// The comment lines: who rejected the job when, why (on one line), and how
// to build it again.
std::string RejectionNote(const std::string& program, const std::string& why,
                          const struct timespec& now);

// Puts RejectionNote at the top of the rejected job `path`: a new file
// beside it, synced, then renamed over it, so the job is whole either way.
// On failure `path` is left as it was.
bool NoteRejection(const std::string& path, const std::string& program,
                   const std::string& why, const struct timespec& now,
                   std::string* err);

}  // namespace mm

#endif  // MIXMASTER_REJECTED_H_
