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
// configuration, or its directory): one line each with id, project, target,
// status and duration, the status coloured when `colour`. First the jobs
// queued in the spool, in the order mmbuild takes them, with their place
// (`#1` is next) for a duration; then the running builds; then the rest,
// newest first. False when the project has neither logs nor queued jobs.
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

// A build as a person names it on the command line (mmbuild(1) BUILD
// HISTORY): a job id, any prefix of one that fits no other, or `last`, the
// newest; among the builds of `project` (a name as in the configuration,
// or its directory) when it is not empty. See BuildHistory::FindBuild.
struct BuildName {
  std::string name;
  std::string project;
};

// Writes the log of build `build` to `out_fd` and then what is appended to
// it, looking every `poll_seconds`, until its [result] (or for at most
// `limit_seconds`); *status is the result's status.
FollowResult FollowBuild(const Config& config, const BuildName& build,
                         int out_fd, const FollowOptions& options,
                         std::string* status, std::string* err);

// What --rebuild queued.
struct Rebuild {
  std::string id;           // the new job's
  std::string of;           // the build it repeats
  std::string key;          // the project key whose command it runs
  std::string command;      // that command, from the configuration now
  std::string old_command;  // the command the build it repeats ran
};

// Queues a copy of the job of build `build` (its [job] section) under a new
// id and receive time into the spool, with the build command the
// configuration gives its target (and task) now and `rebuildOf` naming the
// original; mailto and mode, when the original left them to the
// configuration, come from it now too. False with `err` when there is no
// such build, the configuration has no command for it any more, or the
// spool cannot be written (nothing is left half-written).
bool RebuildJob(const Config& config, const BuildName& build,
                const Clock& clock, Rebuild* rebuild, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_BUILD_CONSOLE_H_
