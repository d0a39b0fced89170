// mmbuild's main loop (mmbuild(1) How a job runs, SIGNALS): jobs taken one at a
// time, each run in a child process of its own so that a crash ends that job
// only (its log is then completed with `status = error`). SIGTERM and SIGINT
// stop the running build (TERM to its group, KILL after 10 s, `killed`), leave
// the rest of the spool alone and end the loop.
#ifndef MIXMASTER_BUILD_QUEUE_H_
#define MIXMASTER_BUILD_QUEUE_H_

#include <signal.h>

#include <string>

#include "build_runner.h"
#include "config.h"
#include "journal.h"

namespace mm {

// Installs the SIGTERM/SIGINT handlers: they set the stop flag and pass the
// signal on to the job process that is running, if any.
void InstallStopHandlers();

enum class QueueStatus {
  kDone,         // every job taken was run (whatever the builds' results)
  kBadJob,       // the job given could not be run (already reported)
  kSystemError,  // mmbuild could not do its own work (already reported)
};

struct QueueOptions {
  const Config* config = nullptr;
  const Journal* journal = nullptr;
  BuildObserver* observer = nullptr;
};

// Runs every job of the spool, oldest first, listing it again after each
// job (so jobs that arrive meanwhile run too), until it is empty or a stop
// is requested. Bad jobs go to REJECTED/ and do not change the result: the
// spool is empty at the end either way.
QueueStatus RunSpool(const QueueOptions& options);

// Runs one job given by hand, the file `path` (`-`: stdin): stored as a new
// JOBS/<id>.log, the original left alone. A file that cannot be read or is
// not a runnable job is kBadJob.
QueueStatus RunGivenJob(const std::string& path, const QueueOptions& options);

}  // namespace mm

#endif  // MIXMASTER_BUILD_QUEUE_H_
