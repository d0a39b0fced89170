// The build history in a terminal, for people on the box (mmbuild(1) BUILD
// HISTORY): `--list`, `--follow` and `--rebuild`, read from the same logs as
// the web view (lib/job/build_history).
#ifndef MIXMASTER_BUILD_CONSOLE_H_
#define MIXMASTER_BUILD_CONSOLE_H_

#include <string>

#include "base/clock.h"
#include "job/config.h"

namespace mm {

// The builds of every project, or of `project` (a name as in the
// configuration, or its directory), newest first: one line each with id,
// project, target, status and duration, the status coloured when `colour`.
// False when the project has no builds directory.
bool ListBuilds(const Config& config, const std::string& project, bool colour,
                std::string* text, std::string* err);

enum class FollowResult {
  kSuccess,    // the build ended with status success
  kFailed,     // it ended otherwise (failure, error, killed)
  kNoSuchJob,  // no log has that id
  kNoResult,   // no [result] within the limit
  kError,      // the log could not be read or the output written
};

struct FollowOptions {
  double poll_seconds = 0.25;
  double limit_seconds = 3600;  // see LiveLogSeconds
};

// Writes the log of job `id` to `out_fd` and then what is appended to it,
// looking every `poll_seconds`, until its [result] (or for at most
// `limit_seconds`); *status is the result's status.
FollowResult FollowBuild(const Config& config, const std::string& id,
                         int out_fd, const FollowOptions& options,
                         std::string* status, std::string* err);

// Queues a copy of job `id` (its [job] section) under a new id and receive
// time into the spool; *new_id is that id. False with `err` when there is no
// such job or the spool cannot be written (nothing is left half-written).
bool RebuildJob(const Config& config, const std::string& id, const Clock& clock,
                std::string* new_id, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_BUILD_CONSOLE_H_
