// `keepBuilds = N` (mixmaster.ini(5), mmbuild(1) QUEUE): after each build
// only the newest N logs of its project stay in <project dir>/JOBS/. Newest
// is by name, which for the ids Mixmaster makes is arrival order. Never
// removed: a log without `[result]` (a build running, or one whose runner
// died, which is finished later), the newest `success` of each target, and
// anything that is not a build log (locks, other files, a `*.log` that is
// not a job).
//
// It runs after every job, so it reads each log as the build history does
// (build_history.h): its head and its last few KiB, whatever its size.
#ifndef MIXMASTER_LOG_RETENTION_H_
#define MIXMASTER_LOG_RETENTION_H_

#include <string>
#include <vector>

#include "job/build_history.h"

namespace mm {

// What retention needs to know of one log.
struct LogFacts {
  std::string name;    // file name in JOBS/
  std::string target;  // the job's target
  bool finished = false;
  bool success = false;
};

// The facts of a log from its summary; false when it is not a build log
// (its [job] names no project or target).
bool ReadLogFacts(const BuildSummary& summary, LogFacts* facts);

// The names among `logs` (any order) to remove so that the newest `keep`
// remain, besides the protected ones. `keep` <= 0 removes nothing.
std::vector<std::string> LogsToRemove(std::vector<LogFacts> logs, long keep);

// Applies LogsToRemove to <build_root>/<dir>/JOBS/*.log (`dir` being the
// project's directory, SafeName of its name); `removed` gets the names
// removed. False (with `err`) when the directory cannot be read or a log
// cannot be removed; what could be removed is.
bool PruneLogs(const std::string& build_root, const std::string& dir, long keep,
               std::vector<std::string>* removed, std::string* err);

}  // namespace mm

#endif  // MIXMASTER_LOG_RETENTION_H_
