// mmbuild's main loop (mmbuild(1) How a job runs, QUEUE, SIGNALS): mmbuild
// claims the jobs and runs each in a child process of its own, which runs
// exactly one build, so that a crash ends that job only (its log is then
// completed with `status = error`) and the mails, hook and log of builds that
// run side by side (`jobs = N`) never mix. Before a job builds, newer jobs for
// the same target and task supersede it (`supersede`); after each job,
// `keepBuilds` prunes its project's logs. SIGTERM and SIGINT stop every
// running build (TERM to its group, KILL after 10 s, `killed`), leave the
// rest of the spool alone and end the loop.
#ifndef MIXMASTER_BUILD_QUEUE_H_
#define MIXMASTER_BUILD_QUEUE_H_

#include <signal.h>
#include <sys/types.h>

#include <map>
#include <string>

#include "base/journal.h"
#include "build/build_runner.h"
#include "build/spool_reader.h"
#include "job/config.h"

namespace mm {

// `jobs` above this runs this many builds at once (with a warning).
constexpr int kMaxParallelJobs = 64;

// Installs the SIGTERM/SIGINT handlers: they set the stop flag and pass the
// signal on to every job process that is running.
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

// Runs the spool with up to `jobs` builds at once (mmbuild(1) QUEUE): the
// oldest job whose workspace no running build uses starts next, so two jobs
// for the same project and target run in order. After a stop, nothing more
// is claimed and Run returns once every running build has ended.
class JobScheduler {
 public:
  explicit JobScheduler(const QueueOptions& options);
  JobScheduler(const JobScheduler&) = delete;
  JobScheduler& operator=(const JobScheduler&) = delete;

  QueueStatus Run();

 private:
  bool CanClaim() const;
  bool WorkspaceBusy(const ClaimedJob& job) const;
  // Claims the next job: starts it, or finishes it as superseded. False
  // when no job was taken (none waits, or the spool cannot be read).
  bool TakeNext();
  void FinishAsSuperseded(const ClaimedJob& job, const std::string& by);
  // Waits for (or, without `block`, looks for) one job process that ended.
  // False when none did.
  bool ReapOne(bool block);

  const QueueOptions& options_;
  SpoolReader reader_;
  long max_jobs_ = 1;
  std::map<pid_t, ClaimedJob> running_;
  bool claim_failed_ = false;  // the spool could not be read: stop claiming
  bool failed_ = false;        // a system error of ours happened
};

// Runs every job of the spool (a JobScheduler), listing it again after each
// job and, while a build slot is free, every 200 ms (so jobs that arrive
// meanwhile run too), until it is empty or a stop is requested. Bad jobs go to
// REJECTED/ and do not change the result: the spool is empty at the end either
// way.
QueueStatus RunSpool(const QueueOptions& options);

// Runs one job given by hand, the file `path` (`-`: stdin): stored as a new
// JOBS/<id>.log, the original left alone. A file that cannot be read or is
// not a runnable job is kBadJob.
QueueStatus RunGivenJob(const std::string& path, const QueueOptions& options);

}  // namespace mm

#endif  // MIXMASTER_BUILD_QUEUE_H_
