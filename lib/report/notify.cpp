#include "report/notify.h"

#include <limits.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/ini.h"
#include "base/journal.h"
#include "base/paths.h"
#include "report/hook.h"
#include "report/mail_message.h"
#include "report/sendmail.h"

namespace mm {

NotifyPlan PlanNotification(BuildEvent event, const Job& job,
                            const JobSettings& settings, const Config& config) {
  NotifyPlan plan;
  plan.notifications = settings.notifications;
  plan.warning = settings.warning;
  plan.mailto = Trim(job.mailto);
  bool wanted = plan.notifications == Notifications::kAll ||
                (plan.notifications == Notifications::kFailures &&
                 event == BuildEvent::kFail);
  plan.send_mail =
      wanted && !plan.mailto.empty() && event != BuildEvent::kSuperseded;
  plan.reply_to_start = plan.notifications == Notifications::kAll;
  plan.run_hook = !config.hook.empty();
  return plan;
}

Notifier::Notifier(const Config& config, const NotifierOptions& options)
    : config_(config), options_(options) {
  if (options_.hostname.empty()) options_.hostname = HostName();
  if (options_.clock == nullptr) options_.clock = &SystemClock();
}

Job JobForMail(const BuildReport& report) {
  Job described = report.job;
  if (!report.job_id.empty()) described.id = report.job_id;
  // At the start nothing is checked out yet: report.commit is only the
  // commit asked for, which the job already says.
  if (report.event != BuildEvent::kStart && described.commit.empty())
    described.commit = report.commit;
  return described;
}

void Notifier::OnEvent(const BuildReport& report, BuildLog* log) {
  NotifyPlan plan =
      PlanNotification(report.event, report.job, report.settings, config_);
  // Said once per job, at its start, which every built job has.
  if (!plan.warning.empty() && report.event == BuildEvent::kStart)
    log->Line(marker::kStderr, plan.warning);
  if (plan.send_mail)
    SendMailFor(report.event, JobForMail(report), plan, report.log_path, log);
  if (plan.run_hook) RunHookFor(report, plan, log);
}

void Notifier::SendMailFor(BuildEvent event, const Job& job,
                           const NotifyPlan& plan, const std::string& log_path,
                           BuildLog* log) const {
  // Read afresh at each event: the log grows between them, and every line
  // is already on disk (BuildLog writes each with one write(2)).
  std::string log_text, err;
  if (!ReadFile(log->path(), &log_text, &err)) {
    log->Line(marker::kStderr,
              "cannot read the build log for the notifications: " + err);
    log_text.clear();
  }
  MailEnvelope envelope;
  envelope.to = plan.mailto;
  envelope.from = config_.mailfrom;
  envelope.hostname = options_.hostname;
  envelope.date = options_.clock->Now();
  envelope.reply_to_start = plan.reply_to_start;
  envelope.log_path = log_path;
  const std::string what = std::string(MailKindName(event)) + " mail";
  std::string message;
  if (!ComposeMail(event, job, envelope, log_text, LogFormat::kBuildLog,
                   &message, &err)) {
    log->Line(marker::kStderr, what + " not sent: " + err);
    return;
  }
  SendmailOptions sendmail;
  sendmail.command = config_.sendmail;
  sendmail.timeout_seconds = options_.sendmail_timeout_seconds;
  sendmail.kill_grace_seconds = options_.kill_grace_seconds;
  std::vector<std::string> output;
  bool sent = SendMail(sendmail, message, &output, &err);
  // Whatever sendmail says is worth reading: it talks only about trouble.
  for (const std::string& line : output)
    log->Line(marker::kStderr, "sendmail: " + line);
  if (sent) {
    log->Line(marker::kMixmaster,
              "Sent the " + what + " to " + OneLine(plan.mailto));
  } else {
    log->Line(marker::kStderr, what + " not sent: " + err);
  }
}

void Notifier::RunHookFor(const BuildReport& report, const NotifyPlan& plan,
                          BuildLog* log) const {
  HookOptions hook;
  hook.program = config_.hook;
  hook.timeout_seconds = options_.hook_timeout_seconds;
  hook.kill_grace_seconds = options_.kill_grace_seconds;
  std::vector<std::string> hook_env = report.env;
  hook_env.push_back(std::string("MIXMASTER_NOTIFICATIONS=") +
                     NotificationsName(plan.notifications));
  std::string err;
  if (!RunHook(
          hook, report.event, hook_env,
          [log](const std::string& line) {
            log->Line(marker::kHook, OneLine(line));
          },
          &err))
    log->Line(marker::kStderr, err + " (ignored)");
}

}  // namespace mm
