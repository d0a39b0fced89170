#include "report/notify.h"

#include <limits.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/ini.h"
#include "base/journal.h"
#include "base/paths.h"
#include "forge/commit_status.h"
#include "job/build_history.h"
#include "report/hook.h"
#include "report/mail_message.h"
#include "report/sendmail.h"

namespace mm {
namespace {

// More than a mail shows (MailEnvelope::max_log_bytes), with room for the
// closing sections.
constexpr size_t kMailLogEndBytes = (256 << 10) + kLogEndBytes;

}  // namespace

NotifyPlan PlanNotification(BuildEvent event, const Job& job,
                            const JobSettings& settings, const Config& config,
                            bool previous_failed) {
  NotifyPlan plan;
  plan.notifications = settings.notifications;
  plan.warning = settings.warning;
  plan.mailto = Trim(job.mailto);
  plan.fixed = event == BuildEvent::kEnd && previous_failed;
  bool wanted = plan.notifications == Notifications::kAll ||
                (plan.notifications == Notifications::kFailures &&
                 (event == BuildEvent::kFail || plan.fixed));
  plan.send_mail =
      wanted && !plan.mailto.empty() && event != BuildEvent::kSuperseded;
  plan.reply_to_start = plan.notifications == Notifications::kAll;
  plan.run_hook = !config.hook.empty();
  return plan;
}

bool PreviousBuildFailed(const std::string& build_root, const Job& job) {
  BuildHistory history;
  std::string dir = SafeName(job.project), err;
  std::vector<std::string> ids;
  bool missing = false;
  if (!history.Open(build_root, &err) ||
      !history.ListJobs(dir, &ids, &missing, &err))
    return false;
  // Newest first, and ids sort by time: the first older one that counts.
  for (const std::string& id : ids) {
    if (id >= job.id) continue;
    BuildSummary s;
    if (!history.ReadSummary(dir, id, &s)) continue;
    if (s.target != job.target || s.task != job.task || !s.complete() ||
        s.status == "superseded")
      continue;
    return s.status != "success";
  }
  return false;
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
  // commit asked for, which the job already says. At the end it is the
  // commit built, which is what the mail names, also when the job named a
  // tag or an annotated tag's id (mmbuild(1) How a job runs).
  if (report.event != BuildEvent::kStart && !report.commit.empty())
    described.commit = report.commit;
  return described;
}

void Notifier::OnEvent(const BuildReport& report, BuildLog* log) {
  // Only the end of a build under `failures` needs the history.
  bool previous_failed =
      report.event == BuildEvent::kEnd &&
      report.settings.notifications == Notifications::kFailures &&
      PreviousBuildFailed(config_.build_root, JobForMail(report));
  NotifyPlan plan = PlanNotification(report.event, report.job, report.settings,
                                     config_, previous_failed);
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
  // is already on disk (BuildLog writes each with one write(2)). Its ends
  // only: a mail shows at most the last MailEnvelope::max_log_bytes of
  // [log], and a log of gigabytes must not be read whole.
  std::string log_text, err;
  UniqueFd fd = OpenRegularFile(log->path(), &err);
  if (!fd.ok() || !ReadLogEnds(fd.get(), kMailLogEndBytes, &log_text, &err)) {
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
  envelope.fixed = plan.fixed;
  envelope.log_path = log_path;
  // The job id the build runs under names its page (JobForMail).
  if (!config_.public_url.empty())
    envelope.build_url =
        StatusTargetUrl(config_.public_url, job.project, job.id, "");
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
