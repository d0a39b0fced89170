// The notifications of mmbuild(1) NOTIFICATIONS and The hook, one
// BuildObserver: at each moment of a build decide which mail goes out,
// compose it (quoting the build log so far), hand it to sendmail, and run the
// hook; what happened goes into the build's [log] (`!` problems, `H` hook
// output, `#` a mail went out). A superseded job gets the hook and no mail.
// Every problem is reported to the build log and then ignored: nothing here
// can change a build's result; a log that cannot be read is one more `!`
// line, and the mail goes out without it.
//
// Mail and hook each have their own deadline and do not watch mmbuild's stop
// flag, so that a build killed by SIGTERM still gets its failure mail before
// mmbuild exits.
#ifndef MIXMASTER_NOTIFY_H_
#define MIXMASTER_NOTIFY_H_

#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "job/build_log.h"
#include "job/config.h"
#include "job/job.h"
#include "job/job_settings.h"
#include "report/build_observers.h"

namespace mm {

// What to do at one event, decided from the job and the config alone.
struct NotifyPlan {
  bool send_mail = false;
  std::string mailto;  // the job's (ResolveJob: else the config's)
  // The mail threads under a start mail; false when no start mail was sent
  // (notifications = failures).
  bool reply_to_start = true;
  bool run_hook = false;  // the hook runs at every event whatever the mail
  Notifications notifications = Notifications::kAll;
  // The end mail of the first success after a failure, sent under
  // `failures` too (mmbuild(1) NOTIFICATIONS); its subject says FIXED.
  bool fixed = false;
  std::string warning;  // e.g. an unknown notifications value
};

// `job` and `settings` as ResolveJob left them; `previous_failed`: the last
// finished build of the job's target and task before it failed
// (PreviousBuildFailed).
NotifyPlan PlanNotification(BuildEvent event, const Job& job,
                            const JobSettings& settings, const Config& config,
                            bool previous_failed = false);

// True when the newest finished (not superseded) build of `job`'s project,
// target and task older than `job` itself, in the logs under `build_root`,
// did not succeed.
bool PreviousBuildFailed(const std::string& build_root, const Job& job);

struct NotifierOptions {
  std::string hostname;          // for Message-IDs; empty: gethostname()
  const Clock* clock = nullptr;  // for Date; null: SystemClock()
  double sendmail_timeout_seconds = 60;
  double hook_timeout_seconds = 60;
  double kill_grace_seconds = 5;
};

class Notifier : public BuildObserver {
 public:
  // Keeps a copy of `config` (mailto, mailfrom, sendmail, hook, buildRoot).
  explicit Notifier(const Config& config,
                    const NotifierOptions& options = NotifierOptions());

  // The hook gets report.env plus MIXMASTER_EVENT and
  // MIXMASTER_NOTIFICATIONS. The mails name report.log_path as where the build
  // log is; the failure mail quotes the [log] lines of the log as it is now.
  void OnEvent(const BuildReport& report, BuildLog* log) override;

 private:
  void SendMailFor(BuildEvent event, const Job& job, const NotifyPlan& plan,
                   const std::string& log_path, BuildLog* log) const;
  void RunHookFor(const BuildReport& report, const NotifyPlan& plan,
                  BuildLog* log) const;

  Config config_;
  NotifierOptions options_;
};

// The job as the mails should describe the build of `report`:
// - its id is the one the build runs under (report.job_id), which differs
//   from the job file's when that was unsafe, missing or already taken; the
//   Message-IDs come from it (and the mail names report.log_path), so two
//   jobs sharing an id neither share a thread nor point at each other's log;
// - once the build has checked a commit out, it is described by that
//   commit (report.commit), whatever the job named: nothing, a branch, a
//   tag, or an annotated tag's id.
Job JobForMail(const BuildReport& report);

}  // namespace mm

#endif  // MIXMASTER_NOTIFY_H_
