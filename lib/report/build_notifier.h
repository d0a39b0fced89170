// The bridge between mmbuild's runner and the notifications of mmbuild(1)
// NOTIFICATIONS: a BuildObserver that hands each of the three moments of a
// build (start, end, failure) to a Notifier, with the build log so far as the
// text a failure mail quotes, and writes what the Notifier reports (`!`
// problems, `H` hook output, `#` a mail went out) into the build's [log].
//
// Nothing here changes a build's result: a log that cannot be read is one
// more `!` line, and the mail goes out without the log.
#ifndef MIXMASTER_BUILD_NOTIFIER_H_
#define MIXMASTER_BUILD_NOTIFIER_H_

#include <string>
#include <vector>

#include "build/build_runner.h"
#include "job/build_log.h"
#include "job/config.h"
#include "report/notify.h"

namespace mm {

class BuildNotifier : public BuildObserver {
 public:
  // Keeps a copy of `config` (mailto, mailfrom, sendmail, hook, buildRoot).
  explicit BuildNotifier(const Config& config,
                         const NotifierOptions& options = NotifierOptions());

  void OnEvent(const BuildReport& report, BuildLog* log) override;

 private:
  Notifier notifier_;
};

// The job as the mails should describe the build of `report`:
// - its id is the one the build runs under (report.job_id), which differs
//   from the job file's when that was unsafe, missing or already taken; the
//   Message-IDs come from it (and the mail names report.log_path), so two
//   jobs sharing an id neither share a thread nor point at each other's log;
// - a job that named no commit is described, once the build has checked one
//   out, by the commit that was built (report.commit).
Job JobForMail(const BuildReport& report);

}  // namespace mm

#endif  // MIXMASTER_BUILD_NOTIFIER_H_
