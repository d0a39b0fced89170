// The notification policy of mmbuild(1) NOTIFICATIONS in one place: at a
// build's start, end and failure, decide which mail goes out, compose it, hand
// it to sendmail, and run the hook. Every problem is reported to the build log
// and then ignored: nothing here can change a build's result.
//
// The runner calls Send three times at most per job: kStart when the build
// begins, then exactly one of kEnd (status success) or kFail (status failure,
// error or killed). Mail and hook each have their own deadline and do not
// watch mmbuild's stop flag, so that a build killed by SIGTERM still gets its
// failure mail before mmbuild exits.
#ifndef MIXMASTER_NOTIFY_H_
#define MIXMASTER_NOTIFY_H_

#include <functional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "job/build_log.h"
#include "job/config.h"
#include "job/job.h"
#include "report/build_event.h"

namespace mm {

// Receives build log lines: '!' a problem (sendmail or hook failed, a bad
// address, sendmail's own output), 'H' a line the hook wrote, '#' a note
// that a mail went out.
using NotifyLogSink = std::function<void(char marker, const std::string& text)>;

// What to do at one event, decided from the job and the config alone.
struct NotifyPlan {
  bool send_mail = false;
  std::string mailto;  // the job's mailto when the job has the key, else the
                       // config's
  // The mail threads under a start mail; false when no start mail was sent
  // (notifications = failures).
  bool reply_to_start = true;
  bool run_hook = false;      // the hook runs at every event whatever the mail
  std::string notifications;  // normalised: all, failures or none
  std::string warning;        // e.g. an unknown notifications value
};

NotifyPlan PlanNotification(BuildEvent event, const Job& job,
                            const Config& config);

// `job-start`, `job-end`, `job-fail`.
const char* HookEventName(BuildEvent event);

struct NotifierOptions {
  std::string hostname;          // for Message-IDs; empty: gethostname()
  const Clock* clock = nullptr;  // for Date; null: SystemClock()
  double sendmail_timeout_seconds = 60;
  double hook_timeout_seconds = 60;
  double kill_grace_seconds = 5;
};

class Notifier {
 public:
  // Keeps a copy of `config`.
  explicit Notifier(const Config& config,
                    const NotifierOptions& options = NotifierOptions());

  // `env` is the build's MIXMASTER_* environment as "NAME=value"; the hook
  // gets it plus MIXMASTER_EVENT and MIXMASTER_NOTIFICATIONS. The mails name
  // `log_path` as where the build log is. `log_text` is the build log so far
  // (a whole BuildLog); the failure mail quotes its [log] lines.
  void Send(BuildEvent event, const Job& job, const std::string& log_path,
            const std::vector<std::string>& env, const std::string& log_text,
            const NotifyLogSink& log) const;

 private:
  void SendMailFor(BuildEvent event, const Job& job, const NotifyPlan& plan,
                   const std::string& log_path, const std::string& log_text,
                   const NotifyLogSink& log) const;
  void RunHookFor(BuildEvent event, const NotifyPlan& plan,
                  const std::vector<std::string>& env,
                  const NotifyLogSink& log) const;

  Config config_;
  NotifierOptions options_;
};

}  // namespace mm

#endif  // MIXMASTER_NOTIFY_H_
