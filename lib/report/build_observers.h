// Every moment of a build, told to whoever listens (mmbuild(1)
// NOTIFICATIONS, The hook, COMMIT STATUSES, QUEUE): the runner tells the
// start and the end or failure, the queue a superseded job, the pass over
// dead runners' logs a failure. Mail, the hook and commit statuses are each
// one BuildObserver; BuildObservers tells them in turn. Nothing an observer
// does changes a build's result.
#ifndef MIXMASTER_BUILD_OBSERVERS_H_
#define MIXMASTER_BUILD_OBSERVERS_H_

#include <string>
#include <vector>

#include "job/build_log.h"
#include "job/job.h"
#include "job/job_settings.h"

namespace mm {

// kStart when the build begins, then exactly one of kEnd (status success)
// or kFail (status failure, error or killed); or, for a job never built
// because a newer one for its target and task waits, kSuperseded alone.
enum class BuildEvent { kStart, kEnd, kFail, kSuperseded };

// `job-start`, `job-end`, `job-fail`, `job-superseded`: the hook's
// MIXMASTER_EVENT. The one list of the events' names.
const char* BuildEventName(BuildEvent event);

// What an observer is told at each event.
struct BuildReport {
  BuildEvent event;
  // The job with buildCommand, mailto and mode filled in from the config
  // when the job file left them out, and what it runs with (ResolveJob).
  const Job& job;
  const JobSettings& settings;
  // The id the build runs under (MIXMASTER_JOB): the job file's, or a fresh
  // one when that was unsafe, missing or already taken.
  std::string job_id;
  // At kStart the commit asked for (may be empty); later the full id of
  // the one checked out (empty when the checkout failed).
  std::string commit;
  std::string log_path;  // <project dir>/JOBS/<id>.log
  // The MIXMASTER_* variables of mmbuild(1) ENVIRONMENT as "NAME=value",
  // from the same values, for programs the observer runs; at kSuperseded
  // with MIXMASTER_SUPERSEDED_BY, the id of the newer job.
  const std::vector<std::string>& env;
  // Meaningful at kEnd and kFail only.
  BuildStatus status;
  int exit_code;
  // A kFail told for a runner that died (mmbuild(1) KILLED RUNNER) by the
  // mmbuild that finished its log: no kStart came before it here, and how
  // long the build ran is not known.
  bool runner_died = false;
};

// OnEvent is called at kStart after the [build] section and the "Build
// started" line are written, then once with kEnd or kFail before [result]
// is written; kSuperseded after the log's `#` line naming the newer job.
// `log` takes the observer's own lines (`!` for its problems, `H` for hook
// output, `#` for what went out) in the [log] section, and log->path()
// gives the log so far.
class BuildObserver {
 public:
  virtual ~BuildObserver() = default;
  virtual void OnEvent(const BuildReport& report, BuildLog* log) = 0;
};

// Several observers told in turn, in the order they were added (mmbuild
// tells the mails, then the hook, then the forge's commit status).
class BuildObservers : public BuildObserver {
 public:
  // `observer` must outlive this list.
  void Add(BuildObserver* observer) { observers_.push_back(observer); }

  void OnEvent(const BuildReport& report, BuildLog* log) override;

 private:
  std::vector<BuildObserver*> observers_;
};

}  // namespace mm

#endif  // MIXMASTER_BUILD_OBSERVERS_H_
